"""A house for single mothers: a room for a household, everyone in and out at once, and the
children's names seen by the staff of that house only."""

import contextlib
import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.roles import Role
from audit.models import AccessLogEntry
from cases.models import Household, HouseholdMember
from privacy import vault
from shelters import reports, selectors, services
from shelters.models import MemberStay, RoomAllocation, Stay
from shelters.people import person
from tests.factories import OrganisationFactory, UserFactory, make_client, make_facility

CHILDREN = ("Jagódka", "Bolesław")


@contextlib.contextmanager
def refused(code):
    with pytest.raises(ValidationError) as caught:
        yield caught
    assert caught.value.code == code, caught.value


@pytest.fixture
def house(foundation):
    """House C for single mothers: two family rooms of two beds each."""
    return make_facility(
        organisation=foundation,
        name="Dom C",
        kind="mother_house",
        admits="mothers",
        rooms=(("Pokój 1", "women", 2), ("Pokój 2", "women", 2)),
    )


@pytest.fixture
def house_staff(house):
    """A shelter worker of house C only."""
    user = UserFactory(username="dom", role=Role.SHELTER_STAFF)
    assign_perm("shelters.operate_facility", user, house)
    return user


def make_household(*, first_name="Marianna", children=CHILDREN):
    mother = make_client(first_name=first_name, surname="Jarzębina", sex="female")
    household = Household.objects.create(head=mother)
    for name, sex in zip(children, ("female", "male"), strict=False):
        HouseholdMember.objects.create(
            subject=vault.subject_create(kind="household_member"),
            household=household,
            first_name=name,
            relationship="child",
            sex=sex,
            birth_date=datetime.date(2020, 3, 1),
        )
    return household


@pytest.fixture
def household(house, house_staff):
    """A mother with two children, on house C's waitlist."""
    household = make_household()
    services.waitlist_add(by=house_staff, facility=house, client=household.head)
    return household


def room(facility, name="Pokój 1"):
    return facility.rooms.get(name=name)


def check_in(staff, household, facility, name="Pokój 1"):
    return services.household_check_in(by=staff, household=household, room=room(facility, name))


# --- services ----------------------------------------------------------------------------------


def test_a_household_check_in_gives_the_mother_a_stay_and_each_child_a_member_stay(
    house_staff, house, household
):
    allocation = check_in(house_staff, household, house)
    stay = Stay.objects.get(client=household.head)
    assert stay.bed.room == allocation.room
    assert stay.facility == house
    member_stays = MemberStay.objects.filter(allocation=allocation)
    assert {m.member_id for m in member_stays} == {m.pk for m in household.members.all()}
    assert all(m.ended_at is None and m.room == allocation.room for m in member_stays)
    assert allocation.history.get().history_change_reason == "household check-in"
    for member in household.members.all():
        assert AccessLogEntry.objects.filter(
            subject_id=member.pk, action="update", purpose="household_check_in"
        ).exists()
    assert AccessLogEntry.objects.filter(subject_id=household.head_id, purpose="check_in").exists()


def test_a_room_takes_one_household_at_a_time(house_staff, house, household):
    check_in(house_staff, household, house)
    with refused("room_taken"):
        check_in(house_staff, make_household(first_name="Wiesława"), house)


def test_a_household_has_one_room_at_a_time(house_staff, house, household):
    check_in(house_staff, household, house)
    with refused("household_placed"):
        check_in(house_staff, household, house, "Pokój 2")


def test_households_are_checked_in_only_in_a_house_for_single_mothers(
    staff_of_a, facility_a, household
):
    with refused("not_mother_house"):
        check_in(staff_of_a, household, facility_a, "Sala 2")


def test_staff_of_another_facility_may_not_check_a_household_in(staff_of_a, house, household):
    with pytest.raises(PermissionDenied):
        check_in(staff_of_a, household, house)
    assert not RoomAllocation.objects.exists()


