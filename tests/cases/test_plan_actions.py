"""The plan page's actions: each a POST to its own URL, refused alike to everyone but the
file's writers (other roles 403, another worker 404, an emergency reader 403, anonymous to
the login page), and nothing changes when refused."""

import pytest
from django.utils import timezone

from cases import services
from cases.models import Plan, PlanGoal, PlanReview, PlanStep
from tests.factories import make_client


@pytest.fixture
def person(social_worker):
    return make_client(first_name="Zdzisław", surname="Łęczycki", holder=social_worker)


@pytest.fixture
def draft(social_worker, person):
    plan = services.plan_create(
        by=social_worker, client=person, kind="ipwzb", starts_on=timezone.localdate()
    )
    goal = services.goal_add(by=social_worker, plan=plan, text="Mieszkanie treningowe")
    services.step_add(by=social_worker, goal=goal, party="client", text="Wyrobić dowód")
    return plan


def _actions(plan):
    """(path, data) of each action the page posts, for `plan`."""
    base = f"/clients/{plan.client_id}/plans/{plan.pk}/"
    goal = plan.goals.get()
    step = goal.steps.get()
    return [
        (f"{base}goals/", {"goal-text": "Drugi cel"}),
        (f"{base}steps/", {"step-goal": goal.pk, "step-party": "worker", "step-text": "Krok"}),
        (f"{base}goals/{goal.pk}/status/", {"status": "achieved", "outcome": ""}),
        (f"{base}steps/{step.pk}/status/", {"status": "achieved"}),
        (f"{base}reviews/", {"review-note": "Przegląd"}),
        (f"{base}submit/", {}),
        (f"{base}new-version/", {}),
    ]


def _unchanged(plan):
    plan.refresh_from_db()
    return (
        plan.status == Plan.Status.DRAFT
        and plan.version == 1
        and PlanGoal.objects.count() == 1
        and PlanStep.objects.count() == 1
        and not PlanReview.objects.exists()
        and PlanGoal.objects.get().status == "open"
    )


def test_the_page_has_no_hidden_action_field_and_each_form_posts_to_its_own_url(
    client, social_worker, draft
):
    client.force_login(social_worker)
    html = client.get(f"/clients/{draft.client_id}/plans/{draft.pk}/").content.decode()
    assert 'name="action"' not in html
    base = f"/clients/{draft.client_id}/plans/{draft.pk}/"
    for action in ("goals/", "steps/", "submit/"):
        assert f'action="{base}{action}"' in html


def test_a_writer_adds_a_goal_and_a_step_and_finishes_the_draft(client, social_worker, draft):
    client.force_login(social_worker)
    for path, data in _actions(draft)[:2] + _actions(draft)[5:6]:
        assert client.post(path, data).status_code == 302, path
    draft.refresh_from_db()
    assert PlanGoal.objects.count() == 2 and PlanStep.objects.count() == 2
    assert draft.status == Plan.Status.AWAITING_APPROVAL


@pytest.mark.parametrize("role", ["shelter_staff", "manager", "partner", "job_coach", "dpo"])
def test_other_roles_are_refused_every_action(client, personas, draft, role):
    client.force_login(personas[role])
    for path, data in _actions(draft):
        assert client.post(path, data).status_code == 403, path
    assert _unchanged(draft)


def test_another_worker_finds_no_plan_and_an_emergency_reader_may_not_write(
    client, other_social_worker, person, draft
):
    client.force_login(other_social_worker)
    for path, data in _actions(draft):
        assert client.post(path, data).status_code == 404, path
    services.break_glass_open(by=other_social_worker, client=person, reason="Kryzys w nocy, pilne")
    for path, data in _actions(draft):
        assert client.post(path, data).status_code == 403, path
    assert _unchanged(draft)


def test_anonymous_is_sent_to_login_and_get_is_not_allowed(client, social_worker, draft):
    for path, data in _actions(draft):
        response = client.post(path, data)
        assert response.status_code == 302 and response.url.startswith("/login/"), path
    client.force_login(social_worker)
    for path, _data in _actions(draft):
        assert client.get(path).status_code == 405, path
    assert _unchanged(draft)


def test_a_goal_without_text_gives_the_page_back_with_the_error(client, social_worker, draft):
    client.force_login(social_worker)
    client.cookies["django_language"] = "en"
    path, _data = _actions(draft)[0]
    response = client.post(path, {"goal-text": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert _unchanged(draft)
