"""Stays on the client's timeline are dated by the local day (Europe/Warsaw), not by UTC."""

import datetime
import zoneinfo

import time_machine

from accounts.reach import Part, Reach
from cases.access import ClientAccess
from shelters import services
from shelters.timeline import stay_events

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def test_a_check_in_at_half_past_midnight_is_on_that_local_day(staff_of_a, facility_a, man):
    # 00:30 in Warsaw on 10 March 2026 is 23:30 UTC on 9 March.
    arrival = datetime.datetime(2026, 3, 10, 0, 30, tzinfo=WARSAW)
    with time_machine.travel(arrival, tick=False):
        stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    with time_machine.travel(datetime.datetime(2026, 3, 11, 0, 40, tzinfo=WARSAW), tick=False):
        services.stay_check_out(by=staff_of_a, stay=stay, destination="family")
    events = list(
        stay_events(
            ClientAccess(
                client=man,
                reach=Reach(
                    ways=frozenset({"holder"}),
                    reads=frozenset({Part.IDENTITY, Part.FILE, Part.STAY}),
                ),
            )
        )
    )
    assert [(when, str(kind)) for when, kind, _text in events] == [
        (datetime.date(2026, 3, 10), "Pobyt"),
        (datetime.date(2026, 3, 11), "Wypis"),
    ]
