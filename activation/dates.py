"""Calendar arithmetic shared by activation and the reports that measure it."""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months, the day clipped to the end of a shorter month.

    31 January + 1 month is 28 (or 29) February; 29 February + 12 months is 28 February.
    Follow-ups fall due, and retention is measured, on these dates (docs/activation.md).
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


def month_start(day: datetime.date) -> datetime.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def days_in_month(day: datetime.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]
