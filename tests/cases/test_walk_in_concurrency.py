"""Walk-ins under concurrency, on PostgreSQL: two workers take the same file at once, and two
walk-ins registered at once for the last bed; one wins each race and the loser leaves nothing."""

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Assignment, Client, WalkIn
from privacy.models import Subject
from shelters.models import Stay
from shelters.walkins import walk_in_admit
from tests.shelters.test_concurrency import race


def _admit(staff, facility, bed, surname):
    return walk_in_admit(
        by=staff,
        facility=facility,
        bed=bed,
        first_name="Zbigniew",
        surname=surname,
        sex="male",
        legal_basis="vital_interest",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_the_same_walk_in_at_once_give_one_holder(
    staff_of_a, facility_a, social_worker, other_social_worker
):
    stay = _admit(staff_of_a, facility_a, facility_a.beds.get(label="1.1"), "Przybysz")
    workers = [social_worker, other_social_worker]

    def take(number: int):
        return services.walk_in_take(by=workers[number], client_id=stay.client_id)

    results, errors = race(take, 2)

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError) and errors[0].code == "taken"
    assert Assignment.objects.filter(client_id=stay.client_id).count() == 1
    assert WalkIn.objects.get().taken_by == Assignment.objects.get().worker


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_walk_ins_for_the_last_bed_give_one_stay_and_leave_nothing_of_the_other(
    staff_of_a, facility_a
):
    last_bed = facility_a.beds.get(label="1.1")
    subjects = Subject.objects.count()

    def admit(number: int):
        return _admit(staff_of_a, facility_a, last_bed, f"Przybysz{number}")

    results, errors = race(admit, 2)

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert errors[0].code == "taken"
    # Nothing half-saved of the loser: one client, one data key, one walk-in, one stay.
    assert Client.objects.count() == 1
    assert WalkIn.objects.count() == 1
    assert Subject.objects.count() == subjects + 1
    assert Stay.objects.get().client_id == results[0].client_id
