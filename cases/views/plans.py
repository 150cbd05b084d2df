"""Plans (IPWzB / social contract): the list, one plan's page and its seven actions, each a
POST to its own URL, the PDF, and the manager's approval."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.purposes import Purpose
from audit.services import access_log_write
from cases import services
from cases.access import get_client_access, get_plan_to_approve
from cases.forms import GoalForm, GoalStatusForm, PlanForm, ReviewForm, StepForm, StepStatusForm
from cases.models import Plan, PlanStep
from cases.plans import plan_pdf as render_plan_pdf
from cases.views.common import error_text, file_context


@role_required(Role.SOCIAL_WORKER)
def plans(request, client_id):
    writing = request.method == "POST"
    access = get_client_access(
        request.user, client_id, write=writing, request=request, purpose=Purpose.PLANS
    )
    client = access.client
    form = PlanForm(request.POST or None)
    if writing and form.is_valid():
        try:
            plan = services.plan_create(
                by=request.user, client=client, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("cases:plan-detail", client_id=client.pk, plan_id=plan.pk)
    items = client.plans.all()
    return render(request, "cases/plans.html", file_context(access, plans=items, form=form))


def _load(request, client_id, plan_id, *, write: bool):
    """The file (read, or written by the actions) and the plan within it; 404 for another's."""
    access = get_client_access(
        request.user, client_id, write=write, request=request, purpose=Purpose.PLAN
    )
    plan = get_object_or_404(Plan.objects.with_keys(), pk=plan_id, client=access.client)
    return access, plan


def _goal_rows(goals, *, tracking: bool, refused: dict):
    """Each goal with its status form and its steps with theirs (forms only where progress is
    recorded); a form the worker sent with an error comes back as they sent it."""
    rows = []
    for goal in goals:
        if not tracking:
            form = None
        elif ("goal", goal.pk) in refused:
            form = refused["goal", goal.pk]
        else:
            initial = {"status": goal.status, "outcome": goal.outcome}
            form = GoalStatusForm(initial=initial, auto_id=f"id_goal{goal.pk}_%s")
        steps = []
        for step in goal.steps.all():
            if not tracking:
                step_form = None
            elif ("step", step.pk) in refused:
                step_form = refused["step", step.pk]
            else:
                initial = {"status": step.status}
                step_form = StepStatusForm(initial=initial, auto_id=f"id_step{step.pk}_%s")
            steps.append((step, step_form))
        rows.append((goal, form, steps))
    return rows


def _page(request, access, plan, *, goal_form=None, step_form=None, review_form=None, refused=None):
    """The plan's page; a form sent with an error is shown again where it was."""
    goals = plan.goals.prefetch_related("steps__responsible").with_keys()
    tracking = access.can_write and services.progress_recordable(plan)
    reviews = plan.reviews.select_related("reviewed_by").with_keys()
    return render(
        request,
        "cases/plan_detail.html",
        file_context(
            access,
            plan=plan,
            goals=goals,
            goal_rows=_goal_rows(goals, tracking=tracking, refused=refused or {}),
            reviews=reviews,
            goal_form=goal_form or GoalForm(prefix="goal"),
            step_form=step_form or StepForm(prefix="step", plan=plan),
            review_form=review_form or ReviewForm(prefix="review"),
        ),
    )


def _back(plan):
    return redirect("cases:plan-detail", client_id=plan.client_id, plan_id=plan.pk)


@require_GET
@role_required(Role.SOCIAL_WORKER)
def plan_detail(request, client_id, plan_id):
    access, plan = _load(request, client_id, plan_id, write=False)
    return _page(request, access, plan)


