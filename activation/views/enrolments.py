"""A client's activation page (programmes, placements, follow-ups, the ladder), enrolment from
the file, an enrolment's page with its changes of status and its IPZS."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.reach import Part
from accounts.roles import Role
from activation import access as rules
from activation import ladder, services
from activation.forms_pathway import EnrolmentForm, EnrolmentStatusForm, PathwayStepForm
from activation.models import Cohort, Enrolment, FollowUp, Placement
from activation.views.common import activation_access, error_text, load_for_client
from audit.purposes import Purpose
from cases.pathway import pathway_recompute

PAGE_ROLES = (Role.SOCIAL_WORKER, Role.JOB_COACH)


def _enrolments(client):
    return Enrolment.objects.filter(client=client).select_related("programme", "cohort", "ipzs")


@role_required(*PAGE_ROLES)
def client_activation(request, client_id):
    """The file's activation: enrolments, placements with their follow-ups, and the ladder."""
    access = activation_access(request, client_id)
    client = access.client
    # The ladder is drawn from the stays too (night shelter, shelter, with their dates): only
    # for those who read the stays (the holder, the team), never a job coach (issue 11: a
    # coach sees no stays).
    shows_ladder = access.may_read(Part.STAY)
    # The ladder is derived on reading too: a night's stay is on it the next morning.
    steps = pathway_recompute(client=client) if shows_ladder else []
    placements = list(
        Placement.objects.filter(client=client).select_related("employer_organisation")
    )
    follow_ups = FollowUp.objects.filter(client=client).select_related("placement")
    return render(
        request,
        "activation/enrolments/client_activation.html",
        {
            "client": client,
            "access": access,
            "reads_file": access.may_read(Part.FILE),
            "can_write": access.may_change(Part.ACTIVATION),
            "enrolments": _enrolments(client),
            "placements": placements,
            "follow_ups": follow_ups,
            "today": timezone.localdate(),
            "shows_ladder": shows_ladder,
            "steps": steps,
            "picture": ladder.picture(steps) if shows_ladder else None,
            "step_form": PathwayStepForm(),
        },
    )


def _cohorts_offered(user):
    """The groups a user may enrol someone in: open groups of running programmes (a coach:
    their own groups)."""
    today = timezone.localdate()
    cohorts = Cohort.objects.filter(programme__is_active=True).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    if not user.has_role(Role.SOCIAL_WORKER):
        cohorts = cohorts.filter(pk__in=rules.cohorts_coached_by(user).values("pk"))
    return cohorts.select_related("programme").order_by("programme__name", "starts_on", "name")


@role_required(*PAGE_ROLES)
def enrolment_create(request, client_id):
    """Apply for a place in a group on the client's behalf (programme → group)."""
    writing = request.method == "POST"
    access = activation_access(request, client_id, write=writing, purpose=Purpose.ENROLMENT)
    form = EnrolmentForm(request.POST or None, cohorts=_cohorts_offered(request.user))
    if writing and form.is_valid():
        try:
            enrolment = services.enrolment_create(
                by=request.user,
                client=access.client,
                cohort=form.cleaned_data["cohort"],
                applied_on=form.cleaned_data["applied_on"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The application has been recorded."))
            return redirect("activation:enrolment-detail", enrolment_id=enrolment.pk)
    return render(
        request,
        "activation/enrolments/enrolment_form.html",
        {"client": access.client, "form": form},
    )


@role_required(*PAGE_ROLES)
def enrolment_detail(request, enrolment_id):
    """One enrolment: its dates and status, a change of status (POST), its IPZS."""
    writing = request.method == "POST"
    enrolment, access = load_for_client(
        Enrolment.objects.select_related("programme", "cohort", "ipzs"),
        enrolment_id,
        request,
        write=writing,
        purpose=Purpose.ENROLMENT,
    )
    # Only the changes this user may make (a social worker: dropping out; the programme: the rest).
    allowed = services.statuses_open_to(request.user, enrolment)
    form = EnrolmentStatusForm(request.POST or None, allowed=allowed)
    if writing and form.is_valid():
        try:
            services.enrolment_set_status(
                by=request.user, enrolment=enrolment, request=request, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            pathway_recompute(client=access.client, by=request.user)
            messages.success(request, _("The change has been saved."))
            return redirect("activation:enrolment-detail", enrolment_id=enrolment.pk)
    ipzs = enrolment.ipzs
    return render(
        request,
        "activation/enrolments/enrolment_detail.html",
        {
            "client": access.client,
            "enrolment": enrolment,
            "form": form if allowed else None,
            "ipzs": ipzs,
            "ipzs_goals": ipzs.goals.prefetch_related("steps") if ipzs else (),
            "reads_file": access.may_read(Part.FILE),
            "may_start_ipzs": enrolment.programme.is_cis
            and ipzs is None
            and access.may_change(Part.FILE),
            "suspensions": enrolment.suspensions.all(),
        },
    )


@require_POST
@role_required(Role.SOCIAL_WORKER)
def enrolment_ipzs(request, enrolment_id):
    """Start the CIS participant's IPZS: a draft plan of the file, linked to the enrolment."""
    enrolment, access = load_for_client(
        Enrolment.objects.select_related("programme"),
        enrolment_id,
        request,
        write=True,
        purpose=Purpose.PLAN,
    )
    try:
        plan = services.enrolment_ipzs_start(by=request.user, enrolment=enrolment, request=request)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
        return redirect("activation:enrolment-detail", enrolment_id=enrolment.pk)
    messages.success(request, _("The IPZS draft has been started: add its goals and steps."))
    return redirect("cases:plan-detail", client_id=access.client.pk, plan_id=plan.pk)
