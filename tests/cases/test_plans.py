"""Individual plans: draft, goals and steps, approval by a manager, reviews, and the PDF."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import plans as plan_services
from cases.models import Plan
from tests.factories import make_client


@pytest.fixture
def person(social_worker):
    return make_client(
        first_name="Zdzisław",
        surname="Łęczycki",
        holder=social_worker,
        birth_date=datetime.date(1961, 2, 28),
    )


def plan_data(**extra):
    return {
        "kind": "ipwzb",
        "starts_on": timezone.localdate().isoformat(),
        "situation": "Mieszka w altanie",
        "causes": "Eksmisja",
        "review_every_days": "14",
        "requires_approval": "on",
        **extra,
    }


def test_a_worker_writes_a_plan_and_a_manager_approves_it(client, social_worker, manager, person):
    client.force_login(social_worker)
    response = client.post(f"/clients/{person.pk}/plans/", plan_data())
    plan = Plan.objects.get()
    assert response.url == f"/clients/{person.pk}/plans/{plan.pk}/"
    url = response.url
    client.post(f"{url}goals/", {"goal-text": "Własne mieszkanie treningowe"})
    goal = plan.goals.get()
    client.post(
        f"{url}steps/",
        {
            "step-goal": goal.pk,
            "step-party": "client",
            "step-text": "Wyrobić dowód osobisty",
            "step-due_on": "2027-01-15",
        },
    )
    client.post(f"{url}submit/")
    plan.refresh_from_db()
    assert plan.status == "awaiting_approval"
    client.force_login(manager)
    assert "Programy do zatwierdzenia" in client.get("/clients/assignments/").content.decode()
    assert client.get(f"/clients/plans/{plan.pk}/pdf/").status_code == 200
    client.post(f"/clients/plans/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.status == "active" and plan.approved_by == manager


def test_a_plan_without_goals_cannot_be_finished(client, social_worker, person):
    client.force_login(social_worker)
    client.post(f"/clients/{person.pk}/plans/", plan_data())
    plan = Plan.objects.get()
    client.post(f"/clients/{person.pk}/plans/{plan.pk}/submit/")
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_a_plan_ending_before_it_starts_is_refused(client, social_worker, person):
    client.force_login(social_worker)
    response = client.post(f"/clients/{person.pk}/plans/", plan_data(ends_on="2000-01-01"))
    assert response.status_code == 200
    assert "przed rozpoczęciem" in response.content.decode()
    assert not Plan.objects.exists()


def test_a_review_moves_the_next_review_date_and_overdue_plans_show_on_the_caseload(
    client, social_worker, person
):
    start = timezone.localdate() - datetime.timedelta(days=30)
    plan = plan_services.plan_create(
        by=social_worker, client=person, kind="contract", starts_on=start, requires_approval=False
    )
    plan_services.goal_add(by=social_worker, plan=plan, text="Praca w spółdzielni")
    plan_services.plan_submit(by=social_worker, plan=plan)
    client.force_login(social_worker)
    html = client.get("/clients/?overdue=1").content.decode()
    assert "Łęczycki" in html
    plan_services.plan_review(by=social_worker, plan=plan, note="Postępy w szukaniu pracy")
    plan.refresh_from_db()
    assert plan.next_review_on == timezone.localdate() + datetime.timedelta(days=14)
    assert "Łęczycki" not in client.get("/clients/?overdue=1").content.decode()


def test_the_pdf_is_polish_has_no_name_in_its_metadata_and_is_not_cached(
    client, social_worker, person
):
    plan = plan_services.plan_create(
        by=social_worker,
        client=person,
        kind="ipwzb",
        starts_on=timezone.localdate(),
        situation='<a href="javascript:x">klik</a>',
    )
    plan_services.goal_add(by=social_worker, plan=plan, text="Zażółć gęślą jaźń")
    client.force_login(social_worker)
    response = client.get(f"/clients/{person.pk}/plans/{plan.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    from pypdf import PdfReader  # noqa: PLC0415

    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Łęczycki" in text and "Zażółć gęślą jaźń" in text
    assert "Podpis podopiecznego" in text
    metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
    assert "Łęczycki" not in metadata and "Zdzisław" not in metadata
    # The situation text carried an <a href="javascript:..."> tag: it must be text, not a link.
    assert b"/URI" not in response.content and b"/JavaScript" not in response.content
    assert 'href="javascript:x"' in text


def test_another_worker_and_other_roles_cannot_print_the_plan(
    client, other_social_worker, shelter_staff, manager, social_worker, person
):
    plan = plan_services.plan_create(
        by=social_worker, client=person, kind="ipwzb", starts_on=timezone.localdate()
    )
    client.force_login(other_social_worker)
    assert client.get(f"/clients/{person.pk}/plans/{plan.pk}/pdf/").status_code == 404
    client.force_login(shelter_staff)
    assert client.get(f"/clients/{person.pk}/plans/{plan.pk}/pdf/").status_code == 403
    # A manager reads only plans waiting for their approval.
    client.force_login(manager)
    assert client.get(f"/clients/plans/{plan.pk}/pdf/").status_code == 404


def test_an_approved_plan_changes_only_through_a_new_version(social_worker, manager, person):
    plan = plan_services.plan_create(
        by=social_worker, client=person, kind="ipwzb", starts_on=timezone.localdate()
    )
    plan_services.goal_add(by=social_worker, plan=plan, text="Cel")
    plan_services.plan_submit(by=social_worker, plan=plan)
    plan_services.plan_approve(by=manager, plan=plan)
    with pytest.raises(ValidationError):
        plan_services.goal_add(by=social_worker, plan=plan, text="Dopisany po cichu")
    plan_services.plan_new_version(by=social_worker, plan=plan)
    plan.refresh_from_db()
    assert plan.version == 2 and plan.status == "draft" and plan.approved_by is None
    assert plan.history.filter(status="active").exists()
