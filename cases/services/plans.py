"""Individual plans (IPWzB / social contract): drafting, progress, reviews, approval, versions."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from audit.purposes import Purpose
from audit.record import record, save_with_history
from cases.access import require_change
from cases.models import Client, Plan, PlanGoal, PlanReview, PlanStep


def _editable(plan: Plan) -> None:
    if plan.status not in (Plan.Status.DRAFT,):
        raise ValidationError(_("Only a draft can be changed: start a new version first."))


def plan_create(
    *,
    by,
    client: Client,
    kind: str,
    starts_on: datetime.date,
    ends_on=None,
    situation: str = "",
    causes: str = "",
    review_every_days: int | None = None,
    requires_approval: bool = True,
    request=None,
) -> Plan:
    """Start a draft plan; its first review falls `review_every_days` after the start."""
    require_change(by, client.pk)
    every = review_every_days or settings.PLAN_REVIEW_DAYS
    if ends_on and ends_on < starts_on:
        raise ValidationError(_("A plan cannot end before it starts."))
    plan = Plan(
        client=client,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        situation=situation,
        causes=causes,
        review_every_days=every,
        next_review_on=starts_on + datetime.timedelta(days=every),
        requires_approval=requires_approval,
        created_by=by,
    )
    with transaction.atomic():
        record(
            plan,
            by=by,
            reason="plan_create",
            subject_id=client.pk,
            purpose=Purpose.PLAN,
            request=request,
        )
    return plan


def goal_add(*, by, plan: Plan, text: str, request=None) -> PlanGoal:
    """Add a goal to a draft."""
    require_change(by, plan.client_id)
    _editable(plan)
    with transaction.atomic():
        goal = PlanGoal(plan=plan, client_id=plan.client_id, text=text, position=plan.goals.count())
        record(
            goal,
            by=by,
            reason="goal_add",
            subject_id=plan.client_id,
            purpose=Purpose.PLAN,
            request=request,
        )
    return goal


def step_add(
    *, by, goal: PlanGoal, party: str, text: str, due_on=None, responsible=None, request=None
) -> PlanStep:
    """Add a step to a goal of a draft."""
    require_change(by, goal.client_id)
    _editable(goal.plan)
    step = PlanStep(
        goal=goal,
        client_id=goal.client_id,
        party=party,
        text=text,
        due_on=due_on,
        responsible=responsible,
    )
    with transaction.atomic():
        record(
            step,
            by=by,
            reason="step_add",
            subject_id=goal.client_id,
            purpose=Purpose.PLAN,
            request=request,
        )
    return step


def progress_recordable(plan: Plan) -> bool:
    """Whether goals' and steps' statuses may change: on a draft, or on a plan in force.

    A plan waiting for approval stays as it was sent to the manager, and a closed plan is a record.
    """
    return plan.status in (Plan.Status.DRAFT, Plan.Status.ACTIVE)


def _progress_recordable(plan: Plan) -> None:
    if not progress_recordable(plan):
        raise ValidationError(_("Progress is recorded only on a draft or on a plan in force."))


def goal_update(*, by, goal: PlanGoal, status: str, outcome: str = "", request=None) -> PlanGoal:
    """Set a goal's status and its outcome (what came of it, stored encrypted; may stay empty)."""
    require_change(by, goal.client_id)
    _progress_recordable(goal.plan)
    with transaction.atomic():
        goal.status = status
        goal.outcome = outcome
        record(
            goal,
            by=by,
            reason="goal_update",
            subject_id=goal.client_id,
            purpose=Purpose.PLAN,
            request=request,
        )
    return goal


def step_update(*, by, step: PlanStep, status: str, request=None) -> PlanStep:
    """Set a step's status (done, partly, not done, dropped, or open again)."""
    require_change(by, step.client_id)
    _progress_recordable(step.goal.plan)
    with transaction.atomic():
        step.status = status
        record(
            step,
            by=by,
            reason="step_update",
            subject_id=step.client_id,
            purpose=Purpose.PLAN,
            request=request,
        )
    return step


def plan_submit(*, by, plan: Plan, request=None) -> Plan:
    """Finish the draft: it waits for approval, or comes into force if none is required."""
    require_change(by, plan.client_id)
    _editable(plan)
    if not plan.goals.exists():
        raise ValidationError(_("A plan needs at least one goal."))
    with transaction.atomic():
        plan.status = (
            Plan.Status.AWAITING_APPROVAL if plan.requires_approval else Plan.Status.ACTIVE
        )
        record(
            plan,
            by=by,
            reason="plan_submit",
            subject_id=plan.client_id,
            purpose=Purpose.PLAN,
            request=request,
        )
    return plan


def plan_approve(*, by, plan: Plan, request=None) -> Plan:
    """The head of the centre (a manager of the author's organisation) approves the plan."""
    if not by.has_role(Role.MANAGER) or by.organisation_id != plan.created_by.organisation_id:
        raise PermissionDenied(_("Only a manager of the author's organisation approves this plan."))
    if plan.status != Plan.Status.AWAITING_APPROVAL:
        raise ValidationError(_("This plan is not waiting for approval."))
    with transaction.atomic():
        plan.status = Plan.Status.ACTIVE
        plan.approved_by = by
        plan.approved_at = timezone.now()
        record(
            plan,
            by=by,
            reason="plan_approve",
            subject_id=plan.client_id,
            purpose=Purpose.PLAN_APPROVAL,
            request=request,
        )
    return plan


def plan_review(*, by, plan: Plan, note: str, reviewed_on=None, request=None) -> PlanReview:
    """Record a review of a plan in force; the next one falls `review_every_days` later."""
    require_change(by, plan.client_id)
    if plan.status != Plan.Status.ACTIVE:
        raise ValidationError(_("Only a plan in force is reviewed."))
    day = reviewed_on or timezone.localdate()
    with transaction.atomic():
        review = save_with_history(
            PlanReview(
                plan=plan, client_id=plan.client_id, reviewed_on=day, note=note, reviewed_by=by
            ),
            by=by,
            reason="plan_review",
        )
        plan.next_review_on = day + datetime.timedelta(days=plan.review_every_days)
        record(
            plan,
            by=by,
            reason="plan_review",
            subject_id=plan.client_id,
            purpose=Purpose.PLAN_REVIEW,
            request=request,
        )
    return review


def plan_new_version(*, by, plan: Plan, request=None) -> Plan:
    """Reopen a plan in force as the next version's draft; the earlier version stays in history."""
    require_change(by, plan.client_id)
    if plan.status not in (Plan.Status.ACTIVE, Plan.Status.AWAITING_APPROVAL):
        raise ValidationError(_("Only a plan in force or awaiting approval gets a new version."))
    with transaction.atomic():
        plan.version += 1
        plan.status = Plan.Status.DRAFT
        plan.approved_by = None
        plan.approved_at = None
        record(
            plan,
            by=by,
            reason="plan_new_version",
            subject_id=plan.client_id,
            purpose=Purpose.PLAN,
            request=request,
        )
    return plan
