"""What the database enforces by itself, and the rules shipped as data."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from activation.models import (
    AllowanceBase,
    AllowanceRateRule,
    Attendance,
    FollowUp,
    Placement,
    Programme,
    Trade,
)

D = datetime.date


def test_the_foundation_s_trades_are_on_the_list(db):
    assert set(Trade.objects.values_list("code", flat=True)) >= {
        "carpentry",
        "locksmithing",
        "laundry",
        "catering",
        "sewing",
    }


def test_the_2022_rule_change_is_shipped_as_dated_rows_with_sources(db):
    rules = {r.valid_from: r for r in AllowanceRateRule.objects.all()}
    before, january, february = rules[D(2020, 1, 1)], rules[D(2022, 1, 1)], rules[D(2022, 2, 15)]
    # Before 2022: 50% in the trial month, 100% after it.
    assert (before.trial_month_percent, before.percent) == (Decimal("50.00"), Decimal("100.00"))
    # From 1 January 2022 (the amendment of 13 January 2022, with effect from that day): 120%
    # from the first day, no reduced trial month.
    assert (january.trial_month_percent, january.percent) == (None, Decimal("120.00"))
    assert february.percent == Decimal("120.00")
    for rule in rules.values():
        assert "zatrudnieniu socjalnym" in rule.source
    assert "2022 poz. 218" in january.source


def test_the_base_amounts_are_dated_rows_with_their_sources(db):
    bases = dict(AllowanceBase.objects.values_list("valid_from", "amount"))
    assert bases[D(2021, 6, 1)] == Decimal("1240.80")
    assert bases[D(2026, 6, 1)] == Decimal("1783.90")
    assert all(AllowanceBase.objects.values_list("source", flat=True))


def test_the_database_refuses_a_workshop_without_a_trade(foundation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(organisation=foundation, name="Warsztat", kind="workshop")


def test_the_database_refuses_a_placement_with_two_employers_or_none(participant, cooperative):
    common = {
        "client": participant,
        "kind": "open_market",
        "started_on": D(2026, 1, 5),
        "contract_type": "none",
        "wage_band": "not_known",
    }
    for employer in ({}, {"employer_organisation": cooperative, "employer_name": "Firma"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Placement.objects.create(**common, **employer)


def test_the_database_refuses_a_follow_up_at_another_month_or_an_undated_answer(participant):
    placement = Placement.objects.create(
        client=participant,
        kind="open_market",
        started_on=D(2026, 1, 5),
        employer_name="Firma",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(placement=placement, months=9, due_on=D(2026, 10, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            placement=placement, months=3, due_on=D(2026, 4, 5), answer="unreachable"
        )


def test_the_database_refuses_a_second_attendance_row_for_one_day(active_enrolment):
    Attendance.objects.create(enrolment=active_enrolment, day=D(2026, 3, 3), status="present")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(enrolment=active_enrolment, day=D(2026, 3, 3), status="sick")


def test_a_row_s_client_is_always_its_enrolment_s(active_enrolment, social_worker):
    from tests.factories import make_client

    other = make_client(first_name="Halina", surname="Wierzbowa", holder=social_worker)
    row = Attendance(enrolment=active_enrolment, client=other, day=D(2026, 3, 4), status="sick")
    row.save()
    assert row.client_id == active_enrolment.client_id
