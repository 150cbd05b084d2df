"""What a change of position means for case files (accounts.positions).

Files are handed over before a social worker changes role or organisation: their caseload
permissions are granted to them, and a worker moved elsewhere would keep reading the old
organisation's clients. An emergency access (break-glass) came with the old position too: it
ends with it.
"""

from django.utils import timezone
from django.utils.translation import ngettext

from accounts import positions
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from cases.models import Assignment, BreakGlassAccess
from cases.selectors import files_held_by


def files_holdings(user) -> list[str]:
    """The files still assigned to `user`, as one sentence (no names), or nothing."""
    held = files_held_by(user)
    if not held:
        return []
    return [
        ngettext(
            "%(count)d file is still assigned to this person: hand it over in Assignments, "
            "Clients of the organisation.",
            "%(count)d files are still assigned to this person: hand them over in "
            "Assignments, Clients of the organisation.",
            held,
        )
        % {"count": held}
    ]


def files_hand_over(user, *, to, team, by, request=None) -> int:
    """Give every file `user` holds to `to` (with the team group `team`, or none); how many.

    Each file through assignment_start (the old holder's access revoked, the new one's granted,
    both assignments in the history) and an access-log row of the handover, as a manager's
    one-by-one handover writes. Inside the deactivation's transaction.
    """
    from audit.services import access_log_write
    from cases.services.assignments import assignment_start

    held = (
        Assignment.objects.select_for_update()
        .current()
        .filter(worker=user)
        .select_related("client")
        .order_by("pk")
    )
    moved = 0
    for assignment in held:
        assignment_start(client=assignment.client, worker=to, by=by, team=team)
        access_log_write(
            actor=by,
            action=AccessLogEntry.Action.HANDOVER,
            subject_id=assignment.client_id,
            purpose=Purpose.HANDOVER,
            request=request,
        )
        moved += 1
    return moved


def break_glass_end(user) -> int:
    """End `user`'s unexpired emergency accesses now; how many were ended.

    The row stays (with its history), so the manager's review still sees it. An erased client's
    file opens for nobody, so its accesses are left as they are.
    """
    now = timezone.now()
    accesses = BreakGlassAccess.objects.filter(
        user=user, expires_at__gt=now, client__subject__erased_at__isnull=True
    )
    ended = 0
    for access in accesses:
        access.expires_at = now
        access._change_reason = "break_glass_end position"
        access.save(update_fields=["expires_at"])
        ended += 1
    return ended


positions.register(
    "cases", holdings=files_holdings, revoke=break_glass_end, hand_over=files_hand_over
)
