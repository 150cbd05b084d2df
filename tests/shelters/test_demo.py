"""The shelters' demo data: the demo household in a room of the house for single mothers."""

from django.core.management import call_command
from django.test import override_settings

from shelters.demo import MOTHER_HOUSE
from shelters.models import MemberStay, RoomAllocation, Stay


@override_settings(DEMO=True)
def test_the_demo_household_has_a_room_in_the_house_and_seeding_twice_adds_nothing(db):
    call_command("seed_demo")
    call_command("seed_demo")
    allocation = RoomAllocation.objects.get()
    assert allocation.facility.name == MOTHER_HOUSE
    assert allocation.ended_at is None
    assert MemberStay.objects.filter(allocation=allocation, ended_at__isnull=True).count() == 2
    mother_stay = Stay.objects.get(client_id=allocation.household.head_id, ended_at__isnull=True)
    assert mother_stay.bed.room == allocation.room
