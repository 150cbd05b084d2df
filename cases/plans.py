"""Individual plans (IPWzB / social contract): writes, and the printable PDF for both signatures."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from audit.services import access_log_write
from cases.models import Client, Plan, PlanGoal, PlanReview, PlanStep
from cases.services import _may_change, _record
from config import pdf


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
    _may_change(by, client)
    every = review_every_days or settings.PLAN_REVIEW_DAYS
    if ends_on and ends_on < starts_on:
        raise ValidationError(_("A plan cannot end before it starts."))
    with transaction.atomic():
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
        _record(
            plan, by=by, reason="plan_create", subject_id=client.pk, purpose="plan", request=request
        )
    return plan


def goal_add(*, by, plan: Plan, text: str, request=None) -> PlanGoal:
    _may_change(by, plan.client)
    _editable(plan)
    goal = PlanGoal(plan=plan, client=plan.client, text=text, position=plan.goals.count())
    with transaction.atomic():
        _record(
            goal,
            by=by,
            reason="goal_add",
            subject_id=plan.client_id,
            purpose="plan",
            request=request,
        )
    return goal


def step_add(
    *, by, goal: PlanGoal, party: str, text: str, due_on=None, responsible=None, request=None
) -> PlanStep:
    _may_change(by, goal.client)
    _editable(goal.plan)
    step = PlanStep(
        goal=goal,
        client=goal.client,
        party=party,
        text=text,
        due_on=due_on,
        responsible=responsible,
    )
    with transaction.atomic():
        _record(
            step,
            by=by,
            reason="step_add",
            subject_id=goal.client_id,
            purpose="plan",
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
    _may_change(by, goal.client)
    _progress_recordable(goal.plan)
    with transaction.atomic():
        goal.status = status
        goal.outcome = outcome
        _record(
            goal,
            by=by,
            reason="goal_update",
            subject_id=goal.client_id,
            purpose="plan",
            request=request,
        )
    return goal


def step_update(*, by, step: PlanStep, status: str, request=None) -> PlanStep:
    """Set a step's status (done, partly, not done, dropped, or open again)."""
    _may_change(by, step.client)
    _progress_recordable(step.goal.plan)
    with transaction.atomic():
        step.status = status
        _record(
            step,
            by=by,
            reason="step_update",
            subject_id=step.client_id,
            purpose="plan",
            request=request,
        )
    return step


def plan_submit(*, by, plan: Plan, request=None) -> Plan:
    """Finish the draft: it waits for approval, or comes into force if none is required."""
    _may_change(by, plan.client)
    _editable(plan)
    if not plan.goals.exists():
        raise ValidationError(_("A plan needs at least one goal."))
    plan.status = Plan.Status.AWAITING_APPROVAL if plan.requires_approval else Plan.Status.ACTIVE
    plan._change_reason = "plan_submit"
    plan.save()
    access_log_write(
        actor=by, action="update", subject_id=plan.client_id, purpose="plan", request=request
    )
    return plan


def plan_approve(*, by, plan: Plan, request=None) -> Plan:
    """The head of the centre (a manager of the author's organisation) approves the plan."""
    if not by.has_role("manager") or by.organisation_id != plan.created_by.organisation_id:
        raise PermissionDenied(_("Only a manager of the author's organisation approves this plan."))
    if plan.status != Plan.Status.AWAITING_APPROVAL:
        raise ValidationError(_("This plan is not waiting for approval."))
    plan.status = Plan.Status.ACTIVE
    plan.approved_by = by
    plan.approved_at = timezone.now()
    plan._change_reason = "plan_approve"
    plan.save()
    access_log_write(
        actor=by,
        action="update",
        subject_id=plan.client_id,
        purpose="plan approval",
        request=request,
    )
    return plan


def plan_review(*, by, plan: Plan, note: str, reviewed_on=None, request=None) -> PlanReview:
    """Record a review of a plan in force; the next one falls `review_every_days` later."""
    _may_change(by, plan.client)
    if plan.status != Plan.Status.ACTIVE:
        raise ValidationError(_("Only a plan in force is reviewed."))
    day = reviewed_on or timezone.localdate()
    with transaction.atomic():
        review = PlanReview(
            plan=plan, client=plan.client, reviewed_on=day, note=note, reviewed_by=by
        )
        review.full_clean()
        review._change_reason = "plan_review"
        review.save()
        plan.next_review_on = day + datetime.timedelta(days=plan.review_every_days)
        plan._change_reason = "plan_review"
        plan.save()
        access_log_write(
            actor=by,
            action="update",
            subject_id=plan.client_id,
            purpose="plan review",
            request=request,
        )
    return review


