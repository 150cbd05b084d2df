"""Writes to case files: each in one transaction, permission-checked, with a history reason."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q as models_Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.access import team_has_member
from accounts.models import Team
from audit.services import access_log_write
from cases.models import (
    Assignment,
    BreakGlassAccess,
    CaseEpisode,
    CaseNote,
    Client,
    HandoverRequest,
    PathwayStep,
)
from privacy import vault
from privacy.models import Subject

CASELOAD_PERMISSIONS = ("cases.view_client", "cases.change_client")

CLIENT_FIELDS = [
    "first_name",
    "surname",
    "pesel",
    "birth_date",
    "sex",
    "phone",
    "email",
    "contact_note",
    "municipality_code",
    "citizenship",
    "preferred_language",
    "ethos",
    "episode_started_on",
    "episodes_last_3_years",
    "homelessness_reasons",
    "income_sources",
    "identity_documents",
    "health_note",
    "disability",
    "addictions",
    "pregnancy_due_on",
    "pathway_stage",
]


def _check_fields(fields, where: str) -> None:
    unknown = set(fields) - set(CLIENT_FIELDS)
    if unknown:
        raise TypeError(f"{where} got unknown fields {sorted(unknown)}")


def _record(
    obj, *, by, reason: str, subject_id, purpose: str = "", action: str = "update", request=None
) -> None:
    """Validate and save a row with its history reason, and write the one access-log row."""
    obj.full_clean()
    obj._change_reason = reason
    obj.save()
    access_log_write(
        actor=by, action=action, subject_id=subject_id, purpose=purpose, request=request
    )


def _may_change(by, client: Client) -> None:
    if not by.has_perm("cases.change_client", client):
        raise PermissionDenied(_("You may not change this file."))


def client_register(*, by, request=None, **fields) -> Client:
    """Register a new client as a data subject with their own key, in the registrar's caseload.

    Opens the first case episode and assigns the client to the registering worker.
    """
    if not by.has_role("social_worker"):
        raise PermissionDenied(_("Only social workers register clients."))
    _check_fields(fields, "client_register")
    with transaction.atomic():
        subject = vault.subject_create(kind="client")
        client = Client(subject=subject, registered_by=by, **fields)
        client.full_clean()
        client._change_reason = "client_register"
        client.save()
        CaseEpisode.objects.create(client=client, opened_on=timezone.localdate(), opened_by=by)
        PathwayStep.objects.create(
            client=client, stage=client.pathway_stage, on=timezone.localdate(), recorded_by=by
        )
        _assign(client=client, worker=by, by=by)
        access_log_write(actor=by, action="create", subject_id=client.pk, request=request)
    return client


def client_update(*, by, client: Client, request=None, **changes) -> Client:
    """Change a client's intake facts; the old values stay in the history.

    An erased person is refused under a lock on their subject row, so an erasure cannot commit
    between the check and the save: another process may still hold their key for a while, and
    a save would write the blind indexes back.
    """
    _may_change(by, client)
    _check_fields(changes, "client_update")
    with transaction.atomic():
        if Subject.objects.select_for_update().get(pk=client.pk).is_erased:
            raise ValidationError(_("This person's data has already been erased."))
        # A move on the ladder, up or down, is recorded with its date.
        stage = changes.get("pathway_stage")
        if stage and stage != client.pathway_stage:
            PathwayStep.objects.create(
                client=client, stage=stage, on=timezone.localdate(), recorded_by=by
            )
        for name, value in changes.items():
            setattr(client, name, value)
        client.full_clean()
        client._change_reason = "client_update"
        client.save()
        access_log_write(actor=by, action="update", subject_id=client.pk, request=request)
    return client


def _assign(*, client: Client, worker, by, team=None) -> Assignment:
    """End the current assignment (revoking its holder's access) and start a new one."""
    # Atomic on its own too, so the old holder never keeps access if the new grant fails.
    with transaction.atomic():
        now = timezone.now()
        current = (
            Assignment.objects.select_for_update()
            .filter(client=client, ended_at__isnull=True)
            .first()
        )
        if current is not None:
            current.ended_at = now
            current._change_reason = "handover"
            current.save()
            for permission in CASELOAD_PERMISSIONS:
                remove_perm(permission, current.worker, client)
                if current.team_id:
                    remove_perm(permission, current.team, client)
        assignment = Assignment(
            client=client, worker=worker, team=team, started_at=now, assigned_by=by
        )
        assignment._change_reason = "assign"
        assignment.save()
        for permission in CASELOAD_PERMISSIONS:
            assign_perm(permission, worker, client)
            if team is not None:
                assign_perm(permission, team, client)
        return assignment


def _check_manager_of(by, worker) -> None:
    # A manager assigns within their own organisation, to active social workers.
    if not by.has_role("manager") or by.organisation_id != worker.organisation_id:
        raise PermissionDenied(_("Only a manager of the worker's organisation assigns clients."))
    if not worker.is_active or not worker.has_role("social_worker"):
        raise ValidationError(_("Clients can be assigned only to active social workers."))


def _check_team(by, team: Team, worker) -> None:
    # A manager assigns with a team of their own organisation, and only to one of its members:
    # the team's members reach the file, so the holder must be one of them.
    if team.organisation_id != by.organisation_id:
        raise PermissionDenied(_("You may only assign files to teams of your own organisation."))
    if not team_has_member(team, worker):
        raise ValidationError(_("The social worker is not a member of this team."))


def client_handover(
    *, by, client: Client, to_worker, team: Team | None = None, request=None
) -> Assignment:
    """Move a file to a worker (and optionally a team) in one transaction.

    The old holder and the old team lose access at once. Reassigning the same worker with
    another team (or none) is a change too; the very same worker and team is refused.
    """
    _check_manager_of(by, to_worker)
    if team is not None:
        _check_team(by, team, to_worker)
    group = team.group if team is not None else None
    unchanged = (to_worker.pk, group.pk if group is not None else None)
    with transaction.atomic():
        current = Assignment.objects.filter(client=client, ended_at__isnull=True).first()
        if current is not None and current.worker.organisation_id != by.organisation_id:
            # Another organisation's file moves only with its own manager's decision.
            requested = HandoverRequest.objects.filter(
                client=client, requested_by=to_worker, status=HandoverRequest.Status.OPEN
            ).exists()
            if not requested:
                raise PermissionDenied(_("This file is held by another organisation."))
        if current is not None and (current.worker_id, current.team_id) == unchanged:
            raise ValidationError(_("This worker already holds the file."))
        assignment = _assign(client=client, worker=to_worker, by=by, team=group)
        HandoverRequest.objects.filter(
            client=client, requested_by=to_worker, status=HandoverRequest.Status.OPEN
        ).update(status=HandoverRequest.Status.DONE, decided_by=by, decided_at=timezone.now())
        access_log_write(actor=by, action="handover", subject_id=client.pk, request=request)
    return assignment


def handover_request(*, by, client: Client, request=None) -> HandoverRequest:
    """A worker who found a client held elsewhere asks for the file (a manager decides)."""
    if not by.has_role("social_worker"):
        raise PermissionDenied(_("Only social workers ask for a handover."))
    if by.has_perm("cases.view_client", client):
        raise ValidationError(_("This client is already in your caseload."))
    if HandoverRequest.objects.filter(
        client=client, requested_by=by, status=HandoverRequest.Status.OPEN
    ).exists():
        raise ValidationError(_("You have already asked for this file."))
    handover = HandoverRequest.objects.create(client=client, requested_by=by)
    access_log_write(
        actor=by, action="handover", subject_id=client.pk, purpose="request", request=request
    )
    return handover


def break_glass_open(*, by, client: Client, reason: str, request=None) -> BreakGlassAccess:
    """Emergency read access to a file outside the caseload: a stated reason, time-limited."""
    if not by.has_role("social_worker"):
        raise PermissionDenied(_("Only social workers may use emergency access."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(_("Describe the emergency in at least a few words."))
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassAccess(
            client=client,
            user=by,
            reason=reason,
            started_at=now,
            expires_at=now + timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        _record(
            grant,
            by=by,
            reason="break_glass_open",
            subject_id=client.pk,
            purpose="opened",
            action="break_glass",
            request=request,
        )
    return grant


def break_glass_review(*, by, grant: BreakGlassAccess, request=None) -> BreakGlassAccess:
    """A manager of the worker's organisation marks an emergency access as reviewed."""
    if not by.has_role("manager") or grant.user.organisation_id != by.organisation_id:
        raise PermissionDenied(_("Only a manager of the worker's organisation reviews this."))
    grant.reviewed_at = timezone.now()
    grant.reviewed_by = by
    grant._change_reason = "break_glass_review"
    grant.save()
    return grant


def note_add(
    *,
    by,
    client: Client,
    kind: str,
    noted_on,
    text: str,
    is_important: bool = False,
    is_sensitive: bool = False,
    request=None,
) -> CaseNote:
    """Add a case note, encrypted under the client's key."""
    _may_change(by, client)
    with transaction.atomic():
        note = CaseNote(
            client=client,
            kind=kind,
            noted_on=noted_on,
            text=text,
            is_important=is_important,
            is_sensitive=is_sensitive,
            author=by,
        )
        _record(
            note, by=by, reason="note_add", subject_id=client.pk, purpose="note", request=request
        )
    return note


def note_edit(*, by, note: CaseNote, request=None, **changes) -> CaseNote:
    """Change a note; its earlier text stays in the history."""
    _may_change(by, note.client)
    with transaction.atomic():
        for name in ("kind", "noted_on", "text", "is_important", "is_sensitive"):
            if name in changes:
                setattr(note, name, changes[name])
        _record(
            note,
            by=by,
            reason="note_edit",
            subject_id=note.client_id,
            purpose="note",
            request=request,
        )
    return note


def case_close(*, by, client: Client, outcome: str, request=None) -> CaseEpisode:
    """Close the client's open case episode with an outcome; the record stays whole."""
    _may_change(by, client)
    if outcome not in CaseEpisode.Outcome.values:
        raise ValidationError(_("Choose an outcome."))
    with transaction.atomic():
        episode = (
            CaseEpisode.objects.select_for_update()
            .filter(client=client, closed_on__isnull=True)
            .first()
        )
        if episode is None and client.closed_on is not None:
            raise ValidationError(_("This case is already closed."))
        if episode is None:
            # A record from before episodes were kept: its open span began at registration.
            episode = CaseEpisode(client=client, opened_on=client.registered_on)
        episode.closed_on = timezone.localdate()
        episode.closed_by = by
        episode.outcome = outcome
        episode._change_reason = "case_close"
        episode.save()
        client.closed_on = episode.closed_on
        client._change_reason = "case_close"
        client.save()
        access_log_write(
            actor=by, action="update", subject_id=client.pk, purpose="close", request=request
        )
    return episode


def case_reopen(*, by, client: Client, request=None) -> CaseEpisode:
    """Reopen a closed case: a new episode of the same, continuous client record."""
    _may_change(by, client)
    with transaction.atomic():
        if CaseEpisode.objects.filter(client=client, closed_on__isnull=True).exists():
            raise ValidationError(_("This case is open."))
        episode = CaseEpisode.objects.create(
            client=client, opened_on=timezone.localdate(), opened_by=by
        )
        client.closed_on = None
        client._change_reason = "case_reopen"
        client.save()
        access_log_write(
            actor=by, action="update", subject_id=client.pk, purpose="reopen", request=request
        )
    return episode


def consent_holds(*, client_id, purposes, partner_id, on=None) -> bool:
    """Whether a consent for one of `purposes` with this partner is in force on the day."""
    from cases.models import Consent

    day = on or timezone.localdate()
    return (
        Consent.objects.filter(
            client_id=client_id, purpose__in=purposes, partner_id=partner_id, given_on__lte=day
        )
        .filter(models_Q(withdrawn_on__isnull=True) | models_Q(withdrawn_on__gt=day))
        .exists()
    )


def consent_record(
    *,
    by,
    client: Client,
    purpose,
    legal_basis,
    given_on,
    partner=None,
    signed_form=None,
    request=None,
):
    """Record a consent the client gave (with its signed form, when there is one)."""
    from cases.models import Consent

    _may_change(by, client)
    if signed_form is not None and signed_form.client_id != client.pk:
        raise ValidationError(_("The signed form must be one of this client's documents."))
    with transaction.atomic():
        consent = Consent(
            client=client,
            purpose=purpose,
            legal_basis=legal_basis,
            given_on=given_on,
            partner=partner,
            signed_form=signed_form,
            recorded_by=by,
        )
        _record(
            consent,
            by=by,
            reason="consent_record",
            subject_id=client.pk,
            purpose="consent",
            request=request,
        )
    return consent


def consent_withdraw(*, by, consent, request=None):
    """Withdraw a consent today: sharing that relied on it stops with this request."""
    _may_change(by, consent.client)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent has already been withdrawn."))
    with transaction.atomic():
        consent.withdrawn_on = timezone.localdate()
        consent._change_reason = "consent_withdraw"
        consent.save()
        access_log_write(
            actor=by,
            action="update",
            subject_id=consent.client_id,
            purpose="consent withdrawn",
            request=request,
        )
    return consent


REFERRAL_CONSENTS = ("referral", "share_partner")


def referral_send(*, by, client: Client, partner, service: str, summary: str, request=None):
    """Refer a client to a partner's service; refused without the client's consent."""
    from cases.models import Referral

    _may_change(by, client)
    if not consent_holds(client_id=client.pk, purposes=REFERRAL_CONSENTS, partner_id=partner.pk):
        raise ValidationError(
            _("The client has not consented to sharing with this partner: record consent first.")
        )
    with transaction.atomic():
        referral = Referral(
            client=client,
            partner=partner,
            service=service,
            summary=summary,
            sent_on=timezone.localdate(),
            created_by=by,
        )
        _record(
            referral,
            by=by,
            reason="referral_send",
            subject_id=client.pk,
            purpose=f"referral to organisation {partner.pk}",
            action="export",
            request=request,
        )
    return referral


def referral_decide(*, by, referral, status: str, reason: str = "", request=None):
    """The partner accepts, declines (with a reason) or completes a referral sent to them."""
    from cases.models import Referral

    if not by.has_role("partner") or by.organisation_id != referral.partner_id:
        raise PermissionDenied(_("Only the partner this referral was sent to decides on it."))
    allowed = {
        Referral.Status.SENT: {Referral.Status.ACCEPTED, Referral.Status.DECLINED},
        Referral.Status.ACCEPTED: {Referral.Status.COMPLETED, Referral.Status.DECLINED},
    }
    if status not in allowed.get(referral.status, set()):
        raise ValidationError(_("This referral cannot change that way."))
    if status == Referral.Status.DECLINED and len(reason.strip()) < 3:
        raise ValidationError(_("Give a reason for declining."))
    with transaction.atomic():
        referral.status = status
        if status == Referral.Status.COMPLETED:
            referral.completed_on = timezone.localdate()
        else:
            referral.decided_on = timezone.localdate()
        if status == Referral.Status.DECLINED:
            referral.decline_reason = reason.strip()
        referral._change_reason = f"referral_{status}"
        referral.save()
        access_log_write(
            actor=by,
            action="update",
            subject_id=referral.client_id,
            purpose="referral decision",
            request=request,
        )
    return referral


def document_upload(*, by, client: Client, kind: str, title: str, content: bytes, request=None):
    """Store a scan encrypted under the client's key; the type is checked by content, not name."""
    from cases.models import Document
    from privacy.files import file_store

    _may_change(by, client)
    content_type = sniff_document_type(content)
    if content_type is None:
        raise ValidationError(_("Only PDF, JPEG and PNG files can be uploaded."))
    if len(content) > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).")
            % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)}
        )
    with transaction.atomic():
        stored = file_store(
            subject=client.subject, content=content, label="document", content_type=content_type
        )
        document = Document(client=client, kind=kind, title=title, file=stored, uploaded_by=by)
        _record(
            document,
            by=by,
            reason="document_upload",
            subject_id=client.pk,
            purpose="document",
            request=request,
        )
    return document


