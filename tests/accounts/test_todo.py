"""The manager's to-do: what waits for their decision, counted, each item linked to its page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases import plans
from cases import services as case_services
from tests.factories import UserFactory, make_client

REASON = "Klientka przeprowadziła się do naszej dzielnicy"


@pytest.fixture
def busy_manager(manager, social_worker, other_social_worker, outside_worker):
    """The foundation's manager with something of every kind waiting."""
    return make_busy(manager, social_worker, other_social_worker, outside_worker)


def make_busy(manager, social_worker, other_social_worker, outside_worker):
    first = make_client(first_name="Irena", surname="Jaworska", holder=social_worker)
    second = make_client(first_name="Jan", surname="Grabowski", holder=social_worker)
    third = make_client(first_name="Ewa", surname="Klonowska", holder=other_social_worker)
    # Two handover requests for the foundation's files (one from another organisation).
    case_services.handover_request(by=outside_worker, client=first, reason=REASON)
    case_services.handover_request(by=other_social_worker, client=second, reason=REASON)
    # One emergency access opened by a foundation worker.
    case_services.break_glass_open(by=other_social_worker, client=first, reason=REASON)
    # One plan waiting for approval.
    plan = plans.plan_create(
        by=other_social_worker, client=third, kind="ipwzb", starts_on=timezone.localdate()
    )
    plans.goal_add(by=other_social_worker, plan=plan, text="Cel")
    plans.plan_submit(by=other_social_worker, plan=plan)
    # A worker who left but still holds two files.
    leaver = UserFactory(
        username="leaver",
        first_name="Zofia",
        last_name="Odchodząca",
        organisation=manager.organisation,
        role=Role.SOCIAL_WORKER,
    )
    make_client(first_name="Adam", surname="Wierzbowy", holder=leaver)
    make_client(first_name="Olga", surname="Lipowa", holder=leaver)
    # Deactivated before a deactivation handed the files over (issue 13): the to-do still
    # finds such files.
    leaver.is_active = False
    leaver.save()
    # An active account with no role.
    UserFactory(username="norole", organisation=manager.organisation)
    return manager


def test_the_manager_lands_on_the_to_do_with_every_waiting_item(client, busy_manager):
    client.force_login(busy_manager)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:todo")
    html = response.content.decode()
    assert "2 prośby o przekazanie akt czekają na decyzję Twojej organizacji." in html
    assert "1 dostęp awaryjny otwarty przez Twoich pracowników czeka na przegląd." in html
    assert "1 plan czeka na Twoje zatwierdzenie." in html
    assert "Zofia Odchodząca (konto nieaktywne) wciąż ma przypisanych 2 podopiecznych." in html
    assert "1 aktywne konto Twojej organizacji nie ma roli." in html
    # Each item links to where it is done.
    assert reverse("cases:assignments") in html
    assert reverse("cases:assignment-list") + "?worker=" in html
    assert reverse("accounts:staff-list") in html
    # Counts and staff only: no client's name.
    for name in ("Jaworska", "Grabowski", "Klonowska", "Wierzbowy", "Lipowa"):
        assert name not in html


def test_an_empty_to_do_says_nothing_waits(client, manager):
    client.force_login(manager)
    html = client.get("/todo/").content.decode()
    assert "Nic nie czeka na Twoją decyzję." in html


def test_another_organisations_manager_sees_none_of_it(client, busy_manager, other_manager):
    client.force_login(other_manager)
    html = client.get("/todo/").content.decode()
    assert "Nic nie czeka na Twoją decyzję." in html


def test_the_to_do_costs_the_same_queries_whatever_waits(
    client, manager, social_worker, other_social_worker, outside_worker
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)
    client.get("/todo/")
    with CaptureQueriesContext(connection) as empty:
        client.get("/todo/")
    make_busy(manager, social_worker, other_social_worker, outside_worker)
    with CaptureQueriesContext(connection) as busy:
        assert "przypisanych 2 podopiecznych" in client.get("/todo/").content.decode()
    assert len(busy) == len(empty)


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.MANAGER])
def test_every_other_role_is_refused_the_to_do(client, personas, role):
    client.force_login(personas[role])
    assert client.get("/todo/").status_code == 403


def test_anonymous_visitors_are_sent_to_login_from_the_to_do(client, db):
    response = client.get("/todo/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_a_facility_nobody_operates_is_on_the_to_do_until_someone_does(
    client, manager, facility_a, shelter_staff
):
    from guardian.shortcuts import assign_perm

    client.force_login(manager)
    html = client.get("/todo/").content.decode()
    assert "1 placówka Twojej organizacji nie ma nikogo do obsługi." in html
    assert reverse("shelters:manage-list") in html
    assign_perm("shelters.operate_facility", shelter_staff, facility_a)
    assert "nie ma nikogo do obsługi" not in client.get("/todo/").content.decode()
