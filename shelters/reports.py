"""Figures over many facilities, computed by SQL aggregation (never by looping over clients).

- `night_count`: people in the facilities on a chosen night, by facility type and sex.
- `bed_nights`, `capacity_nights`: per facility and day or month, over a calendar of nights.
- `length_of_stay`, `exits_by_destination`: for the reports app.

A stay counts on every night from `night_of` to `last_night` (to tonight while it is open).
A household member's stay (`MemberStay`: a child in the mother's room) takes a place of that room
a night, so it counts in `night_count` and `bed_nights` as a client's stay does: the same rule as
the reports app's bed-nights and occupancy (docs/measures.md, "children's nights").
Tonight's free, occupied and held places per facility are `selectors.bed_counts`, the one
count the board, the facility list and the city view share.
"""

import datetime
from collections import defaultdict

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from shelters.models import FacilityKind, MemberStay, Stay

SEXES = ("female", "male", "not_known")


def _on_night(night: datetime.date) -> Q:
    return Q(night_of__lte=night) & (Q(last_night__isnull=True) | Q(last_night__gte=night))


def night_count(facilities, night: datetime.date) -> list[dict]:
    """People present on `night`, by facility type and sex (each person counted once per type)."""
    rows = (
        Stay.objects.filter(_on_night(night), facility__in=facilities)
        .values("facility__kind", "client__sex")
        .annotate(n=Count("client_id", distinct=True))
    )
    # Children (and other household members) of a house for single mothers count too.
    members = (
        MemberStay.objects.filter(_on_night(night), facility__in=facilities)
        .values("facility__kind", "member__sex")
        .annotate(n=Count("member_id", distinct=True))
    )
    table: dict[str, dict] = {}
    for row in rows:
        line = table.setdefault(row["facility__kind"], dict.fromkeys(SEXES, 0))
        line[row["client__sex"]] += row["n"]
    for row in members:
        line = table.setdefault(row["facility__kind"], dict.fromkeys(SEXES, 0))
        line[row["member__sex"]] += row["n"]
    result = []
    for kind, label in FacilityKind.choices:
        if kind in table:
            line = table[kind]
            result.append({"kind": kind, "label": label, **line, "total": sum(line.values())})
    return result


# Every stay that takes a place a night: the clients' and the household members' (no bed of
# their own, one place of the household's room each).
OCCUPYING = (
    "(SELECT facility_id, night_of, last_night FROM shelters_stay "
    "UNION ALL SELECT facility_id, night_of, last_night FROM shelters_memberstay)"
)


def _nights(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days)]