def sniff_document_type(content: bytes) -> str | None:
    """The MIME type told by the file's first bytes (its magic number), or None."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def assessment_record(
    *, by, client: Client, kind: str, assessed_on, scores: dict, notes: dict, request=None
):
    """Record an assessment: scores 1-5 per life domain (sealed with the notes)."""
    from cases.models import ASSESSMENT_DOMAINS, Assessment

    _may_change(by, client)
    domains = {code for code, _label in ASSESSMENT_DOMAINS}
    if not scores or set(scores) - domains or any(s not in range(1, 6) for s in scores.values()):
        raise ValidationError(_("Scores go from 1 (in crisis) to 5 (thriving)."))
    with transaction.atomic():
        assessment = Assessment(
            client=client, kind=kind, assessed_on=assessed_on, scores=scores, notes=notes, author=by
        )
        _record(
            assessment,
            by=by,
            reason="assessment_record",
            subject_id=client.pk,
            purpose="assessment",
            request=request,
        )
    return assessment


def household_member_add(
    *,
    by,
    client: Client,
    first_name: str,
    surname: str = "",
    birth_date=None,
    relationship: str,
    sex: str = "not_known",
    request=None,
):
    """Add a member (e.g. a child) to the client's household; each member has their own key."""
    from cases.models import Household, HouseholdMember

    _may_change(by, client)
    with transaction.atomic():
        household, _created = Household.objects.get_or_create(head=client)
        subject = vault.subject_create(kind="household_member")
        member = HouseholdMember(
            subject=subject,
            household=household,
            first_name=first_name,
            surname=surname,
            birth_date=birth_date,
            relationship=relationship,
            sex=sex,
        )
        _record(
            member,
            by=by,
            reason="household_member_add",
            subject_id=client.pk,
            purpose="household",
            request=request,
        )
        access_log_write(
            actor=by,
            action="create",
            subject_id=subject.pk,
            purpose="household member",
            request=request,
        )
    return member


def do_not_disclose_add(
    *, by, client: Client, person_name: str, other_client=None, note: str = "", request=None
):
    """Record someone the client's presence must never be disclosed to."""
    from cases.models import DoNotDisclose

    _may_change(by, client)
    if other_client is not None and other_client.pk == client.pk:
        raise ValidationError(_("A client cannot be on their own do-not-disclose list."))
    with transaction.atomic():
        entry = DoNotDisclose(
            client=client,
            person_name=person_name,
            other_client=other_client,
            note=note,
            created_by=by,
        )
        _record(
            entry,
            by=by,
            reason="do_not_disclose_add",
            subject_id=client.pk,
            purpose="do not disclose",
            request=request,
        )
    return entry
