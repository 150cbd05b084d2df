"""Months are added by the calendar, the day clipped to the month's end (follow-ups, retention)."""

import datetime

import pytest

from activation.dates import add_months, days_in_month, month_end, month_start

D = datetime.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # 31 January: February has no 31st, so its last day (28 in 2027, 29 in 2028).
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2027, 1, 31), 3, D(2027, 4, 30)),
        (D(2027, 1, 31), 6, D(2027, 7, 31)),
        (D(2027, 1, 31), 12, D(2028, 1, 31)),
        # 29 February: 12 months on is 28 February of a common year; 48 months on, 29 again.
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2028, 2, 29), 3, D(2028, 5, 29)),
        (D(2028, 2, 29), 48, D(2032, 2, 29)),
        # 30 and 31: a 30-day month clips the 31st, and a 31-day month keeps the 30th.
        (D(2026, 8, 31), 1, D(2026, 9, 30)),
        (D(2026, 8, 31), 3, D(2026, 11, 30)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 9, 30), 1, D(2026, 10, 30)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        # Across the year's end, and backwards.
        (D(2026, 11, 30), 12, D(2027, 11, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_adding_months_clips_the_day_to_the_end_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_the_month_helpers_know_february_of_a_leap_year():
    assert month_start(D(2028, 2, 17)) == D(2028, 2, 1)
    assert month_end(D(2028, 2, 17)) == D(2028, 2, 29)
    assert days_in_month(D(2027, 2, 1)) == 28
    assert days_in_month(D(2026, 12, 31)) == 31