def _calendar_join(table_sql: str, condition: str, ids, start, end, params) -> list[tuple]:
    """Count rows of a table per (night, facility) over the nights [start, end), in SQL."""
    nights = _nights(start, end)
    if not nights or not ids:
        return []
    in_ids = ", ".join(["%s"] * len(ids))
    cast = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    values = ", ".join([f"({cast})"] * len(nights))
    sql = (
        f"WITH nights(d) AS (VALUES {values}) "  # noqa: S608 - only placeholders are interpolated
        f"SELECT nights.d, t.facility_id, COUNT(*) FROM nights "
        f"JOIN {table_sql} t ON {condition} "
        f"WHERE t.facility_id IN ({in_ids}) GROUP BY nights.d, t.facility_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*nights, *params, *ids])
        rows = cursor.fetchall()
    return [
        (d if isinstance(d, datetime.date) else datetime.date.fromisoformat(d), f, n)
        for d, f, n in rows
    ]


def _group(rows, by: str) -> dict[tuple[int, datetime.date], int]:
    result: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for night, facility_id, n in rows:
        key = night.replace(day=1) if by == "month" else night
        result[(facility_id, key)] += n
    return dict(result)


def _month_windows(start: datetime.date, end: datetime.date) -> list[tuple]:
    """(first night, last night) of each calendar month within [start, end)."""
    windows, first = [], start
    while first < end:
        next_month = (first.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        last = min(next_month, end) - datetime.timedelta(days=1)
        windows.append((first, last))
        first = next_month
    return windows


def _bed_nights_by_month(ids, start, end) -> dict[tuple[int, datetime.date], int]:
    """Per month, the sum over stays of their nights inside the month: one pass, no calendar.

    Each stay meets at most a few months, so the join stays small even for a year of 2,000 beds.
    """
    windows = _month_windows(start, end)
    if not windows or not ids:
        return {}
    if connection.vendor == "postgresql":
        pair = "(CAST(%s AS date), CAST(%s AS date))"
        nights = (
            "LEAST(COALESCE(t.last_night, CAST(%s AS date)), w.last) "
            "- GREATEST(t.night_of, w.first)"
        )
    else:
        pair = "(%s, %s)"
        nights = (
            "CAST(julianday(MIN(COALESCE(t.last_night, %s), w.last)) "
            "- julianday(MAX(t.night_of, w.first)) AS INTEGER)"
        )
    values = ", ".join([pair] * len(windows))
    in_ids = ", ".join(["%s"] * len(ids))
    sql = (
        f"WITH w(first, last) AS (VALUES {values}) "  # noqa: S608 - only placeholders interpolated
        f"SELECT w.first, t.facility_id, SUM({nights} + 1) FROM w "
        f"JOIN {OCCUPYING} t ON t.night_of <= w.last AND COALESCE(t.last_night, %s) >= w.first "
        f"WHERE t.facility_id IN ({in_ids}) GROUP BY w.first, t.facility_id"
    )
    today = timezone.localdate()
    params = [d for window in windows for d in window] + [today, today, *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = {}
    for first, facility_id, n in rows:
        first = first if isinstance(first, datetime.date) else datetime.date.fromisoformat(first)
        result[(facility_id, first.replace(day=1))] = int(n)
    return result


def bed_nights(facilities, start: datetime.date, end: datetime.date, *, by: str = "day"):
    """{(facility id, day or first of month): occupied bed-nights} over [start, end).

    A household member's night is a bed-night (one place of the room), as in the reports app.
    """
    ids = [f.pk for f in facilities]
    if by == "month":
        return _bed_nights_by_month(ids, start, end)
    today = timezone.localdate()
    rows = _calendar_join(
        OCCUPYING,
        "t.night_of <= nights.d AND COALESCE(t.last_night, %s) >= nights.d",
        ids,
        start,
        end,
        [today],
    )
    return _group(rows, by)


def capacity_nights(facilities, start: datetime.date, end: datetime.date, *, by: str = "day"):
    """{(facility id, day or first of month): regular places in the inventory} over [start, end)."""
    ids = [f.pk for f in facilities]
    rows = _calendar_join(
        "shelters_bed",
        "t.available_from <= nights.d AND (t.available_until IS NULL OR "
        "t.available_until > nights.d) AND t.is_overflow = %s",
        ids,
        start,
        end,
        [False],
    )
    return _group(rows, by)


def length_of_stay(facilities, start: datetime.date, end: datetime.date) -> dict:
    """Stays that ended in [start, end) (not transfers): how many, and their nights in total."""
    ended = Stay.objects.filter(
        facility__in=facilities, last_night__gte=start, last_night__lt=end
    ).exclude(exit_destination="transfer")
    totals = ended.aggregate(
        stays=Count("id"),
        span=Sum(ExpressionWrapper(F("last_night") - F("night_of"), output_field=DurationField())),
    )
    stays = totals["stays"] or 0
    nights = (totals["span"].days if totals["span"] else 0) + stays
    return {"stays": stays, "nights": nights, "average": nights / stays if stays else 0}


def exits_by_destination(facilities, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """How many stays ended in [start, end) per exit destination (transfers and nights apart)."""
    rows = (
        Stay.objects.filter(facility__in=facilities, last_night__gte=start, last_night__lt=end)
        .exclude(exit_destination__in=["transfer", "night_ended", ""])
        .values("exit_destination")
        .annotate(n=Count("id"))
    )
    return {row["exit_destination"]: row["n"] for row in rows}
