"""Who saw this file: every access to the client in the last 12 months, for its holders."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from cases.access import get_client_access
from cases.views.common import file_context
from privacy.access_log import PAGE_SIZE, log_rows
from privacy.watch import who_saw as who_saw_entries


@require_GET
@role_required(Role.SOCIAL_WORKER)
def who_saw(request, client_id):
    """The holders (and their team) read who opened the file, how and when (12 months).

    Loaded as a read of the file (its own log row, purpose `who_saw`); an emergency reader
    sees the file but not this list (403, logged as refused).
    """
    access = get_client_access(request.user, client_id, request=request, purpose=Purpose.WHO_SAW)
    # Holders only: break-glass opens the file, not the list of who else did.
    if not access.holds:
        access_log_write(
            actor=request.user,
            action=AccessLogEntry.Action.VIEW,
            subject_id=access.client.pk,
            purpose=Purpose.WHO_SAW,
            outcome=AccessLogEntry.Outcome.DENIED,
            request=request,
        )
        raise PermissionDenied
    entries = who_saw_entries(access.client.pk)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = log_rows(page.object_list, with_people=False)
    return render(request, "cases/who_saw.html", file_context(access, rows=rows, page=page))
