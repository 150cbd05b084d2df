"""The demo's ladders read as the people's stories: registered (on the street) before their
first stay or enrolment, never ending with a step down to the street today."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from cases.models import Client, PathwayStep
from cases.pathway import pathway_recompute

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 11, 30, 0, 30, tzinfo=WARSAW),
        datetime.datetime(2028, 3, 1, 0, 30, tzinfo=WARSAW),
    ],
    ids=lambda m: m.isoformat(),
)
@override_settings(DEMO=True)
def test_no_demo_ladder_ends_with_a_manual_street_step_after_its_history(db, moment):
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo")
        ladders = 0
        for client in Client.objects.filter(
            registered_by__username__in=["pracownik", "pracownik2"]
        ):
            steps = pathway_recompute(client=client)
            derived = [s for s in steps if s.source == PathwayStep.Source.DERIVED]
            street = [
                s for s in steps if s.source == PathwayStep.Source.MANUAL and s.stage == "street"
            ]
            if not derived:
                continue
            ladders += 1
            # The registration's street step comes before the first stay or enrolment...
            assert all(s.on <= derived[0].on for s in street), client.pk
            # ...so the latest step is never a manual step down to the street after the history.
            latest = steps[-1]
            assert not (
                latest.source == PathwayStep.Source.MANUAL
                and latest.stage == "street"
                and latest.on > derived[-1].on
            ), client.pk
        # The demo has ladders with a history (stays, enrolments, placements).
        assert ladders >= 5