def test_a_banned_mother_is_refused_and_nothing_is_written(house_staff, house, household):
    services.ban_impose(
        by=house_staff,
        facility=house,
        client=household.head,
        ends_on=timezone.localdate() + datetime.timedelta(days=3),
        reason="Regulamin",
    )
    with refused("banned"):
        check_in(house_staff, household, house)
    assert not RoomAllocation.objects.exists()
    assert not Stay.objects.exists()
    assert not MemberStay.objects.exists()


def test_a_failure_half_way_leaves_nothing_written(house_staff, house, household, monkeypatch):
    original = MemberStay.save
    saved = []

    def fail_on_the_second_child(self, *args, **kwargs):
        if saved:
            raise IntegrityError("simulated failure")
        saved.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(MemberStay, "save", fail_on_the_second_child)
    with pytest.raises(IntegrityError):
        check_in(house_staff, household, house)
    assert saved  # the first child was written before the failure
    assert not RoomAllocation.objects.exists()
    assert not Stay.objects.exists()
    assert not MemberStay.objects.exists()


def test_a_room_of_a_household_takes_no_one_else(house_staff, house, household):
    check_in(house_staff, household, house)
    other = make_client(first_name="Bożena", surname="Grabińska", sex="female")
    free_in_room = room(house).beds.exclude(pk=Stay.objects.get().bed_id).get()
    with refused("room_allocated"):
        services.stay_check_in(by=house_staff, facility=house, client=other, bed=free_in_room)
    assert not selectors.free_beds(house, timezone.now()).filter(room=room(house)).exists()


def test_household_check_out_ends_every_stay_at_once(house_staff, house, household):
    allocation = check_in(house_staff, household, house)
    allocation.started_at -= datetime.timedelta(days=3)
    RoomAllocation.objects.filter(pk=allocation.pk).update(started_at=allocation.started_at)
    Stay.objects.filter(client=household.head).update(started_at=allocation.started_at)
    MemberStay.objects.update(started_at=allocation.started_at)
    services.household_check_out(by=house_staff, allocation=allocation, destination="family")
    allocation.refresh_from_db()
    assert allocation.ended_at is not None
    assert allocation.exit_destination == "family"
    assert not Stay.objects.open().exists()
    assert Stay.objects.get().exit_destination == "family"
    assert not MemberStay.objects.open().exists()
    with refused("ended"):
        services.household_check_out(by=house_staff, allocation=allocation, destination="family")
    # The room is free again for the next household.
    check_in(house_staff, make_household(first_name="Wiesława"), house)


def test_household_check_out_needs_a_destination(house_staff, house, household):
    allocation = check_in(house_staff, household, house)
    with refused("destination"):
        services.household_check_out(by=house_staff, allocation=allocation, destination="x")
    assert MemberStay.objects.open().count() == 2


def test_the_board_and_the_night_count_include_the_children_by_sex(house_staff, house, household):
    check_in(house_staff, household, house)
    board = selectors.bed_board(house)
    assert board.children == {"total": 2, "female": 1, "male": 1}
    assert board.counts.occupied == 1
    assert board.counts.family == 1  # the room's other bed is the household's, not free
    line = reports.night_count([house], timezone.localdate())[0]
    assert (line["female"], line["male"], line["total"]) == (2, 1, 3)
    assert selectors.bed_counts([house])[house.pk].free == 2


