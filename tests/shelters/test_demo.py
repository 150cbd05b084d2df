"""The shelters' demo data keeps its promises on any date and at any hour.

The demo's random draws depend on the date (nights are fuller in winter, so more numbers are
taken), so a promise that holds today may fail next month: on 29 and 30 November 2026 the house
for single mothers had every room taken and the demo household got none. The demo is seeded at
frozen moments across a year (both DST switches, month and year ends, 29 February, just after
midnight and just before it) and its promises checked each time.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from cases.models import WalkIn
from shelters import selectors
from shelters.demo import MOTHER_HOUSE, NIGHT_SHELTER, SHELTER
from shelters.models import (
    Ban,
    Bed,
    Facility,
    Hold,
    MemberStay,
    Room,
    RoomAllocation,
    Stay,
    WaitlistEntry,
)

WARSAW = ZoneInfo("Europe/Warsaw")

MOMENTS = [
    # The two dates on which the demo placed no household.
    datetime.datetime(2026, 11, 29, 22, 0, tzinfo=WARSAW),
    datetime.datetime(2026, 11, 30, 0, 30, tzinfo=WARSAW),
    # New Year's Eve just before midnight, and New Year's Day just after.
    datetime.datetime(2026, 12, 31, 23, 30, tzinfo=WARSAW),
    datetime.datetime(2027, 1, 1, 0, 30, tzinfo=WARSAW),
    # The spring DST switch (02:00 → 03:00 on 28 March 2027): before and after.
    datetime.datetime(2027, 3, 28, 1, 30, tzinfo=WARSAW),
    datetime.datetime(2027, 3, 28, 3, 30, tzinfo=WARSAW),
    # A summer month end, late at night (nights are emptier in summer).
    datetime.datetime(2027, 6, 30, 23, 30, tzinfo=WARSAW),
    # The autumn DST switch (03:00 → 02:00 on 31 October 2027): the hour that happens twice.
    datetime.datetime(2027, 10, 31, 2, 30, fold=0, tzinfo=WARSAW),
    datetime.datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=WARSAW),
    # 29 February, just after midnight and just before the next one.
    datetime.datetime(2028, 2, 29, 0, 30, tzinfo=WARSAW),
    datetime.datetime(2028, 2, 29, 23, 30, tzinfo=WARSAW),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.isoformat())
@override_settings(DEMO=True)
def test_the_demo_keeps_its_promises_on_any_date(db, moment):
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo")
        counts = (Stay.objects.count(), Hold.objects.count(), WaitlistEntry.objects.count())
        call_command("seed_demo")

        # Seeding twice adds nothing.
        assert (Stay.objects.count(), Hold.objects.count(), WaitlistEntry.objects.count()) == counts

        # The demo household has a room in the house for single mothers, with both children.
        allocation = RoomAllocation.objects.get()
        assert allocation.facility.name == MOTHER_HOUSE
        assert allocation.ended_at is None
        assert MemberStay.objects.filter(allocation=allocation, ended_at__isnull=True).count() == 2
        mother = Stay.objects.get(client_id=allocation.household.head_id, ended_at__isnull=True)
        assert mother.bed.room == allocation.room

        # Each family room has a bed for everyone staying in it: the mother's stay and her
        # children's (MemberStay) never outnumber its beds, so the house's occupancy (which
        # counts both) cannot pass 100 %. The demo household (3 people) has 3 or 4 beds.
        for room in Room.objects.filter(facility__name=MOTHER_HOUSE):
            staying = (
                Stay.objects.open().filter(bed__room=room).count()
                + MemberStay.objects.open().filter(room=room).count()
            )
            assert staying <= room.beds.filter(is_overflow=False).count(), room.name
            # No two households (or single mothers) share a family room.
            assert Stay.objects.open().filter(bed__room=room).count() <= 1, room.name
        assert allocation.room.beds.count() >= 3

        # The house keeps a free room for the next household.
        house_beds = Bed.objects.filter(facility__name=MOTHER_HOUSE)
        taken = Stay.objects.open().values("bed_id")
        assert house_beds.exclude(pk__in=taken).exists()

        # Tonight's shelter: two holds, people waiting, bans, guests in the night shelter. The
        # demo mother's ban and waitlist place (for her data package) are one of each.
        assert Hold.objects.filter(facility__name=SHELTER).count() == 2
        assert WaitlistEntry.objects.count() == 7 + 1
        assert Ban.objects.filter(facility__name=NIGHT_SHELTER).count() == 1 + 1
        assert Stay.objects.open().filter(facility__name=NIGHT_SHELTER).count() >= 20

        # The house's household check-in offers a waiting mother with her two children.
        house = Facility.objects.get(name=MOTHER_HOUSE)
        offered = list(selectors.household_check_in_households(house))
        assert [h.children for h in offered] == [2]
        assert selectors.rooms_without_household(house).exists()

        # Two "Ryszard D." known to the night shelter: one banned, one waiting; the check-in
        # search shows both, told apart, the banned one marked.
        night_shelter = Facility.objects.get(name=NIGHT_SHELTER)
        found, _count = selectors.check_in_candidates(night_shelter, "ryszard d")
        namesakes = [c for c in found if c.person.name == "Ryszard D."]
        assert len(namesakes) >= 2
        assert len({c.person.marks for c in namesakes}) == len(namesakes)
        assert any(c.banned_until for c in namesakes) and any(c.is_waiting for c in namesakes)

        # Two walk-ins of tonight wait in the foundation's new-walk-ins list, each in a bed.
        walk_ins = WalkIn.objects.waiting().of_organisation(night_shelter.organisation_id)
        assert walk_ins.count() == 2
        assert Stay.objects.open().filter(client__in=walk_ins.values("client")).count() == 2

        # Nobody is in two beds at once, and no bed holds two people.
        open_stays = Stay.objects.open()
        assert open_stays.values("client_id").distinct().count() == open_stays.count()
        assert open_stays.values("bed_id").distinct().count() == open_stays.count()


@override_settings(DEMO=True)
def test_every_open_demo_stay_can_be_checked_out(db):
    # The load test (bench/load) found it: the demo's stays had nobody who checked them in, so
    # the check-out's validation refused them with an error on a field the form does not have.
    from accounts.models import User
    from shelters import services

    with time_machine.travel(MOMENTS[0], tick=False):
        call_command("seed_demo")
        desk = User.objects.get(username="schronisko")
        assert not Stay.objects.filter(checked_in_by__isnull=True).exists()
        stay = Stay.objects.filter(ended_at__isnull=True, facility__name=SHELTER).first()

        services.stay_check_out(by=desk, stay=stay, destination="family")

        stay.refresh_from_db()
        assert stay.ended_at is not None
        assert stay.checked_out_by == desk


@override_settings(DEMO=True)
def test_the_house_for_single_mothers_is_never_over_full_in_the_demos_figures(db):
    """The outcome report's occupancy counts the children's nights (MemberStay) as places taken:
    with family rooms of one bed the demo household made its room 300 % full."""
    from reports.measures import outcome_report

    with time_machine.travel(MOMENTS[0], tick=False):
        call_command("seed_demo")
        today = MOMENTS[0].date()
        figures = outcome_report(start=today - datetime.timedelta(days=90), end=today)
    house = figures["occupancy"][MOTHER_HOUSE]
    assert house
    assert all(percent <= 100 for percent in house.values()), house
