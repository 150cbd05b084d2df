"""What case work puts into a person's data package (privacy.export): the kinds of record.

The file's own rows, selected by the person's id; a household's members only as the DPO
decides (their names and dates of birth, or everything). Left out on purpose: the
do-not-disclose list (it names other people), handover requests and emergency accesses (staff's
work on the file, whose reads and writes the access log and the history rows already show).
"""

import mimetypes

from django.utils.translation import gettext_lazy as _

from cases.models import (
    ASSESSMENT_DOMAINS,
    MULTIPLE_CHOICES,
    Assessment,
    CaseNote,
    Client,
    Consent,
    Document,
    HouseholdMember,
    PathwayStep,
    Plan,
    PlanGoal,
    PlanReview,
    PlanStep,
    Referral,
    WalkIn,
)
from privacy.export import ExportFile, Kind, Options
from privacy.files import file_read
from privacy.models import Subject


def _shown(name: str, value):
    """Lists of codes by their labels; an assessment's scores and notes by domain."""
    if name in MULTIPLE_CHOICES and isinstance(value, list):
        labels = dict(MULTIPLE_CHOICES[name])
        return ", ".join(str(labels.get(code, code)) for code in value)
    if name in ("scores", "notes") and isinstance(value, dict):
        domains = dict(ASSESSMENT_DOMAINS)
        return "; ".join(f"{domains.get(k, k)}: {v}" for k, v in value.items())
    return None


def _of_client(model, *, order=("pk",)):
    def rows(subject: Subject, options: Options):
        return model.objects.filter(client_id=subject.pk).order_by(*order)

    return rows


def _members(subject: Subject, options: Options):
    return HouseholdMember.objects.filter(household__head_id=subject.pk).order_by("pk")


def household_companions(subject: Subject):
    """The household members' subjects: their access-log rows go with "everything"."""
    return HouseholdMember.objects.filter(household__head_id=subject.pk).values_list(
        "subject_id", flat=True
    )


def _document_file(document: Document) -> ExportFile | None:
    stored = document.file
    # An erased person's bytes are gone (the row stays): nothing to put in the package.
    if stored.shredded_at is not None:
        return None
    extension = mimetypes.guess_extension(stored.content_type or "") or ".bin"
    return ExportFile(
        path=f"documents/{document.pk}{extension}",
        content=file_read(stored),
        content_type=stored.content_type,
    )


KINDS = [
    Kind(
        key="identity",
        title=_("Identity and intake facts"),
        model=Client,
        fields=(
            "first_name",
            "surname",
            "pesel",
            "birth_date",
            "birth_year",
            "sex",
            "phone",
            "email",
            "contact_note",
            "citizenship",
            "preferred_language",
            "municipality_code",
            "ethos",
            "homelessness_reasons",
            "episode_started_on",
            "episodes_last_3_years",
            "income_sources",
            "identity_documents",
            "health_note",
            "disability",
            "addictions",
            "pregnancy_due_on",
            "pathway_stage",
            "registered_on",
            "registered_by",
            "closed_on",
        ),
        rows=lambda subject, options: Client.objects.filter(pk=subject.pk),
        sensitive_fields=Client.SENSITIVE_FIELDS,
        shown=_shown,
        lifecycle=("pathway_stage", "closed_on", "registered_by"),
    ),
    Kind(
        key="household",
        title=_("Household"),
        model=HouseholdMember,
        fields=("first_name", "surname", "birth_date", "relationship", "sex", "is_active"),
        names_fields=("first_name", "surname", "birth_date", "relationship"),
        rows=_members,
        child_data=True,
        lifecycle=("is_active",),
    ),
    Kind(
        key="plans",
        title=_("Plans (IPWzB, IPZS, social contract)"),
        model=Plan,
        fields=(
            "kind",
            "status",
            "version",
            "situation",
            "causes",
            "starts_on",
            "ends_on",
            "review_every_days",
            "next_review_on",
            "approved_by",
            "approved_at",
            "created_by",
        ),
        rows=_of_client(Plan),
        lifecycle=("status", "version", "next_review_on", "ends_on", "approved_by", "approved_at"),
    ),
    Kind(
        key="plan_goals",
        title=_("Goals of the plans"),
        model=PlanGoal,
        fields=("plan_id", "position", "text", "status", "outcome"),
        rows=_of_client(PlanGoal, order=("plan_id", "position", "pk")),
        lifecycle=("status", "outcome", "position"),
    ),
    Kind(
        key="plan_steps",
        title=_("Steps of the goals"),
        model=PlanStep,
        fields=("goal_id", "party", "text", "responsible", "due_on", "status"),
        rows=_of_client(PlanStep),
        lifecycle=("status",),
    ),
    Kind(
        key="plan_reviews",
        title=_("Reviews of the plans"),
        model=PlanReview,
        fields=("plan_id", "reviewed_on", "note", "reviewed_by"),
        rows=_of_client(PlanReview),
    ),
    Kind(
        key="notes",
        title=_("Case notes"),
        model=CaseNote,
        fields=("kind", "noted_on", "text", "is_important", "is_sensitive", "author"),
        rows=_of_client(CaseNote, order=("noted_on", "pk")),
        is_sensitive=lambda note: note.is_sensitive,
    ),
    Kind(
        key="assessments",
        title=_("Assessments"),
        model=Assessment,
        fields=("kind", "assessed_on", "scores", "notes", "author"),
        rows=_of_client(Assessment, order=("assessed_on", "pk")),
        # Scores and notes may cover health and addiction (special categories).
        sensitive_fields=("scores", "notes"),
        shown=_shown,
    ),
    Kind(
        key="consents",
        title=_("Consents"),
        model=Consent,
        fields=(
            "purpose",
            "partner",
            "legal_basis",
            "given_on",
            "withdrawn_on",
            "signed_form_id",
            "recorded_by",
        ),
        rows=_of_client(Consent),
        lifecycle=("withdrawn_on",),
    ),
    Kind(
        key="referrals",
        title=_("Referrals"),
        model=Referral,
        fields=(
            "partner",
            "service",
            "summary",
            "status",
            "decline_reason",
            "sent_on",
            "decided_on",
            "completed_on",
            "created_by",
        ),
        rows=_of_client(Referral),
        lifecycle=("status", "decline_reason", "decided_on", "completed_on"),
    ),
    Kind(
        key="documents",
        title=_("Documents"),
        model=Document,
        fields=("kind", "title", "uploaded_at", "uploaded_by"),
        rows=lambda subject, options: (
            Document.objects.filter(client_id=subject.pk).select_related("file").order_by("pk")
        ),
        file=_document_file,
    ),
    Kind(
        key="walk_ins",
        title=_("Registration at a facility's door"),
        model=WalkIn,
        fields=(
            "organisation",
            "registered_at",
            "registered_by",
            "surname_refused",
            "birth_year_estimated",
            "note",
            "taken_at",
            "taken_by",
        ),
        rows=lambda subject, options: WalkIn.objects.filter(client_id=subject.pk),
        lifecycle=("taken_at", "taken_by"),
    ),
    Kind(
        key="pathway_steps",
        title=_("Steps on the pathway"),
        model=PathwayStep,
        fields=("stage", "on", "source", "recorded_by"),
        rows=_of_client(PathwayStep, order=("on", "pk")),
    ),
]
