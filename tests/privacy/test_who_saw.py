"""Who saw my file: the access log records how each access was granted (the way), and the
holders and the DPO read every access of the last 12 months; nobody else does."""

import datetime
import zoneinfo

import pytest
import time_machine

from audit.models import AccessLogEntry
from audit.services import access_log_write
from audit.verify import access_log_verify
from cases import services
from cases.access import get_client_access
from tests.factories import UserFactory, make_client

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
NOON = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=WARSAW)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ryszard(social_worker):
    return make_client(first_name="Ryszard", surname="Dębowski", holder=social_worker)


def last_row(**filters):
    return AccessLogEntry.objects.filter(**filters).order_by("-seq").first()


def test_the_holders_read_is_logged_as_holder(social_worker, ryszard):
    get_client_access(social_worker, ryszard.pk)
    assert last_row(actor=social_worker).way == "holder"


def test_a_team_members_read_is_logged_as_team(manager, team, other_social_worker, social_worker):
    client = make_client(first_name="Bogdan", surname="Żurawiecki", holder=social_worker)
    services.client_handover(by=manager, client=client, to_worker=social_worker, team=team)
    get_client_access(other_social_worker, client.pk)
    assert last_row(actor=other_social_worker).way == "team"


def test_an_emergency_read_is_logged_as_break_glass(other_social_worker, ryszard):
    services.break_glass_open(by=other_social_worker, client=ryszard, reason="Szpital pyta o leki.")
    get_client_access(other_social_worker, ryszard.pk)
    row = last_row(actor=other_social_worker)
    assert (row.action, row.way) == ("break_glass", "break_glass")


def test_a_search_hit_is_logged_as_search(client, other_social_worker, ryszard):
    client.force_login(other_social_worker)
    client.post("/clients/search/", {"surname": "Dębowski", "first_name": "Ryszard"})
    row = last_row(actor=other_social_worker, subject_id=ryszard.pk)
    assert (row.action, row.way) == ("search", "search")


def test_the_chain_verifies_across_rows_with_and_without_a_way(social_worker, ryszard):
    # A row as written before the column existed (no way), then rows with one.
    access_log_write(actor=social_worker, action="view", subject_id=ryszard.pk, purpose="file")
    get_client_access(social_worker, ryszard.pk)
    access_log_write(actor=None, action="view", way="")
    result = access_log_verify()
    assert result.broken is None
    assert result.entries == AccessLogEntry.objects.count()


# --- the pages -------------------------------------------------------------------------------


def seen_by_many(ryszard, social_worker, other_social_worker, frozen):
    """Three readers over 13 months: one 13 months ago (gone from the list), two this year."""
    frozen.move_to(NOON - datetime.timedelta(days=400))
    access_log_write(
        actor=other_social_worker, action="view", subject_id=ryszard.pk, purpose="file"
    )
    frozen.move_to(NOON - datetime.timedelta(days=300))
    services.break_glass_open(by=other_social_worker, client=ryszard, reason="Szpital w nocy.")
    get_client_access(other_social_worker, ryszard.pk)
    frozen.move_to(NOON)


def test_the_holder_sees_who_saw_the_file_in_the_last_12_months(
    client, social_worker, other_social_worker, ryszard, frozen
):
    seen_by_many(ryszard, social_worker, other_social_worker, frozen)
    client.force_login(social_worker)
    response = client.get(f"/clients/{ryszard.pk}/who-saw/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "dostęp awaryjny" in html
    shown = {row.entry.seq for row in response.context["rows"]}
    # 13 months ago: not on the list; 10 months ago and now: on it.
    old = AccessLogEntry.objects.filter(at__lt=NOON - datetime.timedelta(days=365))
    assert not shown & set(old.values_list("seq", flat=True))
    assert AccessLogEntry.objects.filter(
        seq__in=shown, action="break_glass", actor=other_social_worker
    ).exists()
    # The page is itself a row.
    assert last_row(actor=social_worker).purpose == "who_saw"


def test_the_file_shows_the_who_saw_tab_to_its_holder(client, social_worker, ryszard):
    client.force_login(social_worker)
    html = client.get(f"/clients/{ryszard.pk}/").content.decode()
    assert f"/clients/{ryszard.pk}/who-saw/" in html


def test_an_emergency_reader_is_refused_the_list(client, other_social_worker, ryszard):
    services.break_glass_open(by=other_social_worker, client=ryszard, reason="Szpital w nocy.")
    client.force_login(other_social_worker)
    assert client.get(f"/clients/{ryszard.pk}/who-saw/").status_code == 403
    assert last_row(actor=other_social_worker).outcome == "denied"


def test_a_social_worker_not_holding_the_file_is_refused(client, other_social_worker, ryszard):
    client.force_login(other_social_worker)
    assert client.get(f"/clients/{ryszard.pk}/who-saw/").status_code == 404


@pytest.mark.parametrize("persona", ["job_coach", "shelter_staff", "manager"])
def test_other_roles_are_refused_who_saw_the_file(client, persona, request, ryszard):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/clients/{ryszard.pk}/who-saw/").status_code == 403


def test_the_dpo_reads_who_saw_a_person_of_their_organisation(
    client, dpo, social_worker, other_social_worker, ryszard, frozen
):
    seen_by_many(ryszard, social_worker, other_social_worker, frozen)
    client.force_login(dpo)
    response = client.get(f"/privacy/people/{ryszard.pk}/who-saw/")
    assert response.status_code == 200
    assert len(response.context["rows"]) >= 2
    row = last_row(actor=dpo)
    assert (row.purpose, row.way, row.subject_id) == ("who_saw", "dpo", ryszard.pk)


def test_the_who_saw_list_costs_the_same_queries_at_any_size(
    client, social_worker, ryszard, django_assert_max_num_queries
):
    for _ in range(30):
        get_client_access(social_worker, ryszard.pk)
    client.force_login(social_worker)
    # Session, user, groups, the file and its reach, holder, tabs, the page of rows, the count,
    # the access-log row: about 15 whatever the rows.
    with django_assert_max_num_queries(20):
        assert client.get(f"/clients/{ryszard.pk}/who-saw/").status_code == 200


def test_a_dpo_of_another_organisation_is_refused(client, welfare_centre, ryszard):
    outside = UserFactory(username="dpo-mops", organisation=welfare_centre, role="dpo")
    client.force_login(outside)
    assert client.get(f"/privacy/people/{ryszard.pk}/who-saw/").status_code == 404
