"""Who holds a file: assigning, handovers (asked, accepted, refused) and emergency access."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.access import team_has_member
from accounts.models import Team, User
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.record import record, save_with_history
from audit.services import access_log_write
from cases.access import decides_for_holder, hidden_from, in_caseload
from cases.models import Assignment, BreakGlassAccess, Client, HandoverRequest

Action = AccessLogEntry.Action
Outcome = AccessLogEntry.Outcome

CASELOAD_PERMISSIONS = ("cases.view_client", "cases.change_client")
# The shortest reason a handover request or an emergency access may give.
REASON_MIN_LENGTH = 10


def assignment_start(*, client: Client, worker, by, team=None) -> Assignment:
    """End the current assignment (revoking its holder's access) and start a new one.

    `team` is the team's auth group (or None). The grants are guardian's per-client rows the
    rule book's ways "holder" and "team" read.
    """
    # Atomic on its own too, so the old holder never keeps access if the new grant fails.
    with transaction.atomic():
        # The worker's account locked and read again: someone being deactivated (their files
        # handed over in that transaction) gets no new file that would be left without a holder.
        if not User.objects.select_for_update().filter(pk=worker.pk, is_active=True).exists():
            raise ValidationError(_("Clients can be assigned only to active social workers."))
        now = timezone.now()
        current = Assignment.objects.select_for_update().current().filter(client=client).first()
        if current is not None:
            current.ended_at = now
            save_with_history(current, by=by, reason="handover", validate=False)
            for permission in CASELOAD_PERMISSIONS:
                remove_perm(permission, current.worker, client)
                if current.team_id:
                    remove_perm(permission, current.team, client)
        assignment = save_with_history(
            Assignment(client=client, worker=worker, team=team, started_at=now, assigned_by=by),
            by=by,
            reason="assign",
        )
        for permission in CASELOAD_PERMISSIONS:
            assign_perm(permission, worker, client)
            if team is not None:
                assign_perm(permission, team, client)
        return assignment


def _check_worker(worker) -> None:
    if not worker.is_active or not worker.has_role(Role.SOCIAL_WORKER):
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
    """A manager of the organisation holding the file gives it to one of its workers (and
    optionally a team), in one transaction.

    The old holder and the old team lose access at once. A file moves to another organisation
    only through a handover request that the holding organisation accepts (`handover_accept`).
    Reassigning the same worker with another team (or none) is a change too; the very same
    worker and team is refused.
    """
    # Only the holding organisation's manager moves a file, and only to their own workers.
    if not decides_for_holder(by, client.pk):
        raise PermissionDenied(_("Only a manager of the organisation holding the file assigns it."))
    if to_worker.organisation_id != by.organisation_id:
        raise PermissionDenied(_("Only a manager of the worker's organisation assigns clients."))
    _check_worker(to_worker)
    if team is not None:
        _check_team(by, team, to_worker)
    group = team.group if team is not None else None
    unchanged = (to_worker.pk, group.pk if group is not None else None)
    with transaction.atomic():
        current = Assignment.objects.current().filter(client=client).first()
        if current is not None and (current.worker_id, current.team_id) == unchanged:
            raise ValidationError(_("This worker already holds the file."))
        assignment = assignment_start(client=client, worker=to_worker, by=by, team=group)
        # The new holder's own request, if they asked, is answered by this.
        asked = (
            HandoverRequest.objects.select_for_update()
            .open()
            .filter(client=client, requested_by=to_worker)
        )
        for handover in asked:
            _decide(handover, by=by, status=HandoverRequest.Status.DONE)
        access_log_write(
            actor=by,
            action=Action.HANDOVER,
            subject_id=client.pk,
            purpose=Purpose.HANDOVER,
            request=request,
        )
    return assignment


def handover_request(*, by, client: Client, reason: str, request=None) -> HandoverRequest:
    """A worker who found a client held elsewhere asks for the file, saying why.

    The manager of the organisation holding the file decides (`handover_accept`,
    `handover_refuse`); the reason is encrypted under the client's key, as it may name them.
    """
    if not by.has_role(Role.SOCIAL_WORKER):
        raise PermissionDenied(_("Only social workers ask for a handover."))
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(_("Say in a few words why you need the file."), code="reason")
    # Someone hiding from a person this worker reaches is not to be asked for either.
    if hidden_from(by, [client.pk]):
        access_log_write(
            actor=by,
            action=Action.HANDOVER,
            subject_id=client.pk,
            purpose=Purpose.HANDOVER_REQUEST,
            outcome=Outcome.DENIED,
            request=request,
        )
        raise PermissionDenied
    if in_caseload(by, client.pk):
        raise ValidationError(_("This client is already in your caseload."), code="own")
    with transaction.atomic():
        if HandoverRequest.objects.open().filter(client=client, requested_by=by).exists():
            raise ValidationError(_("You have already asked for this file."), code="duplicate")
        if not Assignment.objects.current().filter(client=client).exists():
            raise ValidationError(
                _("Nobody holds this file, so nobody can hand it over: ask your manager."),
                code="unheld",
            )
        handover = record(
            HandoverRequest(client=client, requested_by=by, reason=reason),
            by=by,
            reason="handover_request",
            subject_id=client.pk,
            action=Action.HANDOVER,
            purpose=Purpose.HANDOVER_REQUEST,
            request=request,
        )
    return handover


def _decide(handover: HandoverRequest, *, by, status: str) -> HandoverRequest:
    handover.status = status
    handover.decided_by = by
    handover.decided_at = timezone.now()
    reason = "handover_accept" if status == HandoverRequest.Status.DONE else "handover_refuse"
    return save_with_history(handover, by=by, reason=reason)


def _open_for_decision(*, by, handover: HandoverRequest) -> HandoverRequest:
    """The request, locked and still open, if `by` decides for the organisation holding the
    file now; refused otherwise (the requester's own manager is not enough)."""
    if not decides_for_holder(by, handover.client_id):
        raise PermissionDenied(
            _("Only a manager of the organisation holding the file decides this request.")
        )
    locked = HandoverRequest.objects.select_for_update().get(pk=handover.pk)
    if locked.status != HandoverRequest.Status.OPEN:
        raise ValidationError(_("This request has already been decided."), code="decided")
    return locked


def handover_accept(*, by, handover: HandoverRequest, request=None) -> Assignment:
    """The holding organisation's manager hands the file over to the worker who asked.

    The file may go to another organisation this way: its holder's organisation decided it.
    The old holder and team lose access at once; the requester sees the decision.
    """
    with transaction.atomic():
        handover = _open_for_decision(by=by, handover=handover)
        worker = handover.requested_by
        _check_worker(worker)
        assignment = assignment_start(client=handover.client, worker=worker, by=by)
        _decide(handover, by=by, status=HandoverRequest.Status.DONE)
        access_log_write(
            actor=by,
            action=Action.HANDOVER,
            subject_id=handover.client_id,
            purpose=Purpose.HANDOVER,
            request=request,
        )
    return assignment


def handover_refuse(*, by, handover: HandoverRequest, request=None) -> HandoverRequest:
    """The holding organisation's manager refuses a request: recorded (who, when, history) and
    logged; the requester sees the decision."""
    with transaction.atomic():
        handover = _open_for_decision(by=by, handover=handover)
        _decide(handover, by=by, status=HandoverRequest.Status.REFUSED)
        access_log_write(
            actor=by,
            action=Action.HANDOVER,
            subject_id=handover.client_id,
            purpose=Purpose.HANDOVER_REFUSE,
            request=request,
        )
    return handover


def break_glass_open(*, by, client: Client, reason: str, request=None) -> BreakGlassAccess:
    """Emergency read access to a file outside the caseload: a stated reason, time-limited.

    Refused (and logged as denied) when the file's do-not-disclose list names someone the
    worker reaches by any other way: an aggressor's worker never opens the victim's file.
    """
    if not by.has_role(Role.SOCIAL_WORKER):
        raise PermissionDenied(_("Only social workers may use emergency access."))
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(_("Describe the emergency in at least a few words."))
    if hidden_from(by, [client.pk]):
        access_log_write(
            actor=by,
            action=Action.BREAK_GLASS,
            subject_id=client.pk,
            purpose=Purpose.BREAK_GLASS_OPEN,
            outcome=Outcome.DENIED,
            request=request,
        )
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassAccess(
            client=client,
            user=by,
            reason=reason,
            started_at=now,
            expires_at=now + timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        record(
            grant,
            by=by,
            reason="break_glass_open",
            subject_id=client.pk,
            action=Action.BREAK_GLASS,
            purpose=Purpose.BREAK_GLASS_OPEN,
            request=request,
        )
    return grant


def break_glass_review(*, by, grant: BreakGlassAccess, request=None) -> BreakGlassAccess:
    """A manager of the worker's organisation marks an emergency access as reviewed."""
    if not by.has_role(Role.MANAGER) or grant.user.organisation_id != by.organisation_id:
        raise PermissionDenied(_("Only a manager of the worker's organisation reviews this."))
    with transaction.atomic():
        grant.reviewed_at = timezone.now()
        grant.reviewed_by = by
        record(
            grant,
            by=by,
            reason="break_glass_review",
            subject_id=grant.client_id,
            purpose=Purpose.BREAK_GLASS_REVIEW,
            request=request,
        )
    return grant
