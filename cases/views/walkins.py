"""New walk-ins: people registered at a facility's door, waiting for a social worker of the
facility's organisation to take the file and complete the intake."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from cases import access, services
from cases.views.common import error_text


@require_GET
@role_required(Role.SOCIAL_WORKER)
def walk_ins(request):
    """The organisation's walk-ins nobody has taken yet, oldest first; a row per person shown."""
    waiting = list(
        access.walk_ins_for(request.user)
        .select_related("client", "registered_by")
        .order_by("registered_at")
        .with_keys()
    )
    # The list names people the worker does not hold (yet): one row per person shown.
    for walk_in in waiting:
        access_log_write(
            actor=request.user,
            action=AccessLogEntry.Action.VIEW,
            subject_id=walk_in.client_id,
            purpose=Purpose.WALK_INS,
            request=request,
        )
    if not waiting:
        access_log_write(
            actor=request.user,
            action=AccessLogEntry.Action.VIEW,
            purpose=Purpose.WALK_INS,
            request=request,
        )
    return render(request, "cases/walk_ins.html", {"walk_ins": waiting})


@require_POST
@role_required(Role.SOCIAL_WORKER)
def walk_in_take(request, client_id):
    """Take the walk-in's file (become its holder), then complete the intake."""
    walk_in = access.get_walk_in_for_user(request.user, client_id)
    try:
        services.walk_in_take(by=request.user, client_id=walk_in.pk, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("cases:walk-ins")
    messages.success(request, _("The file is yours now: complete the intake."))
    return redirect("cases:client-edit", client_id=walk_in.pk)
