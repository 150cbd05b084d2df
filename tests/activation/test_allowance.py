"""The integration allowance: the three months worked by hand in docs/activation.md, to the grosz,
and each rule of the engine on its own."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activation import services
from activation.allowance import (
    MissingRule,
    allowance_for,
    allowances_for_cohort,
    to_grosze,
)
from activation.models import AllowanceRateRule
from tests.activation.conftest import enrol_active, travel
from tests.factories import make_client

D = datetime.date


def mark(coach, cohort, day, statuses, notes=None):
    """Save `day` for the cohort (the clock a day later): everyone not marked is present."""
    with travel(day + datetime.timedelta(days=1)):
        services.attendance_save_day(
            by=coach, cohort=cohort, day=day, statuses=statuses, notes=notes, seen=None
        )


def deductions(breakdown):
    return {d.code: (d.days, d.amount) for d in breakdown.deductions}


@pytest.fixture
def since_october(social_worker, job_coach, participant, cohort, cis_rules):
    """A participant since 1 October 2025: the trial month ended on 1 November 2025."""
    return enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2025, 10, 1),
    )


# --- The three worked months of docs/activation.md ---------------------------------------------


def test_worked_month_1_a_full_month_with_two_unexcused_days_and_a_bonus(
    since_october, job_coach, cohort, manager
):
    enrolment = since_october
    mark(job_coach, cohort, D(2026, 3, 10), {enrolment.pk: "unexcused"})
    mark(job_coach, cohort, D(2026, 3, 17), {enrolment.pk: "unexcused"})
    mark(job_coach, cohort, D(2026, 3, 18), {})
    with travel(D(2026, 4, 2)):
        services.allowance_bonus_set(
            by=manager, enrolment=enrolment, month=D(2026, 3, 1), amount=Decimal("300.00")
        )
    month = allowance_for(enrolment, D(2026, 3, 1))
    # Base 1721.90 (from 1 June 2025) at 120% (rule from 15 February 2022): 2066.28.
    assert (month.base, month.percent) == (Decimal("1721.90"), Decimal("120.00"))
    assert month.participation_days == 31 and month.is_full_month
    assert month.gross == Decimal("2066.28")
    # Two unexcused days: 2 × 2066.28 / 20 = 206.628 → 206.63.
    assert deductions(month) == {"unexcused": (2, Decimal("206.63"))}
    assert month.attendance == {
        "present": 1,
        "excused": 0,
        "unexcused": 2,
        "sick": 0,
        "day_off": 0,
        "other": 0,
    }
    assert not month.forfeited
    # 2066.28 − 206.63 + 300.00 = 2159.65.
    assert month.bonus == Decimal("300.00")
    assert month.amount == Decimal("2159.65")


@pytest.fixture
def from_december_2021(social_worker, job_coach, participant, cohort, cis_rules):
    """A participant since 15 December 2021: the trial month runs to 15 January 2022."""
    return enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2021, 12, 15),
    )


def test_worked_month_2_a_trial_month_across_the_2022_rule_change(
    from_december_2021, job_coach, cohort
):
    enrolment = from_december_2021
    assert enrolment.trial_ends_on == D(2022, 1, 15)
    # December 2021, old rule: 50% of 1240.80 in the trial month = 620.40 for a whole month;
    # 17 days of 31 (15-31 December): 17 × 620.40 / 30 = 351.56.
    december = allowance_for(enrolment, D(2021, 12, 1))
    assert [(p.percent, p.in_trial, p.days) for p in december.periods] == [
        (Decimal("50.00"), True, 17)
    ]
    assert december.participation_days == 17 and not december.is_full_month
    assert december.gross == Decimal("351.56")
    assert december.amount == Decimal("351.56")

    # January 2022, new rule (in force 15 February, with effect from 1 January): 120% from the
    # first day, the trial month included: 1.2 × 1240.80 = 1488.96 for the whole month.
    mark(job_coach, cohort, D(2022, 1, 10), {enrolment.pk: "sick"})
    mark(job_coach, cohort, D(2022, 1, 20), {enrolment.pk: "sick"})
    january = allowance_for(enrolment, D(2022, 1, 1))
    assert [(p.percent, p.in_trial, p.days) for p in january.periods] == [
        (Decimal("120.00"), True, 15),
        (Decimal("120.00"), False, 16),
    ]
    assert january.gross == Decimal("1488.96")
    # Sick on 10 January, in the trial month: no allowance that day, 1488.96 / 30 = 49.632.
    # Sick on 20 January, after it: reduced by 1488.96 / 40 = 37.224.
    assert deductions(january) == {
        "sick": (1, Decimal("37.22")),
        "sick_unpaid": (1, Decimal("49.63")),
    }
    # 1488.96 − 37.22 − 49.63 = 1402.11.
    assert january.amount == Decimal("1402.11")

    # Had the law not changed, January would have been paid under the 2020 row: the trial
    # days (1-15) at 620.40, the others at 1240.80: (15 × 620.40 + 16 × 1240.80) / 31 =
    # 29158.80 / 31 = 940.606 → 940.61; the trial sick day 620.40 / 30 = 20.68, the other
    # 1240.80 / 40 = 31.02; 940.61 − 31.02 − 20.68 = 888.91.
    AllowanceRateRule.objects.filter(valid_from__gte=D(2022, 1, 1)).delete()
    old_rule = allowance_for(enrolment, D(2022, 1, 1))
    assert old_rule.gross == Decimal("940.61")
    assert deductions(old_rule) == {
        "sick": (1, Decimal("31.02")),
        "sick_unpaid": (1, Decimal("20.68")),
    }
    assert old_rule.amount == Decimal("888.91")


def test_worked_month_3_a_partial_month_with_sick_days_and_a_day_off(
    social_worker, job_coach, participant, cohort, cis_rules
):
    enrolment = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2025, 10, 6),
    )
    # Earlier in the enrolment: 19 sick days (January 2026) and 2 days off (February).
    sick_days = [D(2026, 1, 1) + datetime.timedelta(days=n) for n in range(19)]
    for day in sick_days:
        mark(job_coach, cohort, day, {enrolment.pk: "sick"})
    for day in (D(2026, 2, 2), D(2026, 2, 3)):
        mark(job_coach, cohort, day, {enrolment.pk: "day_off"})
    # September 2026: sick 8-10 September, a day off on 14 September, completed on the 18th.
    for day in (D(2026, 9, 8), D(2026, 9, 9), D(2026, 9, 10)):
        mark(job_coach, cohort, day, {enrolment.pk: "sick"})
    mark(job_coach, cohort, D(2026, 9, 14), {enrolment.pk: "day_off"})
    with travel(D(2026, 9, 18)):
        services.enrolment_set_status(
            by=job_coach, enrolment=enrolment, status="completed", on=D(2026, 9, 18)
        )
    month = allowance_for(enrolment, D(2026, 9, 1))
    # Base 1783.90 (from 1 June 2026) × 120% = 2140.68; 18 of 30 days: 18 × 2140.68 / 30.
    assert month.participation_days == 18
    assert month.gross == Decimal("1284.41")
    # 19 sick days used of 21: two more at 1/40 (2 × 53.517 = 107.034), the third unpaid at
    # 1/30 (71.356). The day off is the third of six: paid in full.
    assert deductions(month) == {
        "sick": (2, Decimal("107.03")),
        "sick_unpaid": (1, Decimal("71.36")),
    }
    assert month.attendance["day_off"] == 1
    # 1284.41 − 107.03 − 71.36 = 1106.02.
    assert month.amount == Decimal("1106.02")


# --- Each rule on its own -----------------------------------------------------------------------


def test_a_month_with_a_rule_changing_within_it_is_split_at_the_change(from_december_2021):
    # February 2022: the rule of 1 January until the 14th, the rule of 15 February after it.
    february = allowance_for(from_december_2021, D(2022, 2, 1))
    assert [(p.first, p.last) for p in february.periods] == [
        (D(2022, 2, 1), D(2022, 2, 14)),
        (D(2022, 2, 15), D(2022, 2, 28)),
    ]
    assert february.gross == Decimal("1488.96")


def test_a_month_with_no_rule_in_force_is_refused_naming_the_rule(
    social_worker, job_coach, participant, cohort, cis_rules
):
    enrolment = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2020, 7, 1),
    )
    # The base amount table starts on 1 September 2020: July 2020 has none.
    with pytest.raises(MissingRule) as refused:
        allowance_for(enrolment, D(2020, 7, 1))
    assert refused.value.code == "missing_rule"
    assert refused.value.day == D(2020, 7, 1)
    # Named in the user's words: "Brak kwoty bazowej świadczenia (zasiłku dla bezrobotnych)…".
    assert "zasiłku dla bezrobotnych" in refused.value.messages[0]


def test_a_cis_without_its_own_rules_is_refused_naming_them(
    social_worker, job_coach, participant, cohort
):
    enrolment = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2026, 3, 2),
    )
    with pytest.raises(MissingRule) as refused:
        allowance_for(enrolment, D(2026, 4, 1))
    assert "zasady świadczenia programu" in refused.value.messages[0]


def test_a_workshop_pays_no_integration_allowance(
    social_worker, job_coach, participant, laundry_cohort
):
    enrolment = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=laundry_cohort,
        started_on=D(2026, 3, 2),
    )
    with pytest.raises(ValidationError) as refused:
        allowance_for(enrolment, D(2026, 3, 1))
    assert refused.value.code == "not_cis"


def test_past_the_centre_s_limit_of_unexcused_days_the_month_is_lost(
    since_october, job_coach, cohort
):
    days = [D(2026, 5, 4), D(2026, 5, 5), D(2026, 5, 6)]
    for day in days:
        mark(job_coach, cohort, day, {since_october.pk: "unexcused"})
    three = allowance_for(since_october, D(2026, 5, 1))
    # Three unexcused days are within the regulations' 3: 2066.28 − 3 × 103.314 (309.94).
    assert not three.forfeited and three.amount == Decimal("1756.34")
    mark(job_coach, cohort, D(2026, 5, 7), {since_october.pk: "unexcused"})
    four = allowance_for(since_october, D(2026, 5, 1))
    assert four.forfeited and four.amount == Decimal("0.00")
    # The list still adds up: the forfeit takes what the four days left.
    assert sum(d.amount for d in four.deductions) == four.gross


def test_excused_and_other_absences_are_unpaid_days(since_october, job_coach, cohort):
    mark(job_coach, cohort, D(2026, 5, 4), {since_october.pk: "excused"})
    mark(
        job_coach,
        cohort,
        D(2026, 5, 5),
        {since_october.pk: "other"},
        notes={since_october.pk: "Wezwanie do sądu"},
    )
    month = allowance_for(since_october, D(2026, 5, 1))
    # 2066.28 / 30 = 68.876 each.
    assert deductions(month) == {
        "excused": (1, Decimal("68.88")),
        "other": (1, Decimal("68.88")),
    }


def test_days_off_beyond_the_limit_cost_as_unexcused_days(
    since_october, job_coach, cohort, cis, manager
):
    services.programme_allowance_rule_set(
        by=manager,
        programme=cis,
        valid_from=D(2026, 1, 1),
        forfeit_after_unexcused_days=None,
        days_off_limit=1,
        source="Regulamin CIS Przystań, § 7 (2026)",
    )
    mark(job_coach, cohort, D(2026, 5, 4), {since_october.pk: "day_off"})
    mark(job_coach, cohort, D(2026, 5, 5), {since_october.pk: "day_off"})
    month = allowance_for(since_october, D(2026, 5, 1))
    # The first day off is within the centre's limit of 1; the second costs 2066.28 / 20.
    assert deductions(month) == {"day_off_uncovered": (1, Decimal("103.31"))}


def test_suspended_days_are_not_paid(since_october, job_coach):
    with travel(D(2026, 5, 31)):
        services.enrolment_set_status(
            by=job_coach, enrolment=since_october, status="suspended", on=D(2026, 5, 11)
        )
        services.enrolment_set_status(
            by=job_coach, enrolment=since_october, status="active", on=D(2026, 5, 21)
        )
    month = allowance_for(since_october, D(2026, 5, 1))
    # 11-20 May suspended: 21 of 31 days, 21 × 2066.28 / 30 = 1446.396.
    assert month.participation_days == 21
    assert month.amount == Decimal("1446.40")


def test_attendance_recorded_before_a_later_suspension_is_not_counted(
    since_october, job_coach, cohort
):
    mark(job_coach, cohort, D(2026, 5, 12), {since_october.pk: "unexcused"})
    with travel(D(2026, 5, 31)):
        services.enrolment_set_status(
            by=job_coach, enrolment=since_october, status="suspended", on=D(2026, 5, 11)
        )
    month = allowance_for(since_october, D(2026, 5, 1))
    assert month.deductions == ()
    assert month.participation_days == 10


def test_the_bonus_is_capped_and_only_after_the_trial_month(active_enrolment, manager):
    # Started 2 March 2026: the trial month runs to 2 April. March is all trial.
    with travel(D(2026, 5, 2)):
        with pytest.raises(ValidationError) as trial:
            services.allowance_bonus_set(
                by=manager, enrolment=active_enrolment, month=D(2026, 3, 1), amount=100
            )
        with pytest.raises(ValidationError) as cap:
            services.allowance_bonus_set(
                by=manager, enrolment=active_enrolment, month=D(2026, 4, 1), amount=2066.29
            )
        bonus = services.allowance_bonus_set(
            by=manager, enrolment=active_enrolment, month=D(2026, 4, 1), amount=2066.28
        )
    assert (trial.value.code, cap.value.code) == ("trial", "cap")
    assert bonus.amount == Decimal("2066.28")


def test_a_job_coach_cannot_grant_a_bonus(since_october, job_coach):
    from django.core.exceptions import PermissionDenied

    with travel(D(2026, 5, 2)), pytest.raises(PermissionDenied):
        services.allowance_bonus_set(
            by=job_coach, enrolment=since_october, month=D(2026, 4, 1), amount=100
        )


def test_a_cohort_s_month_takes_the_same_queries_for_5_and_25_participants(
    social_worker, job_coach, cis, cohort, cis_rules, manager
):
    small_cohort = services.cohort_create(
        by=manager,
        programme=cis,
        name="Grupa B",
        starts_on=D(2020, 1, 1),
        capacity=5,
        lead_coach=job_coach,
    )
    sizes = {}
    for target, size in ((small_cohort, 5), (cohort, 25)):
        people = [
            enrol_active(
                worker=social_worker,
                coach=job_coach,
                client=make_client(
                    first_name="Bogdan", surname=f"C{size}{n}", holder=social_worker
                ),
                cohort=target,
                started_on=D(2026, 3, 2),
            )
            for n in range(size)
        ]
        for day in (D(2026, 5, 4), D(2026, 5, 5)):
            mark(job_coach, target, day, {p.pk: "unexcused" for p in people[::2]})
        with CaptureQueriesContext(connection) as captured:
            months = allowances_for_cohort(target, D(2026, 5, 1))
        sizes[size] = len(captured)
        assert len(months) == size
        assert all(m.participation_days == 31 for m in months)
    # Enrolments, their suspensions, three rule tables, attendance counted in one grouped
    # query, the bonuses: seven queries for 5 participants and for 25.
    assert sizes[5] == sizes[25] == 7


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("206.628", "206.63"),
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("1284.408", "1284.41"),
        ("-0.005", "-0.01"),
    ],
)
def test_amounts_round_half_up_to_the_grosz(value, expected):
    from fractions import Fraction

    assert to_grosze(Fraction(value)) == Decimal(expected)
