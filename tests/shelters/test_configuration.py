"""A manager configures the organisation's facilities: the facility, rooms, beds, outages, winter
mode and who operates it; the night rollover runs from a timer."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import Role
from audit.models import AccessLogEntry
from shelters import access, selectors, services
from shelters.models import Bed, BedOutage, Facility, Room, Stay
from tests.factories import UserFactory
from tests.second_factor import confirmation_of

H = datetime.timedelta(hours=1)


def selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)[0]
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


# --- reach -----------------------------------------------------------------------------------


def configuration_pages(facility):
    room = facility.rooms.first()
    bed = facility.beds.first()
    return [
        f"/shelters/manage/{facility.pk}/",
        f"/shelters/manage/{facility.pk}/edit/",
        f"/shelters/manage/{facility.pk}/rooms/new/",
        f"/shelters/manage/rooms/{room.pk}/",
        f"/shelters/manage/{facility.pk}/beds/new/",
        f"/shelters/manage/beds/{bed.pk}/",
        f"/shelters/manage/{facility.pk}/outages/new/",
        f"/shelters/manage/{facility.pk}/operators/",
    ]


@pytest.mark.parametrize(
    "role", ["social_worker", "shelter_staff", "job_coach", "dpo", "partner", "administrator"]
)
def test_only_managers_configure_facilities(client, personas, role, facility_a):
    client.force_login(personas[role])
    for url in ["/shelters/manage/", "/shelters/manage/new/", *configuration_pages(facility_a)]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/shelters/manage/{facility_a.pk}/winter/", {"on": "1"}).status_code == 403
    facility_a.refresh_from_db()
    assert not facility_a.is_winter_mode


def test_a_manager_of_another_organisation_gets_404_for_everything_of_the_facility(
    client, other_manager, facility_a
):
    outage = BedOutage.objects.create(
        bed=facility_a.beds.first(), starts_at=timezone.now(), reason="Naprawa"
    )
    client.force_login(other_manager)
    for url in configuration_pages(facility_a):
        assert client.get(url).status_code == 404, url
    posts = [
        (f"/shelters/manage/{facility_a.pk}/winter/", {"on": "1"}),
        (f"/shelters/manage/outages/{outage.pk}/end/", {}),
        (f"/shelters/manage/{facility_a.pk}/rooms/new/", {"name": "X", "sex": "men"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert "Noclegownia A" not in client.get("/shelters/manage/").content.decode()
    assert not Facility.objects.get(pk=facility_a.pk).is_winter_mode
    assert BedOutage.objects.get().ends_at is None


def test_anonymous_visitors_are_sent_to_login(client, facility_a):
    for url in ["/shelters/manage/", *configuration_pages(facility_a)]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url


# --- facility, rooms, beds ---------------------------------------------------------------------


def test_a_manager_creates_a_facility_choosing_its_kind_and_whom_it_admits(
    client, manager, foundation
):
    client.force_login(manager)
    html = client.get("/shelters/manage/new/").content.decode()
    # Choices that feed statistics are made by a person: nothing preselected.
    assert selected(html, "kind") == [""] and selected(html, "admits") == [""]
    assert 'type="time"' in html and 'value="18:00"' in html
    data = {
        "name": "Noclegownia Nowa",
        "address": "ul. Polna 1",
        "winter_opens_at": "18:00",
        "winter_closes_at": "08:00",
        "summer_opens_at": "19:00",
        "summer_closes_at": "07:00",
        "night_rollover_hour": 12,
        "absence_exit_days": 30,
        "is_active": "on",
    }
    response = client.post("/shelters/manage/new/", data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"kind", "admits"}
    assert not Facility.objects.exists()
    response = client.post(
        "/shelters/manage/new/", {**data, "kind": "night_shelter", "admits": "men"}
    )
    facility = Facility.objects.get()
    assert response.status_code == 302
    assert response.url == f"/shelters/manage/{facility.pk}/"
    assert facility.organisation == foundation
    assert facility.history.get().history_change_reason == "facility created"
    assert facility.history.get().history_user == manager


def test_a_manager_adds_a_room_and_beds_and_the_board_counts_them(
    client, manager, foundation, staff_of_a, facility_a
):
    client.force_login(manager)
    url = f"/shelters/manage/{facility_a.pk}/rooms/new/"
    assert selected(client.get(url).content.decode(), "sex") == [""]
    assert client.post(url, {"name": "Sala 3"}).status_code == 200  # no sex chosen
    assert client.post(url, {"name": "Sala 3", "sex": "women"}).status_code == 302
    room = Room.objects.get(name="Sala 3")
    # A second room of the same name is a form error, not a server error.
    response = client.post(url, {"name": "Sala 3", "sex": "men"})
    assert response.status_code == 200
    assert "już ma pokój o tej nazwie" in response.content.decode()
    bed_url = f"/shelters/manage/{facility_a.pk}/beds/new/"
    today = timezone.localdate().isoformat()
    bed = {"room": room.pk, "label": "3.1", "kind": "bed", "available_from": today}
    assert client.post(bed_url, {**bed, "is_wheelchair_accessible": "on"}).status_code == 302
    assert client.post(bed_url, bed).status_code == 200  # the same label again
    mattress = {**bed, "label": "M.1", "kind": "mattress", "is_overflow": "on"}
    assert client.post(bed_url, mattress).status_code == 302
    created = Bed.objects.get(label="3.1")
    assert created.facility == facility_a and created.is_wheelchair_accessible
    assert created.history.get().history_change_reason == "bed created"
    # 5 beds before, plus 3.1; the mattress counts only in winter mode.
    counts = selectors.bed_counts([facility_a])[facility_a.pk]
    assert (counts.places, counts.free_women, counts.unused) == (6, 3, 1)
    assert client.post(f"/shelters/manage/{facility_a.pk}/winter/", {"on": "1"}).status_code == 302
    counts = selectors.bed_counts([facility_a])[facility_a.pk]
    assert (counts.places, counts.free_women, counts.free_overflow) == (7, 4, 1)
    facility_a.refresh_from_db()
    assert facility_a.is_winter_mode
    assert facility_a.history.first().history_change_reason == "winter mode on"
    client.post(f"/shelters/manage/{facility_a.pk}/winter/", {"on": "0"})
    assert Facility.objects.get(pk=facility_a.pk).history.first().history_change_reason == (
        "winter mode off"
    )


def test_a_bed_someone_sleeps_in_does_not_leave_the_inventory(
    client, manager, staff_of_a, facility_a, man
):
    stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    client.force_login(manager)
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/shelters/manage/beds/{stay.bed_id}/",
        {
            "label": stay.bed.label,
            "kind": "bed",
            "available_from": "2020-01-01",
            "available_until": today,
        },
    )
    assert response.status_code == 200
    assert "Na tym łóżku ktoś śpi: najpierw go wypisz." in response.content.decode()
    assert Bed.objects.get(pk=stay.bed_id).available_until is None


def test_an_edit_form_keeps_its_date_inputs_iso(client, manager, facility_a):
    client.force_login(manager)
    bed = facility_a.beds.first()
    html = client.get(f"/shelters/manage/beds/{bed.pk}/").content.decode()
    assert 'type="date"' in html and 'value="2020-01-01"' in html


# --- outages -----------------------------------------------------------------------------------


def test_a_bed_goes_out_of_service_and_comes_back(client, manager, staff_of_a, facility_a, man):
    occupied = services.stay_check_in(by=staff_of_a, facility=facility_a, client=man).bed
    free = facility_a.beds.exclude(pk=occupied.pk).order_by("label").first()
    client.force_login(manager)
    url = f"/shelters/manage/{facility_a.pk}/outages/new/"
    now = timezone.localtime().replace(second=0, microsecond=0)
    start = (now - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    # Someone sleeps in the bed: refused, with the reason.
    response = client.post(url, {"bed": occupied.pk, "starts_at": start, "reason": "Pluskwy"})
    assert response.status_code == 200 and not BedOutage.objects.exists()
    # The end before the start: refused.
    early = (now - H).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url, {"bed": free.pk, "starts_at": start, "ends_at": early, "reason": "Pluskwy"}
    )
    assert response.status_code == 200 and not BedOutage.objects.exists()
    assert (
        client.post(url, {"bed": free.pk, "starts_at": start, "reason": "Pluskwy"}).status_code
        == 302
    )
    outage = BedOutage.objects.get()
    assert outage.created_by == manager
    assert outage.history.get().history_change_reason == "out of service"
    board = selectors.bed_board(facility_a)
    assert [row.label for row in board.beds if row.state == "out"] == [free.label]
    # Overlapping the first: refused.
    response = client.post(url, {"bed": free.pk, "starts_at": start, "reason": "Malowanie"})
    assert response.status_code == 200 and BedOutage.objects.count() == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert client.post(f"/shelters/manage/outages/{outage.pk}/end/").status_code == 302
        assert not [row for row in selectors.bed_board(facility_a).beds if row.state == "out"]


# --- who operates a facility --------------------------------------------------------------------


@pytest.fixture
def newcomer(foundation):
    """A shelter worker of the foundation who does not work in facility A yet."""
    return UserFactory(username="newcomer", organisation=foundation, role=Role.SHELTER_STAFF)


def test_a_manager_grants_and_revokes_a_facility_with_their_password(
    client, manager, newcomer, facility_a, password
):
    url = f"/shelters/manage/{facility_a.pk}/operators/"
    client.force_login(manager)
    assert str(newcomer.get_full_name()) in client.get(url).content.decode()
    # A wrong password changes nothing and is a logged confirmation refused.
    response = client.post(url, {"user": newcomer.pk, "confirm_password": "wrong-one"})
    assert response.status_code == 200
    assert not access.can_operate(newcomer, facility_a)
    assert AccessLogEntry.objects.filter(actor=manager, action="confirm", outcome="denied").exists()
    response = client.post(url, {"user": newcomer.pk, **confirmation_of(client, password)})
    assert response.status_code == 302
    assert access.can_operate(newcomer, facility_a)
    assert (
        facility_a.history.first().history_change_reason == f"operator granted: user {newcomer.pk}"
    )
    assert AccessLogEntry.objects.filter(actor=manager, purpose="facility_operator_grant").exists()
    client.force_login(newcomer)
    assert client.get(f"/shelters/{facility_a.pk}/").status_code == 200

    client.force_login(manager)
    revoke = f"/shelters/manage/{facility_a.pk}/operators/{newcomer.pk}/revoke/"
    assert client.post(revoke, {"confirm_password": "wrong-one"}).status_code == 200
    assert access.can_operate(newcomer, facility_a)
    assert client.post(revoke, {**confirmation_of(client, password)}).status_code == 302
    assert not access.can_operate(newcomer, facility_a)
    assert (
        facility_a.history.first().history_change_reason == f"operator revoked: user {newcomer.pk}"
    )
    client.force_login(newcomer)
    assert client.get(f"/shelters/{facility_a.pk}/").status_code == 404
    # Revoking someone who does not operate it: 404.
    client.force_login(manager)
    assert client.get(revoke).status_code == 404


def test_only_the_organisations_active_staff_can_be_given_a_facility(
    client, manager, facility_a, outside_worker, password
):
    from accounts.services import user_deactivate

    gone = UserFactory(
        username="gone", organisation=facility_a.organisation, role=Role.SHELTER_STAFF
    )
    user_deactivate(actor=manager, user=gone)
    dpo = UserFactory(username="dpo2", organisation=facility_a.organisation, role=Role.DPO)
    client.force_login(manager)
    url = f"/shelters/manage/{facility_a.pk}/operators/"
    for user in (outside_worker, gone, dpo):
        response = client.post(url, {"user": user.pk, **confirmation_of(client, password)})
        assert response.status_code == 200, user.username
        assert not access.can_operate(user, facility_a)


def test_the_configuration_pages_need_few_queries(
    client, manager, foundation, facility_a, django_assert_max_num_queries
):
    from tests.factories import make_facility

    client.force_login(manager)
    client.get(f"/shelters/manage/{facility_a.pk}/")
    big = make_facility(
        organisation=foundation, name="Duża", rooms=[(f"Sala {n}", "men", 8) for n in range(1, 7)]
    )
    with django_assert_max_num_queries(12):
        assert client.get(f"/shelters/manage/{big.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/shelters/manage/").status_code == 200


# --- the night rollover on a timer ----------------------------------------------------------------


def test_the_night_rollover_runs_as_a_command(
    staff_of_a, facility_a, facility_b, man, woman, evening
):
    from guardian.shortcuts import assign_perm

    assign_perm("shelters.operate_facility", staff_of_a, facility_b)
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    # A stay in a (24-hour) shelter does not end at the rollover.
    services.stay_check_in(by=staff_of_a, facility=facility_b, client=woman)
    out = io.StringIO()
    with time_machine.travel(evening + 16 * H, tick=False):  # 13:00 the next day
        call_command("night_rollover", stdout=out)
        call_command("night_rollover", stdout=io.StringIO())  # again: nothing twice
    assert out.getvalue().strip() == "Night rollover: 1 stays ended in 1 night-only facilities."
    assert Stay.objects.get(client=man).exit_destination == "night_ended"
    assert Stay.objects.get(client=woman).ended_at is None
