"""What a change of position means for case files (accounts.positions).

Files are handed over before a social worker changes role or organisation: their caseload
permissions are granted to them, and a worker moved elsewhere would keep reading the old
organisation's clients. An emergency access (break-glass) came with the old position too: it
ends with it.
"""

from django.utils import timezone
from django.utils.translation import ngettext

from accounts import positions
from cases.models import BreakGlassAccess
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


positions.register("cases", holdings=files_holdings, revoke=break_glass_end)
