"""Properties of the allowance's arithmetic, over generated months, rules and attendance.

The engine's arithmetic (activation.allowance.breakdown) runs on rows in memory here, so that
hypothesis can try thousands of months; the SQL that counts attendance is pinned by the worked
months of test_allowance.py.
"""

import datetime
from decimal import ROUND_CEILING, Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from activation.allowance import Rules, breakdown
from activation.dates import add_months, month_end, month_start
from activation.models import (
    AllowanceBase,
    AllowanceRateRule,
    AttendanceStatus,
    Enrolment,
    EnrolmentSuspension,
    ProgrammeAllowanceRule,
)

STATUSES = [s for s in AttendanceStatus.values if s != AttendanceStatus.PRESENT]
money = st.decimals(min_value=Decimal("300.00"), max_value=Decimal("4000.00"), places=2)
percent = st.decimals(min_value=Decimal("10.00"), max_value=Decimal("150.00"), places=2)


@st.composite
def months(draw):
    """A participant's month under one set of rules, and what was recorded in it."""
    month = draw(st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 1))).replace(day=1)
    first, last = month_start(month), month_end(month)
    started = draw(st.dates(first - datetime.timedelta(days=90), last))
    ended = draw(st.none() | st.dates(started, last + datetime.timedelta(days=40)))
    is_cis_trial = draw(st.booleans())
    enrolment = Enrolment(
        pk=1,
        status="active" if ended is None else "completed",
        started_on=started,
        ended_on=ended,
        trial_ends_on=add_months(started, 1) if is_cis_trial else None,
    )
    suspensions = []
    if draw(st.booleans()):
        starts = draw(st.dates(started, last))
        ends = draw(st.none() | st.dates(starts, last + datetime.timedelta(days=10)))
        suspensions.append(EnrolmentSuspension(starts_on=starts, ends_on=ends))
    rules = Rules(
        bases=[AllowanceBase(valid_from=datetime.date(2019, 1, 1), amount=draw(money))],
        rates=[
            AllowanceRateRule(
                valid_from=datetime.date(2019, 1, 1),
                trial_month_percent=draw(st.none() | percent),
                percent=draw(percent),
                unexcused_day_divisor=draw(st.integers(15, 25)),
                sick_day_divisor=draw(st.integers(25, 60)),
                unpaid_day_divisor=draw(st.integers(28, 31)),
                sick_paid_days=draw(st.integers(0, 30)),
                days_off_max=draw(st.integers(0, 10)),
                bonus_cap_percent=draw(st.decimals(min_value=0, max_value=100, places=2)),
            )
        ],
        programme_rules=[
            ProgrammeAllowanceRule(
                valid_from=datetime.date(2019, 1, 1),
                forfeit_after_unexcused_days=draw(st.none() | st.integers(0, 10)),
                days_off_limit=draw(st.integers(0, 10)),
            )
        ],
    )
    counts = {}
    for status in STATUSES:
        for in_trial in (True, False):
            counts[status, 0, in_trial] = draw(st.integers(0, 6))
        counts[status, -1, False] = draw(st.integers(0, 25))
    bonus = draw(st.none() | st.decimals(min_value=0, max_value=Decimal("5000.00"), places=2))
    return enrolment, suspensions, month, rules, counts, bonus


def compute(enrolment, suspensions, month, rules, counts, bonus):
    return breakdown(
        enrolment,
        month,
        suspensions=suspensions,
        rules=rules,
        counts=counts,
        bonus_entered=bonus,
    )


@settings(max_examples=400, deadline=None)
@given(months())
def test_the_allowance_is_never_below_zero_nor_above_base_times_rate_plus_bonus(case):
    enrolment, suspensions, month, rules, counts, bonus = case
    result = compute(*case)
    rate = rules.rates[0]
    highest = max(rate.percent, rate.trial_month_percent or Decimal("0"))
    # The full month at the highest rate, rounded up to the grosz, plus the bonus as entered.
    bound = (rules.bases[0].amount * highest / 100).quantize(Decimal("0.01"), ROUND_CEILING)
    assert result.amount >= 0
    assert result.amount <= bound + (bonus or 0)
    assert result.bonus <= (bonus or 0)


@settings(max_examples=400, deadline=None)
@given(months(), st.booleans())
def test_moving_a_present_day_to_unexcused_never_raises_the_allowance(case, in_trial):
    enrolment, suspensions, month, rules, counts, bonus = case
    before = compute(*case)
    # The moved day must be a day of participation of that kind (trial or not) this month.
    assume(
        any(
            p.in_trial == in_trial and p.days > sum_recorded(counts, in_trial)
            for p in before.periods
        )
    )
    moved = dict(counts)
    moved[AttendanceStatus.UNEXCUSED, 0, in_trial] += 1
    after = compute(enrolment, suspensions, month, rules, moved, bonus)
    assert after.amount <= before.amount


def sum_recorded(counts, in_trial):
    return sum(
        n for (status, period, trial), n in counts.items() if period == 0 and trial == in_trial
    )
