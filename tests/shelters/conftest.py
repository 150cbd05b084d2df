"""Fixtures of the shelters tests: clients known to facility A, and a fixed evening."""

import datetime
import zoneinfo

import pytest
import time_machine

from tests.factories import make_client


@pytest.fixture
def man(db):
    return make_client(first_name="Zdzisław", surname="Kalinowski", sex="male")


@pytest.fixture
def woman(db):
    return make_client(first_name="Halina", surname="Wierzbowa", sex="female")


@pytest.fixture
def beds(facility_a):
    """Facility A's beds by label: 1.1-1.3 in the men's room, 2.1-2.2 in the women's room."""
    return {bed.label: bed for bed in facility_a.beds.all()}


EVENING = datetime.datetime(2026, 1, 15, 21, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Warsaw"))


@pytest.fixture
def evening():
    """The clock stopped at 21:00 on a winter evening (15 January 2026, Warsaw)."""
    with time_machine.travel(EVENING, tick=False):
        yield EVENING