@require_POST
@role_required(Role.SOCIAL_WORKER)
def plan_goal_add(request, client_id, plan_id):
    access, plan = _load(request, client_id, plan_id, write=True)
    form = GoalForm(request.POST, prefix="goal")
    if not form.is_valid():
        return _page(request, access, plan, goal_form=form)
    try:
        services.goal_add(by=request.user, plan=plan, request=request, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(plan)


@require_POST
@role_required(Role.SOCIAL_WORKER)
def plan_step_add(request, client_id, plan_id):
    access, plan = _load(request, client_id, plan_id, write=True)
    form = StepForm(request.POST, prefix="step", plan=plan)
    if not form.is_valid():
        return _page(request, access, plan, step_form=form)
    try:
        services.step_add(by=request.user, request=request, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(plan)


@require_POST
@role_required(Role.SOCIAL_WORKER)
def plan_review(request, client_id, plan_id):
    access, plan = _load(request, client_id, plan_id, write=True)
    form = ReviewForm(request.POST, prefix="review")
    if not form.is_valid():
        return _page(request, access, plan, review_form=form)
    try:
        services.plan_review(
            by=request.user, plan=plan, request=request, note=form.cleaned_data["note"]
        )
        messages.success(request, _("The review has been recorded."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(plan)


@require_POST
@role_required(Role.SOCIAL_WORKER)
def plan_goal_update(request, client_id, plan_id, goal_id):
    access, plan = _load(request, client_id, plan_id, write=True)
    # Looked up within this plan: an id of another plan's goal is a missing object.
    goal = get_object_or_404(plan.goals.with_keys(), pk=goal_id)
    form = GoalStatusForm(request.POST, auto_id=f"id_goal{goal.pk}_%s")
    if not form.is_valid():
        return _page(request, access, plan, refused={("goal", goal.pk): form})
    try:
        services.goal_update(by=request.user, goal=goal, request=request, **form.cleaned_data)
        messages.success(request, _("The goal has been updated."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(plan)


@require_POST
@role_required(Role.SOCIAL_WORKER)
def plan_step_update(request, client_id, plan_id, step_id):
    access, plan = _load(request, client_id, plan_id, write=True)
    step = get_object_or_404(
        PlanStep.objects.with_keys().select_related("goal__plan"), goal__plan=plan, pk=step_id
    )
    form = StepStatusForm(request.POST, auto_id=f"id_step{step.pk}_%s")
    if not form.is_valid():
        return _page(request, access, plan, refused={("step", step.pk): form})
    try:
        services.step_update(by=request.user, step=step, request=request, **form.cleaned_data)
        messages.success(request, _("The step has been updated."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(plan)


@require_POST
@role_required(Role.SOCIAL_WORKER)
def plan_submit(request, client_id, plan_id):
    _access, plan = _load(request, client_id, plan_id, write=True)
    try:
        services.plan_submit(by=request.user, plan=plan, request=request)
        messages.success(request, _("The plan has been finished."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(plan)


@require_POST
@role_required(Role.SOCIAL_WORKER)
def plan_new_version(request, client_id, plan_id):
    _access, plan = _load(request, client_id, plan_id, write=True)
    try:
        services.plan_new_version(by=request.user, plan=plan, request=request)
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(plan)


def _plan_pdf_response(plan):
    response = HttpResponse(render_plan_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="program-{plan.pk}-v{plan.version}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(Role.SOCIAL_WORKER)
def plan_pdf(request, client_id, plan_id):
    access = get_client_access(request.user, client_id, request=request, purpose=Purpose.PLAN_PDF)
    plan = get_object_or_404(Plan.objects.with_keys(), pk=plan_id, client=access.client)
    access_log_write(
        actor=request.user,
        action="print",
        subject_id=access.client.pk,
        purpose=Purpose.PLAN,
        request=request,
    )
    return _plan_pdf_response(plan)


@require_GET
@role_required(Role.MANAGER)
def plan_for_approval_pdf(request, plan_id):
    """The manager reads a plan waiting for their approval (and only such a plan)."""
    plan = get_plan_to_approve(request.user, plan_id)
    access_log_write(
        actor=request.user,
        action="print",
        subject_id=plan.client_id,
        purpose=Purpose.PLAN_APPROVAL,
        request=request,
    )
    return _plan_pdf_response(plan)


@require_POST
@role_required(Role.MANAGER)
def plan_approve(request, plan_id):
    plan = get_plan_to_approve(request.user, plan_id)
    try:
        services.plan_approve(by=request.user, plan=plan, request=request)
        messages.success(request, _("The plan has been approved."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return redirect("cases:assignments")