def test_member_stays_and_allocations_hold_nothing_personal_in_clear(house_staff, house, household):
    check_in(house_staff, household, house)
    tables = [
        "shelters_memberstay",
        "shelters_historicalmemberstay",
        "shelters_roomallocation",
        "shelters_historicalroomallocation",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            raw = repr(cursor.fetchall())
            for secret in (*CHILDREN, "Marianna", "Jarzębina", "2020-03-01"):
                assert secret not in raw, (table, secret)


def test_the_database_refuses_a_second_open_allocation_of_a_room(house_staff, house, household):
    allocation = check_in(house_staff, household, house)
    other = make_household(first_name="Wiesława")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomAllocation.objects.create(
            facility=house, room=allocation.room, household=other, started_at=timezone.now()
        )


@pytest.mark.postgres
def test_postgres_refuses_overlapping_allocations_of_a_room(house_staff, house, household):
    allocation = check_in(house_staff, household, house)
    other = make_household(first_name="Wiesława")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomAllocation.objects.create(
            facility=house,
            room=allocation.room,
            household=other,
            started_at=allocation.started_at - datetime.timedelta(days=2),
            ended_at=allocation.started_at + datetime.timedelta(hours=1),
        )


# --- pages -------------------------------------------------------------------------------------


def test_the_board_says_the_children_on_a_line_of_their_own(client, house_staff, house, household):
    check_in(house_staff, household, house)
    client.force_login(house_staff)
    page = client.get(f"/shelters/{house.pk}/").content.decode()
    assert "Dzieci w domu: 2 (dziewczynki 1, chłopcy 1)" in page
    # Not inside the free-beds sentence, where it read as two free places for children.
    free_line = page.split("Wolne w pokojach męskich")[1].split("</p>")[0]
    assert "dzieci" not in free_line.lower()


def test_house_staff_check_a_household_in_and_see_the_childrens_names(
    client, house_staff, house, household
):
    client.force_login(house_staff)
    url = f"/shelters/{house.pk}/households/check-in/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"household": household.pk, "room": room(house).pk})
    assert response.status_code == 302
    allocation = RoomAllocation.objects.get()
    board = client.get(f"/shelters/{house.pk}/").content.decode()
    assert "Marianna J." in board
    for name in CHILDREN:
        assert name in board
    assert f"/shelters/households/{allocation.pk}/" in board
    page = client.get(f"/shelters/households/{allocation.pk}/").content.decode()
    assert f"/shelters/households/{allocation.pk}/check-out/" in page
    assert f"/shelters/households/{allocation.pk}/transfer/" in page
    assert AccessLogEntry.objects.filter(purpose="household_check_in_form").exists()


def test_house_staff_check_the_household_out_from_the_board(client, house_staff, house, household):
    allocation = check_in(house_staff, household, house)
    client.force_login(house_staff)
    url = f"/shelters/households/{allocation.pk}/check-out/"
    # Bad input (or no choice at all): the form comes back with the error; nothing changes.
    for data in ({"destination": "nowhere"}, {}):
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Wybierz, dokąd" in response.content.decode()
        assert MemberStay.objects.open().count() == 2
    response = client.post(url, {"destination": "family"}, follow=True)
    assert response.status_code == 200
    assert not MemberStay.objects.open().exists()
    assert not Stay.objects.open().exists()


def test_a_refused_household_check_in_gives_the_form_back_and_changes_nothing(
    client, house_staff, house, household
):
    services.ban_impose(
        by=house_staff,
        facility=house,
        client=household.head,
        ends_on=timezone.localdate(),
        reason="Regulamin",
    )
    client.force_login(house_staff)
    url = f"/shelters/{house.pk}/households/check-in/"
    response = client.post(url, {"household": household.pk, "room": room(house).pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    response = client.post(url, {"household": household.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["room"]
    assert not RoomAllocation.objects.exists()
    assert not Stay.objects.exists()


def test_anonymous_visitors_are_sent_to_login_from_the_household_pages(
    client, house_staff, house, household
):
    allocation = check_in(house_staff, household, house)
    for response in (
        client.get(f"/shelters/{house.pk}/households/check-in/"),
        client.post(f"/shelters/households/{allocation.pk}/check-out/", {"destination": "family"}),
    ):
        assert response.status_code == 302
        assert response.url.startswith("/login/")


@pytest.mark.parametrize("role", ["job_coach", "dpo", "partner", "administrator"])
def test_other_roles_get_403_on_the_household_pages(
    client, personas, role, house_staff, house, household
):
    allocation = check_in(house_staff, household, house)
    client.force_login(personas[role])
    assert client.get(f"/shelters/{house.pk}/households/check-in/").status_code == 403
    url = f"/shelters/households/{allocation.pk}/check-out/"
    assert client.post(url, {"destination": "family"}).status_code == 403
    assert MemberStay.objects.open().count() == 2


def test_staff_of_another_facility_get_404_for_the_house(
    client, staff_of_a, house_staff, house, household
):
    allocation = check_in(house_staff, household, house)
    client.force_login(staff_of_a)
    assert client.get(f"/shelters/{house.pk}/households/check-in/").status_code == 404
    assert client.get(f"/shelters/{house.pk}/").status_code == 404
    url = f"/shelters/households/{allocation.pk}/check-out/"
    assert client.post(url, {"destination": "family"}).status_code == 404
    assert MemberStay.objects.open().count() == 2


def test_the_household_check_in_page_exists_only_in_a_house_for_single_mothers(
    client, staff_of_a, facility_a
):
    client.force_login(staff_of_a)
    assert client.get(f"/shelters/{facility_a.pk}/households/check-in/").status_code == 404


def test_no_one_outside_the_house_sees_a_childs_name(
    client, house_staff, house, household, staff_of_a, social_worker, manager
):
    check_in(house_staff, household, house)
    other_manager = UserFactory(
        username="boss2", organisation=OrganisationFactory(name="Inna"), role=Role.MANAGER
    )
    night = timezone.localdate().isoformat()
    pages = {
        staff_of_a: ["/shelters/", "/shelters/city/", f"/shelters/night-count/?night={night}"],
        social_worker: ["/shelters/city/"],
        manager: ["/shelters/city/", f"/shelters/night-count/?night={night}"],
        other_manager: ["/shelters/city/", f"/shelters/night-count/?night={night}"],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user, url)
            text = response.content.decode()
            for name in CHILDREN:
                assert name not in text, (user, url)
        assert client.get(f"/shelters/{house.pk}/").status_code == 404
    # The night count of the house's own organisation includes the children, as numbers.
    client.force_login(manager)
    csv = client.get(f"/shelters/night-count/?night={night}&format=csv").content.decode()
    assert "3" in csv
    for name in CHILDREN:
        assert name not in csv


def test_the_house_board_needs_the_same_number_of_queries_for_one_or_three_households(
    client, house_staff, foundation, django_assert_max_num_queries
):
    house = make_facility(
        organisation=foundation,
        name="Dom D",
        kind="mother_house",
        admits="mothers",
        rooms=[(f"Pokój {n}", "women", 2) for n in range(1, 4)],
    )
    assign_perm("shelters.operate_facility", house_staff, house)
    client.force_login(house_staff)
    htmx = {"HX-Request": "true"}
    client.get(f"/shelters/{house.pk}/", headers=htmx)
    counts = []
    for n in range(1, 4, 2):
        for name in [f"Pokój {k}" for k in range(1, n + 1)]:
            if not RoomAllocation.objects.filter(room__facility=house, room__name=name).exists():
                household = make_household(first_name=f"Matka {name}")
                check_in(house_staff, household, house, name)
        vault.cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/shelters/{house.pk}/", headers=htmx).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[1]):
        client.get(f"/shelters/{house.pk}/", headers=htmx)


def test_the_evacuation_roll_of_the_house_lists_the_children(client, house_staff, house, household):
    import io

    from pypdf import PdfReader

    check_in(house_staff, household, house)
    client.force_login(house_staff)
    response = client.get(f"/shelters/{house.pk}/roll.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for child in CHILDREN:
        assert child in text
    assert "Osób na miejscu: 3" in text


def test_the_roll_gives_full_names_and_lists_each_person_once(
    client, house_staff, house, household
):
    """A mother with two children in Pokój 1, and a woman without a household in Pokój 2:
    four people, four lines (the mother once, though her room's other bed is the family's)."""
    import io

    from pypdf import PdfReader

    check_in(house_staff, household, house)
    alone = make_client(first_name="Bożena", surname="Grabińska", sex="female")
    services.waitlist_add(by=house_staff, facility=house, client=alone)
    services.stay_check_in(
        by=house_staff, facility=house, client=alone, bed=room(house, "Pokój 2").beds.first()
    )
    client.force_login(house_staff)
    response = client.get(f"/shelters/{house.pk}/roll.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert text.count("Marianna Jarzębina") == 1
    assert text.count("Bożena Grabińska") == 1
    for child in CHILDREN:
        assert text.count(child) == 1
    assert "Osób na miejscu: 4" in text


def test_the_household_check_in_offers_only_the_mothers_it_may_admit(
    client, house_staff, house, household
):
    """Waiting: Marianna (with two children) and Wiesława; Wiesława's household is already
    placed; Halina is in a bed of another facility; Teresa is unknown to the house."""
    placed = make_household(first_name="Wiesława")
    services.waitlist_add(by=house_staff, facility=house, client=placed.head)
    check_in(house_staff, placed, house, "Pokój 2")
    make_household(first_name="Teresa")
    client.force_login(house_staff)
    html = client.get(f"/shelters/{house.pk}/households/check-in/").content.decode()
    options = re.findall(r'<option value="([0-9a-f-]{36})"[^>]*>([^<]*)</option>', html)
    assert [value for value, _label in options] == [str(household.pk)]
    mother = person(household.head)
    assert options[0][1] == f"Marianna J. ({mother.marks}), dzieci: 2"


# --- moving a whole household ------------------------------------------------------------------


def test_a_household_moves_to_another_room_all_at_once(house_staff, house, household):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = check_in(house_staff, household, house)
    with time_machine.travel(start + datetime.timedelta(hours=30), tick=False):
        new = services.household_transfer(
            by=house_staff, allocation=old, room=room(house, "Pokój 2")
        )
    old.refresh_from_db()
    assert old.ended_at is not None and old.exit_destination == "transfer"
    assert new.room == room(house, "Pokój 2") and new.ended_at is None
    mother_stay = Stay.objects.get(client=household.head, ended_at__isnull=True)
    assert mother_stay.bed.room == new.room
    assert mother_stay.transferred_from is not None
    open_members = MemberStay.objects.open()
    assert {m.member_id for m in open_members} == {m.pk for m in household.members.all()}
    assert all(m.room == new.room and m.allocation == new for m in open_members)
    # Each night counts once: the old member stays end with last night.
    tonight = house.night_of(new.started_at)
    for ended in MemberStay.objects.filter(allocation=old):
        assert ended.last_night == tonight - datetime.timedelta(days=1)
    assert {m.night_of for m in open_members} == {tonight}
    assert old.history.first().history_change_reason == "household transfer out"
    assert new.history.first().history_change_reason == "household transfer in"
    for member in household.members.all():
        assert AccessLogEntry.objects.filter(
            subject_id=member.pk, purpose="household_transfer"
        ).exists()
    assert AccessLogEntry.objects.filter(subject_id=household.head_id, purpose="transfer").exists()
    # The old room is free for the next household.
    assert selectors.free_beds(house, timezone.now()).filter(room=room(house, "Pokój 1")).exists()


def test_a_household_is_not_moved_into_a_room_that_is_taken(house_staff, house, household):
    allocation = check_in(house_staff, household, house)
    other = make_household(first_name="Wiesława")
    check_in(house_staff, other, house, "Pokój 2")
    with refused("room_taken"):
        services.household_transfer(
            by=house_staff, allocation=allocation, room=room(house, "Pokój 2")
        )
    with refused("same_room"):
        services.household_transfer(
            by=house_staff, allocation=allocation, room=room(house, "Pokój 1")
        )
    # Nothing moved.
    allocation.refresh_from_db()
    assert allocation.ended_at is None
    assert MemberStay.objects.open().filter(room=room(house, "Pokój 1")).count() == 2


def test_a_household_transfer_is_one_transaction(monkeypatch, house_staff, house, household):
    allocation = check_in(house_staff, household, house)
    original = MemberStay.save
    calls = []

    def fail_on_the_second_new_member_stay(self, *args, **kwargs):
        if self.pk is None:
            calls.append(self)
            if len(calls) == 2:
                raise IntegrityError("simulated failure")
        original(self, *args, **kwargs)

    monkeypatch.setattr(MemberStay, "save", fail_on_the_second_new_member_stay)
    later = timezone.now() + datetime.timedelta(hours=1)
    with pytest.raises(IntegrityError), time_machine.travel(later):
        services.household_transfer(
            by=house_staff, allocation=allocation, room=room(house, "Pokój 2")
        )
    allocation.refresh_from_db()
    assert allocation.ended_at is None
    assert RoomAllocation.objects.count() == 1
    assert Stay.objects.get().ended_at is None
    assert MemberStay.objects.count() == 2


def test_staff_move_a_household_from_its_page(client, house_staff, house, household):
    allocation = check_in(house_staff, household, house)
    client.force_login(house_staff)
    page = client.get(f"/shelters/households/{allocation.pk}/").content.decode()
    for child in CHILDREN:
        assert child in page
    assert AccessLogEntry.objects.filter(subject_id=household.head_id, purpose="household").exists()
    url = f"/shelters/households/{allocation.pk}/transfer/"
    # Bad input: no room, or the same room: the form comes back, nothing moves.
    for data in ({}, {"room": allocation.room_id}):
        response = client.post(url, data)
        assert response.status_code == 200
        assert response.context["transfer_form"].errors
    # Minutes later (within the session's idle limit).
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        response = client.post(url, {"room": room(house, "Pokój 2").pk})
    assert response.status_code == 302
    assert response.url == f"/shelters/{house.pk}/"
    assert RoomAllocation.objects.open().get().room == room(house, "Pokój 2")


def test_moving_a_household_is_for_the_staff_of_that_house_only(
    client, personas, staff_of_a, house_staff, house, household
):
    allocation = check_in(house_staff, household, house)
    target = {"room": room(house, "Pokój 2").pk}
    client.force_login(staff_of_a)
    assert client.get(f"/shelters/households/{allocation.pk}/").status_code == 404
    assert client.post(f"/shelters/households/{allocation.pk}/transfer/", target).status_code == 404
    client.force_login(personas["job_coach"])
    assert client.post(f"/shelters/households/{allocation.pk}/transfer/", target).status_code == 403
    client.logout()
    response = client.post(f"/shelters/households/{allocation.pk}/transfer/", target)
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert RoomAllocation.objects.open().get().room == room(house, "Pokój 1")


def test_the_childrens_nights_are_bed_nights_here_as_in_the_outcome_report(
    house_staff, house, household
):
    # docs/measures.md, "children's nights": each member takes one place of the room a night.
    # In on 10 March 2025 at 19:00, out on the 12th at 09:00: the nights of the 10th and the
    # 11th, three people (the mother and two children): 2 × 3 = 6 bed-nights.
    from reports.measures import outcome_report

    warsaw = zoneinfo.ZoneInfo("Europe/Warsaw")
    with time_machine.travel(datetime.datetime(2025, 3, 10, 19, tzinfo=warsaw), tick=False):
        allocation = check_in(house_staff, household, house)
    with time_machine.travel(datetime.datetime(2025, 3, 12, 9, tzinfo=warsaw), tick=False):
        services.household_check_out(by=house_staff, allocation=allocation, destination="family")
    first, day = datetime.date(2025, 3, 10), datetime.timedelta(days=1)
    by_day = reports.bed_nights([house], first - day, first + 4 * day)
    assert by_day == {(house.pk, first): 3, (house.pk, first + day): 3}
    by_month = reports.bed_nights(
        [house], datetime.date(2025, 3, 1), datetime.date(2025, 4, 1), by="month"
    )
    assert by_month == {(house.pk, datetime.date(2025, 3, 1)): 6}
    march = outcome_report(start=datetime.date(2025, 3, 1), end=datetime.date(2025, 3, 31))
    assert march["bed_nights"]["total"] == 6
