"""Progress on a plan: a goal's status and outcome, a step's status, and who may change them."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessLogEntry
from cases import plans as plan_services
from cases import services
from cases.models import Plan, PlanGoal, PlanStep
from tests.factories import make_client

OUTCOME = "Zamieszkał w mieszkaniu treningowym na Wrzosowej"


@pytest.fixture
def person(social_worker):
    return make_client(first_name="Zdzisław", surname="Łęczycki", holder=social_worker)


def make_plan(by, client, *, goals=1, submit=True) -> Plan:
    """A plan with `goals` goals of one step each; in force unless `submit` is false."""
    plan = plan_services.plan_create(
        by=by, client=client, kind="ipwzb", starts_on=timezone.localdate(), requires_approval=False
    )
    for number in range(goals):
        goal = plan_services.goal_add(by=by, plan=plan, text=f"Mieszkanie treningowe {number}")
        plan_services.step_add(by=by, goal=goal, party="client", text="Wyrobić dowód osobisty")
    if submit:
        plan_services.plan_submit(by=by, plan=plan)
    return plan


@pytest.fixture
def plan(social_worker, person):
    return make_plan(social_worker, person)


def url(plan):
    return f"/clients/{plan.client_id}/plans/{plan.pk}/"


def goal_url(plan, goal_id):
    """Each action of the plan page is a POST to its own URL (no hidden "action" field)."""
    return f"{url(plan)}goals/{goal_id}/status/"


def step_url(plan, step_id):
    return f"{url(plan)}steps/{step_id}/status/"


def goal_status(status="achieved", outcome=OUTCOME):
    return {"status": status, "outcome": outcome}


def step_status(status="achieved"):
    return {"status": status}


def test_a_worker_marks_a_goal_achieved_and_its_outcome_is_stored_encrypted(
    client, social_worker, plan
):
    goal = plan.goals.get()
    client.force_login(social_worker)
    response = client.post(goal_url(plan, goal.pk), goal_status())
    assert response.status_code == 302
    goal = PlanGoal.objects.with_keys().get(pk=goal.pk)
    assert goal.status == "achieved" and goal.outcome == OUTCOME
    with connection.cursor() as cursor:
        cursor.execute("SELECT outcome FROM cases_plangoal")
        (raw,) = cursor.fetchone()
        cursor.execute("SELECT outcome FROM cases_historicalplangoal")
        raw_history = [bytes(row[0]) for row in cursor.fetchall()]
    assert b"Wrzosowej" not in bytes(raw)
    assert not any(b"Wrzosowej" in value for value in raw_history)
    assert OUTCOME in client.get(url(plan)).content.decode()


def test_a_goal_change_leaves_a_history_row_with_its_reason_and_an_access_log_row(
    client, social_worker, plan
):
    goal = plan.goals.get()
    client.force_login(social_worker)
    logged = AccessLogEntry.objects.count()
    client.post(goal_url(plan, goal.pk), goal_status(status="dropped", outcome="Zmiana planów"))
    latest = goal.history.first()
    assert latest.history_change_reason == "goal_update" and latest.status == "dropped"
    assert latest.history_user == social_worker
    assert AccessLogEntry.objects.filter(
        actor=social_worker, action="update", subject_id=plan.client_id, purpose="plan"
    ).exists()
    assert AccessLogEntry.objects.count() > logged


def test_the_outcome_may_stay_empty(client, social_worker, plan):
    goal = plan.goals.get()
    client.force_login(social_worker)
    assert (
        client.post(goal_url(plan, goal.pk), goal_status("partly", outcome="")).status_code == 302
    )
    goal = PlanGoal.objects.with_keys().get(pk=goal.pk)
    assert goal.status == "partly" and goal.outcome == ""


def test_a_worker_marks_a_step_done_and_history_keeps_the_reason(client, social_worker, plan):
    step = PlanStep.objects.get()
    client.force_login(social_worker)
    response = client.post(step_url(plan, step.pk), step_status())
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == "achieved"
    assert step.history.first().history_change_reason == "step_update"


def test_progress_is_recorded_on_a_draft_too(social_worker, person):
    draft = make_plan(social_worker, person, submit=False)
    goal = draft.goals.get()
    plan_services.goal_update(by=social_worker, goal=goal, status="dropped", outcome="")
    plan_services.step_update(by=social_worker, step=goal.steps.get(), status="dropped")
    assert PlanGoal.objects.get().status == "dropped" and PlanStep.objects.get().status == "dropped"


def test_a_plan_awaiting_approval_or_closed_keeps_its_statuses(client, social_worker, person):
    plan = plan_services.plan_create(
        by=social_worker, client=person, kind="ipwzb", starts_on=timezone.localdate()
    )
    goal = plan_services.goal_add(by=social_worker, plan=plan, text="Cel")
    step = plan_services.step_add(by=social_worker, goal=goal, party="worker", text="Krok")
    plan_services.plan_submit(by=social_worker, plan=plan)
    assert plan.status == "awaiting_approval"
    client.force_login(social_worker)
    assert "/status/" not in client.get(url(plan)).content.decode()
    assert client.post(goal_url(plan, goal.pk), goal_status()).status_code == 302
    assert client.post(step_url(plan, step.pk), step_status()).status_code == 302
    Plan.objects.filter(pk=plan.pk).update(status="closed")
    plan.refresh_from_db()
    with pytest.raises(ValidationError):
        plan_services.goal_update(by=social_worker, goal=goal, status="achieved", outcome="")
    with pytest.raises(ValidationError):
        plan_services.step_update(by=social_worker, step=step, status="achieved")
    goal.refresh_from_db()
    step.refresh_from_db()
    assert goal.status == "open" and step.status == "open"
    assert not goal.history.filter(history_change_reason="goal_update").exists()


def test_a_forged_goal_or_step_of_another_clients_plan_is_not_found_and_unchanged(
    client, social_worker, plan
):
    # The other client is in the same caseload: the worker may write there, but not through
    # this plan's page.
    other = make_client(first_name="Anna", surname="Kowalska", holder=social_worker)
    other_plan = make_plan(social_worker, other)
    other_goal = other_plan.goals.get()
    other_step = other_goal.steps.get()
    client.force_login(social_worker)
    assert client.post(goal_url(plan, other_goal.pk), goal_status()).status_code == 404
    assert client.post(step_url(plan, other_step.pk), step_status()).status_code == 404
    other_goal.refresh_from_db()
    other_step.refresh_from_db()
    assert other_goal.status == "open" and other_step.status == "open"


@pytest.mark.parametrize("forged", ["", "abc", "999999", "1.5", "9" * 30])
def test_a_missing_or_malformed_id_is_not_found(client, social_worker, plan, forged):
    client.force_login(social_worker)
    response = client.post(f"{url(plan)}goals/{forged}/status/", {"status": "open"})
    assert response.status_code == 404
    response = client.post(f"{url(plan)}steps/{forged}/status/", {"status": "open"})
    assert response.status_code == 404


def test_another_worker_does_not_find_the_plan(client, other_social_worker, plan):
    goal = plan.goals.get()
    client.force_login(other_social_worker)
    assert client.post(goal_url(plan, goal.pk), goal_status()).status_code == 404
    goal.refresh_from_db()
    assert goal.status == "open"


def test_other_roles_are_refused(client, shelter_staff, manager, partner_user, job_coach, plan):
    goal = plan.goals.get()
    step = goal.steps.get()
    for user in (shelter_staff, manager, partner_user, job_coach):
        client.force_login(user)
        assert client.post(goal_url(plan, goal.pk), goal_status()).status_code == 403
        assert client.post(step_url(plan, step.pk), step_status()).status_code == 403
    goal.refresh_from_db()
    step.refresh_from_db()
    assert goal.status == "open" and step.status == "open"


def test_anonymous_is_sent_to_the_login_page(client, plan):
    goal = plan.goals.get()
    response = client.post(goal_url(plan, goal.pk), goal_status())
    assert response.status_code == 302 and "/login/" in response.url
    goal.refresh_from_db()
    assert goal.status == "open"


def test_a_break_glass_reader_sees_no_forms_and_is_refused(
    client, other_social_worker, person, plan
):
    services.break_glass_open(by=other_social_worker, client=person, reason="Kryzys w nocy, pilne")
    goal = plan.goals.get()
    step = goal.steps.get()
    client.force_login(other_social_worker)
    html = client.get(url(plan)).content.decode()
    assert "/status/" not in html
    assert client.post(goal_url(plan, goal.pk), goal_status()).status_code == 403
    assert client.post(step_url(plan, step.pk), step_status()).status_code == 403
    goal.refresh_from_db()
    step.refresh_from_db()
    assert goal.status == "open" and step.status == "open"


def test_an_unknown_status_gives_the_page_back_with_an_error_and_changes_nothing(
    client, social_worker, plan
):
    goal = plan.goals.get()
    step = goal.steps.get()
    client.force_login(social_worker)
    client.cookies["django_language"] = "en"
    response = client.post(goal_url(plan, goal.pk), goal_status(status="done_by_magic"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.post(step_url(plan, step.pk), step_status(status="done_by_magic"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    goal.refresh_from_db()
    step.refresh_from_db()
    assert goal.status == "open" and step.status == "open"
    assert not goal.history.filter(history_change_reason="goal_update").exists()
    assert not step.history.filter(history_change_reason="step_update").exists()


def test_a_too_long_outcome_gives_the_form_back_and_changes_nothing(client, social_worker, plan):
    goal = plan.goals.get()
    client.force_login(social_worker)
    client.cookies["django_language"] = "en"
    response = client.post(goal_url(plan, goal.pk), goal_status(outcome="x" * 2001))
    assert response.status_code == 200
    html = response.content.decode()
    assert "at most 2000 characters" in html
    # The form comes back open, with what the worker wrote.
    assert "<details open>" in html and "x" * 2001 in html
    goal = PlanGoal.objects.with_keys().get(pk=goal.pk)
    assert goal.status == "open" and goal.outcome == ""


def test_the_service_refuses_a_worker_without_the_file(other_social_worker, plan):
    goal = plan.goals.get()
    with pytest.raises(PermissionDenied):
        plan_services.goal_update(by=other_social_worker, goal=goal, status="achieved")
    with pytest.raises(PermissionDenied):
        plan_services.step_update(by=other_social_worker, step=goal.steps.get(), status="achieved")


def test_the_pdf_shows_the_goals_status_and_outcome(client, social_worker, plan):
    goal = plan.goals.get()
    plan_services.goal_update(by=social_worker, goal=goal, status="achieved", outcome=OUTCOME)
    client.force_login(social_worker)
    response = client.get(f"{url(plan)}pdf/")
    from pypdf import PdfReader  # noqa: PLC0415

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Wrzosowej" in text and "Osiągnięty" in text


def test_the_page_with_status_forms_does_not_grow_in_queries_with_the_goals(
    client, social_worker, person
):
    small = make_plan(social_worker, person, goals=1)
    large = make_plan(social_worker, person, goals=6)
    client.force_login(social_worker)
    client.get(url(small))  # warm the key cache and the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(small)).status_code == 200
    with CaptureQueriesContext(connection) as six:
        html = client.get(url(large)).content.decode()
    assert len(re.findall(r"/steps/\d+/status/", html)) == 6
    assert len(six) == len(one)
