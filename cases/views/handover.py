"""Who holds a file: asking for a handover (and seeing the decision), emergency access, and
the manager's side (the queue of requests for their organisation's files, emergency accesses
to review, plans to approve, assigning files to workers and teams)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from cases import access, assigning, selectors, services
from cases.forms import AssignForm, AssignmentFilterForm, BreakGlassForm, HandoverRequestForm
from cases.models import HandoverRequest
from cases.views.common import error_text
from privacy import vault

Action = AccessLogEntry.Action


@role_required(Role.SOCIAL_WORKER)
def handover_ask(request, client_id):
    """Ask for a file held by someone else, with a reason; the holder's organisation decides."""
    client = access.get_client_known_to(
        request.user, client_id, action=Action.HANDOVER, request=request
    )
    form = HandoverRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.handover_request(
                by=request.user, client=client, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(
                request,
                _("Your request has gone to the manager of the organisation holding the file."),
            )
            return redirect("cases:handover-requests")
    # The page names the organisation whose manager will decide (not the person asked about).
    holder = selectors.current_holders([client.pk]).get(client.pk)
    return render(
        request,
        "cases/handover_ask.html",
        {
            "form": form,
            "client_id": client.pk,
            "organisation": holder.worker.organisation if holder else None,
        },
    )


@require_GET
@role_required(Role.SOCIAL_WORKER)
def handover_requests(request):
    """The worker's own handover requests, newest first, with the decision when made."""
    rows = list(
        HandoverRequest.objects.asked_by(request.user)
        .select_related("decided_by__organisation")
        .order_by("-requested_at", "-pk")
    )
    # The reasons the worker wrote, sealed under each client's key: one query for the keys.
    vault.prefetch(row.client_id for row in rows)
    caseload = access.readable_among(request.user, [row.client_id for row in rows])
    # The worker's own statements: one row for the page, as the caseload writes.
    access_log_write(
        actor=request.user, action=Action.VIEW, purpose=Purpose.HANDOVER_REQUESTS, request=request
    )
    return render(
        request,
        "cases/handover_requests.html",
        {"rows": [{"request": row, "open": row.client_id in caseload} for row in rows]},
    )


@role_required(Role.SOCIAL_WORKER)
def break_glass(request, client_id):
    """Open a file outside the caseload in an emergency: a reason and the worker's password.

    A person hiding from someone the worker reaches is refused as if missing (and logged).
    """
    client = access.get_client_known_to(
        request.user, client_id, action=Action.BREAK_GLASS, request=request
    )
    form = BreakGlassForm(request.POST or None, actor=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            services.break_glass_open(
                by=request.user, client=client, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            return redirect("cases:client-detail", client_id=client.pk)
    return render(request, "cases/break_glass.html", {"form": form, "client_id": client.pk})


@require_GET
@role_required(Role.MANAGER)
def assignments(request):
    """A manager's queue: handover requests for their organisation's files, their workers'
    emergency accesses to review, and plans to approve."""
    handovers = list(
        access.handovers_to_decide(request.user)
        .select_related("requested_by__organisation", "client")
        .order_by("requested_at", "pk")
    )
    holders = selectors.current_holders(r.client_id for r in handovers)
    grants = list(
        access.grants_to_review(request.user).select_related("user").order_by("started_at")
    )
    # Names and reasons are sealed under each client's key: their keys in one query.
    vault.prefetch([r.client_id for r in handovers] + [g.client_id for g in grants])
    # One row for the page (names of the organisation's clients and the reasons given).
    access_log_write(
        actor=request.user, action=Action.VIEW, purpose=Purpose.HANDOVER_QUEUE, request=request
    )
    return render(
        request,
        "cases/assignments.html",
        {
            "rows": [{"request": r, "holder": holders.get(r.client_id)} for r in handovers],
            "grants": grants,
            "plans": access.plans_to_approve(request.user),
        },
    )


@require_POST
@role_required(Role.MANAGER)
def handover_accept(request, request_id):
    handover = access.get_handover_to_decide(request.user, request_id)
    try:
        services.handover_accept(by=request.user, handover=handover, request=request)
        messages.success(request, _("The file has been handed over."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return redirect("cases:assignments")


@require_POST
@role_required(Role.MANAGER)
def handover_refuse(request, request_id):
    handover = access.get_handover_to_decide(request.user, request_id)
    try:
        services.handover_refuse(by=request.user, handover=handover, request=request)
        messages.info(request, _("The request has been refused."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return redirect("cases:assignments")


@require_POST
@role_required(Role.MANAGER)
def break_glass_reviewed(request, grant_id):
    grant = access.get_grant_to_review(request.user, grant_id)
    services.break_glass_review(by=request.user, grant=grant, request=request)
    messages.success(request, _("Marked as reviewed."))
    return redirect("cases:assignments")


@role_required(Role.MANAGER)
def assign(request, client_id):
    """Assign (or hand over) a client held in the manager's organisation to one of its workers.

    A manager reaches only the files held in their own organisation (the rule book's
    "organisation" way); a file nobody holds is no manager's to take.
    """
    client = access.get_client_held_in_organisation(request.user, client_id, request=request)
    holder = selectors.current_holders([client.pk]).get(client.pk)
    form = AssignForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_handover(
                by=request.user,
                client=client,
                to_worker=form.cleaned_data["worker"],
                team=form.cleaned_data["team"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The file has been handed over."))
            return redirect("cases:assignment-list")
    return render(
        request,
        "cases/assign.html",
        {"form": form, "holder": holder, "client": client, "client_id": client.pk},
    )


@require_GET
@role_required(Role.MANAGER)
def assignment_list(request):
    """The clients held in the manager's organisation, each linked to its assign page.

    Names, holders, teams and dates only: no file content. One access-log row for the page.
    """
    form = AssignmentFilterForm(request.GET or None, manager=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = assigning.held_in_organisation(
        request.user, worker=filters.get("worker"), team=filters.get("team")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page.object_list = assigning.with_names(page.object_list)
    access_log_write(
        actor=request.user, action=Action.VIEW, purpose=Purpose.ASSIGNMENTS, request=request
    )
    return render(request, "cases/assignment_list.html", {"form": form, "page": page})
