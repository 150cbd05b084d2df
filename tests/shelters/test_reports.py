"""Occupancy figures by SQL aggregation: bed-nights, capacity, night count, exits, city counts."""

import datetime

import time_machine

from shelters import reports, services
from tests.factories import make_client

D = datetime.timedelta(days=1)


def test_bed_nights_capacity_and_exits_follow_the_stays(staff_of_a, facility_a, beds, evening):
    night = evening.date()
    stay = services.stay_check_in(
        by=staff_of_a, facility=facility_a, client=make_client(sex="male")
    )
    with time_machine.travel(evening + 2 * D + datetime.timedelta(hours=-10), tick=False):
        services.stay_check_out(by=staff_of_a, stay=stay, destination="rented_room")
    with time_machine.travel(evening + 5 * D, tick=False):
        nights = reports.bed_nights([facility_a], night - D, night + 4 * D)
        capacity = reports.capacity_nights([facility_a], night, night + 2 * D, by="month")
        length = reports.length_of_stay([facility_a], night, night + 5 * D)
        exits = reports.exits_by_destination([facility_a], night, night + 5 * D)
    # Checked in on the 15th at 21:00, out on the 17th at 11:00: the nights of the 15th and 16th.
    assert nights == {(facility_a.pk, night): 1, (facility_a.pk, night + D): 1}
    assert capacity == {(facility_a.pk, night.replace(day=1)): 10}
    assert length == {"stays": 1, "nights": 2, "average": 2}
    assert exits == {"rented_room": 1}


def test_the_night_count_counts_people_by_facility_type_and_sex(
    staff_of_a, facility_a, man, woman, evening
):
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=woman)
    table = reports.night_count([facility_a], evening.date())
    assert table == [
        {
            "kind": "night_shelter",
            "label": table[0]["label"],
            "female": 1,
            "male": 1,
            "not_known": 0,
            "total": 2,
        }
    ]
    assert reports.night_count([facility_a], evening.date() - D) == []


def test_city_counts_match_the_board(staff_of_a, facility_a, facility_b, man, evening):
    from shelters.selectors import bed_board, bed_counts

    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    counts = bed_counts([facility_a, facility_b], evening)
    board = bed_board(facility_a, evening).counts
    assert counts[facility_a.pk].free == board.free == 4
    assert counts[facility_a.pk].occupied == board.occupied == 1
    assert counts[facility_a.pk].free_women == board.free_women == 2
    assert counts[facility_b.pk].free == 2


def test_bed_nights_by_month_equal_the_sum_of_the_days(staff_of_a, facility_a, evening):
    from tests.factories import make_client as person

    stay = services.stay_check_in(
        by=staff_of_a,
        facility=facility_a,
        client=person(sex="male"),
        started_at=evening - 20 * D,
    )
    services.stay_check_out(by=staff_of_a, stay=stay, destination="family")
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=person(sex="female"))
    start, end = evening.date() - 40 * D, evening.date() + D
    days = reports.bed_nights([facility_a], start, end)
    months = reports.bed_nights([facility_a], start, end, by="month")
    by_month = {}
    for (facility_id, day), n in days.items():
        key = (facility_id, day.replace(day=1))
        by_month[key] = by_month.get(key, 0) + n
    assert months == by_month
    assert sum(months.values()) == 21