def plan_new_version(*, by, plan: Plan, request=None) -> Plan:
    """Reopen a plan in force as the next version's draft; the earlier version stays in history."""
    _may_change(by, plan.client)
    if plan.status not in (Plan.Status.ACTIVE, Plan.Status.AWAITING_APPROVAL):
        raise ValidationError(_("Only a plan in force or awaiting approval gets a new version."))
    plan.version += 1
    plan.status = Plan.Status.DRAFT
    plan.approved_by = None
    plan.approved_at = None
    plan._change_reason = "plan_new_version"
    plan.save()
    access_log_write(
        actor=by, action="update", subject_id=plan.client_id, purpose="plan", request=request
    )
    return plan


def plan_pdf(plan: Plan) -> bytes:
    """The plan as a PDF in Polish, with places for the client's and the worker's signatures."""
    client = plan.client

    title = plan.get_kind_display()
    story = [
        pdf.para(title, "title"),
        pdf.para(
            _("Client: %(name)s, born %(born)s")
            % {
                "name": client.full_name,
                "born": client.birth_date.strftime("%d.%m.%Y")
                if isinstance(client.birth_date, datetime.date)
                else "—",
            }
        ),
        pdf.para(
            _("Version %(version)s · from %(start)s to %(end)s · status: %(status)s")
            % {
                "version": plan.version,
                "start": plan.starts_on.strftime("%d.%m.%Y"),
                "end": plan.ends_on.strftime("%d.%m.%Y") if plan.ends_on else "—",
                "status": plan.get_status_display(),
            }
        ),
        Spacer(1, 4 * mm),
        pdf.para(_("Situation"), "h2"),
        pdf.para(plan.situation or "—"),
        pdf.para(_("Causes"), "h2"),
        pdf.para(plan.causes or "—"),
        pdf.para(_("Goals and steps"), "h2"),
    ]
    goals = plan.goals.prefetch_related("steps__responsible").with_keys()
    for number, goal in enumerate(goals, start=1):
        story.append(pdf.para(f"{number}. {goal.text}", "body"))
        story.append(pdf.para(_("Status: %(status)s") % {"status": goal.get_status_display()}))
        if goal.outcome:
            story.append(pdf.para(_("Outcome: %(outcome)s") % {"outcome": goal.outcome}))
        rows = [
            [
                pdf.para(_("Who acts"), "small"),
                pdf.para(_("Step"), "small"),
                pdf.para(_("Responsible"), "small"),
                pdf.para(_("Due"), "small"),
                pdf.para(_("Status"), "small"),
            ]
        ]
        for step in goal.steps.all():
            rows.append(
                [
                    pdf.para(step.get_party_display(), "small"),
                    pdf.para(step.text, "small"),
                    pdf.para(step.responsible or "—", "small"),
                    pdf.para(step.due_on.strftime("%d.%m.%Y") if step.due_on else "—", "small"),
                    pdf.para(step.get_status_display(), "small"),
                ]
            )
        table = Table(rows, colWidths=[28 * mm, 70 * mm, 34 * mm, 20 * mm, 22 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [table, Spacer(1, 3 * mm)]
    story += [
        pdf.para(
            _("Reviews every %(days)s days; next review: %(next)s")
            % {
                "days": plan.review_every_days,
                "next": plan.next_review_on.strftime("%d.%m.%Y") if plan.next_review_on else "—",
            }
        ),
        Spacer(1, 16 * mm),
    ]
    signatures = Table(
        [
            [
                pdf.para("....................................", "body"),
                pdf.para("....................................", "body"),
                pdf.para("....................................", "body"),
            ],
            [
                pdf.para(_("Client's signature"), "small"),
                pdf.para(_("Social worker's signature"), "small"),
                pdf.para(_("Approved by (head of the centre)"), "small"),
            ],
        ],
        colWidths=[58 * mm, 58 * mm, 58 * mm],
    )
    story.append(signatures)

    return pdf.build(story, title=str(title))
