"""A mother with two children in a house for single mothers: three places, three bed-nights a
night. The household goes in and out through the services, as the house's staff would do it."""

import datetime

import pytest
import time_machine
from guardian.shortcuts import assign_perm

from accounts.roles import Role
from cases.models import Household, HouseholdMember
from privacy import vault
from reports.measures import outcome_report
from reports.sql import Scope
from shelters import services
from tests.factories import UserFactory, make_client, make_facility

D = datetime.date
YEAR = {"start": D(2025, 1, 1), "end": D(2025, 12, 31)}


@pytest.fixture
def house(foundation):
    """House C for single mothers: two family rooms of three beds each (six regular places)."""
    return make_facility(
        organisation=foundation,
        name="Dom C",
        kind="mother_house",
        admits="mothers",
        rooms=(("Pokój 1", "women", 3), ("Pokój 2", "women", 3)),
    )


@pytest.fixture
def stayed(house):
    """Marianna (billed to 1465011) and her two children, 2025-03-10 evening to 03-20 morning."""
    staff = UserFactory(username="dom", role=Role.SHELTER_STAFF)
    assign_perm("shelters.operate_facility", staff, house)
    mother = make_client(sex="female", municipality_code="1465011")
    household = Household.objects.create(head=mother)
    for name, sex in (("Jagódka", "female"), ("Bolesław", "male")):
        HouseholdMember.objects.create(
            subject=vault.subject_create(kind="household_member"),
            household=household,
            first_name=name,
            relationship="child",
            sex=sex,
            birth_date=D(2020, 3, 1),
        )
    services.waitlist_add(by=staff, facility=house, client=mother)
    # 18:00 and 10:00 UTC are 19:00 and 11:00 in Warsaw in March: no rollover question.
    with time_machine.travel(datetime.datetime(2025, 3, 10, 18, tzinfo=datetime.UTC), tick=False):
        allocation = services.household_check_in(
            by=staff, household=household, room=house.rooms.get(name="Pokój 1")
        )
    with time_machine.travel(datetime.datetime(2025, 3, 20, 10, tzinfo=datetime.UTC), tick=False):
        services.household_check_out(by=staff, allocation=allocation, destination="own_housing")
    return mother


def test_a_mother_and_two_children_count_three_bed_nights_a_night(stayed):
    report = outcome_report(**YEAR)
    # Each of the three occupied the nights 2025-03-10 … 2025-03-19: 10 nights; 3 × 10 = 30
    # (the mother alone would be 10). The children's nights are billed to the mother's
    # municipality: the children are no clients and have none of their own.
    assert report["bed_nights"] == {
        "total": 30,
        "by_facility": {"Dom C": 30},
        "by_municipality": {"1465011": 30},
    }
    # March: 30 ÷ (6 beds × 31 days = 186) = 16.13 % (the mother alone: 10 ÷ 186 = 5.4 %).
    assert report["occupancy"]["Dom C"]["2025-03"] == 16.1
    assert report["occupancy"]["Dom C"]["2025-04"] == 0.0
    # Served are clients: the mother only (the children have no case file; see measures.md).
    assert report["clients_served"]["total"] == 1


def test_a_period_inside_the_stay_counts_its_nights_only(stayed):
    # 2025-03-15 … 2025-03-17: 3 nights × 3 persons = 9; March clipped to 3 days: 9 ÷ (6 × 3).
    report = outcome_report(start=D(2025, 3, 15), end=D(2025, 3, 17))
    assert report["bed_nights"]["total"] == 9
    assert report["occupancy"]["Dom C"]["2025-03"] == 50.0


def test_a_report_of_another_facility_reads_no_child(stayed, house, foundation):
    other = make_facility(organisation=foundation, name="Noclegownia A")
    report = outcome_report(**YEAR, scope=Scope(facility_ids=(other.pk,), programme_ids=()))
    assert report["bed_nights"]["total"] == 0
    mine = outcome_report(**YEAR, scope=Scope(facility_ids=(house.pk,), programme_ids=()))
    assert mine["bed_nights"]["total"] == 30
