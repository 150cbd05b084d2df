"""Placements (record one, end it), follow-ups (the list, answering one), and a partner's list
of the workers placed with it."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import reach
from accounts.access import role_required
from accounts.reach import Part
from accounts.roles import Role
from activation import services
from activation.forms_pathway import FollowUpForm, PlacementEndForm, PlacementForm
from activation.models import Enrolment, FollowUp, Placement
from activation.views.common import activation_access, error_text, load_for_client
from activation.ways import placements_shared_with
from audit.purposes import Purpose
from audit.services import access_log_write
from cases.pathway import pathway_recompute
from privacy import vault

PAGE_ROLES = (Role.SOCIAL_WORKER, Role.JOB_COACH)
# The follow-up list shows what falls due within this many days, and everything overdue.
DUE_SOON_DAYS = 14


@role_required(*PAGE_ROLES)
def placement_create(request, client_id):
    """Record a job or a training placement; its follow-ups at 3, 6, 12 months are scheduled."""
    writing = request.method == "POST"
    access = activation_access(request, client_id, write=writing, purpose=Purpose.PLACEMENT)
    client = access.client
    enrolments = Enrolment.objects.filter(client=client).select_related("programme")
    form = PlacementForm(request.POST or None, enrolments=enrolments)
    if writing and form.is_valid():
        data = form.cleaned_data
        try:
            services.placement_start(
                by=request.user, client=client, request=request, **_placement_args(data)
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            pathway_recompute(client=client, by=request.user)
            messages.success(request, _("The placement has been recorded."))
            return redirect("activation:client-activation", client_id=client.pk)
    return render(
        request, "activation/placements/placement_form.html", {"client": client, "form": form}
    )


def _placement_args(data: dict) -> dict:
    return {
        "kind": data["kind"],
        "started_on": data["started_on"],
        "contract_type": data["contract_type"],
        "wage_band": data["wage_band"],
        "employer_organisation": data["employer_organisation"],
        "employer_name": data["employer_name"],
        "employer_nip": data["employer_nip"],
        "hours_per_week": data["hours_per_week"],
        "enrolment": data["enrolment"],
    }


@role_required(*PAGE_ROLES)
def placement_end(request, placement_id):
    """Record a placement's last day and why it ended."""
    writing = request.method == "POST"
    placement, access = load_for_client(
        Placement.objects.select_related("employer_organisation"),
        placement_id,
        request,
        write=writing,
        purpose=Purpose.PLACEMENT,
    )
    form = PlacementEndForm(request.POST or None)
    if writing and form.is_valid():
        try:
            services.placement_end(
                by=request.user, placement=placement, request=request, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            pathway_recompute(client=access.client, by=request.user)
            messages.success(request, _("The end of the placement has been recorded."))
            return redirect("activation:client-activation", client_id=access.client.pk)
    return render(
        request,
        "activation/placements/placement_end.html",
        {"client": access.client, "placement": placement, "form": form},
    )


@role_required(*PAGE_ROLES)
def followup_answer(request, follow_up_id):
    """Answer a follow-up (or correct the answer): in work, not, or could not be reached."""
    writing = request.method == "POST"
    follow_up, access = load_for_client(
        FollowUp.objects.select_related("placement__employer_organisation"),
        follow_up_id,
        request,
        write=writing,
        purpose=Purpose.FOLLOW_UP,
    )
    initial = None
    if follow_up.is_answered:
        initial = {
            "answered_on": follow_up.answered_on,
            "answer": follow_up.answer,
            "hours_per_week": follow_up.hours_per_week,
            "housing": follow_up.housing,
            "note": follow_up.note,
        }
    form = FollowUpForm(request.POST or None, initial=initial)
    if writing and form.is_valid():
        try:
            services.followup_answer(
                by=request.user, follow_up=follow_up, request=request, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The answer has been saved."))
            return redirect("activation:client-activation", client_id=access.client.pk)
    return render(
        request,
        "activation/placements/followup_form.html",
        {"client": access.client, "follow_up": follow_up, "form": form},
    )


def follow_ups_due(user, today: datetime.date):
    """Unanswered follow-ups of the people the user follows (a coach's participants, a
    worker's caseload), overdue or due within DUE_SOON_DAYS, oldest first: one query."""
    followed = reach.person_ids(user, Part.ACTIVATION, write=True)
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return (
        FollowUp.objects.unanswered()
        .filter(client_id__in=followed, due_on__lte=soon)
        .select_related("client", "placement__employer_organisation")
        .order_by("due_on", "pk")
    )


@require_GET
@role_required(*PAGE_ROLES)
def follow_ups(request):
    """The follow-ups to ask: overdue first, then those due within two weeks."""
    today = timezone.localdate()
    rows = list(follow_ups_due(request.user, today))
    vault.prefetch([row.client_id for row in rows])
    # The list shows names: one row for the page (like the caseload), not one per name.
    access_log_write(actor=request.user, action="view", purpose=Purpose.FOLLOW_UP, request=request)
    return render(
        request,
        "activation/placements/followup_list.html",
        {"rows": rows, "today": today, "days": DUE_SOON_DAYS},
    )


@require_GET
@role_required(Role.PARTNER)
def partner_placements(request):
    """A partner's workers: only its own placements, only while consent to share holds."""
    placements = list(
        placements_shared_with(request.user.organisation_id)
        .select_related("client")
        .prefetch_related("follow_ups")
        .order_by("-started_on", "pk")
    )
    vault.prefetch([p.client_id for p in placements])
    access_log_write(
        actor=request.user, action="view", purpose=Purpose.PARTNER_PLACEMENTS, request=request
    )
    return render(
        request,
        "activation/placements/partner_placements.html",
        {"placements": placements, "today": timezone.localdate()},
    )
