"""What activation puts into a person's data package (privacy.export): the kinds of record.

Enrolments (with their suspensions), attendance, the allowance (lines of closed months, bonuses,
corrections), placements and follow-ups, selected by the person's own id. The IPZS is a plan
(cases' "plans"); an enrolment names it by id.
"""

from django.utils.translation import gettext_lazy as _

from activation.models import (
    AllowanceBonus,
    AllowanceCorrection,
    AllowanceLine,
    Attendance,
    Enrolment,
    EnrolmentSuspension,
    FollowUp,
    Placement,
)
from privacy.export import Kind


def _of_client(model, *, order=("pk",)):
    def rows(subject, options):
        return model.objects.filter(client_id=subject.pk).order_by(*order)

    return rows


def _of_enrolments(model, *, order=("pk",)):
    def rows(subject, options):
        return model.objects.filter(enrolment__client_id=subject.pk).order_by(*order)

    return rows


KINDS = [
    Kind(
        key="enrolments",
        title=_("Programmes and workshops"),
        model=Enrolment,
        fields=(
            "programme",
            "cohort",
            "status",
            "applied_on",
            "accepted_on",
            "started_on",
            "trial_ends_on",
            "ended_on",
            "leaving_reason",
            "reason_note",
            "ipzs_id",
            "enrolled_by",
        ),
        rows=_of_client(Enrolment, order=("applied_on", "pk")),
        lifecycle=(
            "status",
            "accepted_on",
            "started_on",
            "trial_ends_on",
            "ended_on",
            "leaving_reason",
            "reason_note",
            "ipzs_id",
        ),
    ),
    Kind(
        key="enrolment_suspensions",
        title=_("Breaks in participation"),
        model=EnrolmentSuspension,
        fields=("enrolment_id", "starts_on", "ends_on", "note", "created_by"),
        rows=_of_client(EnrolmentSuspension, order=("starts_on", "pk")),
        lifecycle=("ends_on",),
    ),
    Kind(
        key="attendance",
        title=_("Attendance"),
        model=Attendance,
        fields=("enrolment_id", "day", "status", "note", "recorded_by"),
        rows=_of_client(Attendance, order=("day", "pk")),
    ),
    Kind(
        key="allowance_lines",
        title=_("Integration allowance: months"),
        model=AllowanceLine,
        fields=(
            "enrolment_id",
            "allowance_month__month",
            "participation_days",
            "gross",
            "deductions",
            "bonus",
            "amount",
        ),
        rows=_of_enrolments(AllowanceLine, order=("allowance_month__month", "pk")),
    ),
    Kind(
        key="allowance_bonuses",
        title=_("Integration allowance: motivation bonuses"),
        model=AllowanceBonus,
        fields=("enrolment_id", "month", "amount", "granted_by", "granted_at"),
        rows=_of_enrolments(AllowanceBonus, order=("month", "pk")),
    ),
    Kind(
        key="allowance_corrections",
        title=_("Integration allowance: corrections"),
        model=AllowanceCorrection,
        fields=(
            "enrolment_id",
            "allowance_month__month",
            "amount",
            "reason",
            "created_by",
            "created_at",
        ),
        rows=_of_client(AllowanceCorrection, order=("created_at", "pk")),
    ),
    Kind(
        key="placements",
        title=_("Placements and jobs"),
        model=Placement,
        fields=(
            "kind",
            "employer_organisation",
            "employer_name",
            "started_on",
            "ended_on",
            "hours_per_week",
            "contract_type",
            "wage_band",
            "end_reason",
            "end_note",
            "enrolment_id",
            "recorded_by",
        ),
        rows=_of_client(Placement, order=("started_on", "pk")),
        lifecycle=("ended_on", "end_reason", "end_note"),
    ),
    Kind(
        key="follow_ups",
        title=_("Employment follow-ups"),
        model=FollowUp,
        fields=(
            "placement_id",
            "months",
            "due_on",
            "answered_on",
            "answer",
            "hours_per_week",
            "housing",
            "note",
            "answered_by",
        ),
        rows=_of_client(FollowUp, order=("due_on", "pk")),
        lifecycle=("answered_on", "answer", "hours_per_week", "housing", "note", "answered_by"),
    ),
]
