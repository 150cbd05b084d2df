"""The ladder measure: moves between pathway stages dated in the period (docs/measures.md)."""

import datetime

import pytest

from cases.models import PathwayStep
from reports.measures import outcome_report
from reports.suppression import suppress_report
from tests.factories import make_client

D = datetime.date
YEAR = {"start": D(2025, 1, 1), "end": D(2025, 12, 31)}


def _steps(client, *steps):
    for stage, day in steps:
        PathwayStep.objects.create(client=client, stage=stage, on=day, source="derived")


@pytest.fixture
def lives(db):
    # A: entered 2024-12-20 (before the period: not counted), emergency -> shelter 2025-02-01,
    #    shelter -> training 2025-03-01, training -> open_market 2026-01-05 (after: not counted).
    _steps(
        make_client(),
        ("emergency", D(2024, 12, 20)),
        ("shelter", D(2025, 2, 1)),
        ("training", D(2025, 3, 1)),
        ("open_market", D(2026, 1, 5)),
    )
    # B: entry -> shelter 2025-01-01 (the period's first day), shelter -> emergency 2025-12-31
    #    (a step down, on the last day), emergency again 2025-12-31 recorded later: no move.
    _steps(
        make_client(),
        ("shelter", D(2025, 1, 1)),
        ("emergency", D(2025, 12, 31)),
        ("emergency", D(2025, 12, 31)),
    )
    # C: entry -> street 2025-06-01, street -> emergency 2025-06-02.
    _steps(make_client(), ("street", D(2025, 6, 1)), ("emergency", D(2025, 6, 2)))


def test_moves_dated_in_the_period_from_the_stage_before(lives):
    ladder = outcome_report(**YEAR)["ladder"]
    # By hand: A emergency->shelter, shelter->training; B entry->shelter, shelter->emergency;
    # C entry->street, street->emergency. Six moves.
    assert ladder["moves"] == {
        "emergency": {"shelter": 1},
        "shelter": {"training": 1, "emergency": 1},
        "entry": {"shelter": 1, "street": 1},
        "street": {"emergency": 1},
    }
    assert ladder["total"] == 6


def test_the_ladder_table_is_suppressed_with_its_totals(lives):
    shown = suppress_report(outcome_report(**YEAR))["ladder"]
    # Every cell is 1 (below 5): all hidden; the grand total 6 is shown only if it cannot
    # reveal a hidden cell: every row and column total is small, so they are hidden too.
    assert all(value != 1 for cells in shown["rows"].values() for value in cells.values())
    assert shown["total"] == 6
