# ruff: noqa: S608 - the SQL is assembled from fixed fragments; every value is a bound parameter.
"""The outcome measures of issue 12, for a period [start, end] (both days included).

Every definition is written once in docs/measures.md; the tests pin them with hand-computed
figures (tests/reports/). Each measure is a few SQL aggregations (window functions for episodes
and medians) on SQLite and PostgreSQL alike: no Python loop over clients, stays or nights. Two
reads open encrypted values, each in pages of keys, because the definition needs them:

- the age band of a client whose year of birth alone leaves two bands possible (17 or 18 on the
  period's last day...): their birth date is decrypted (a few percent of the clients served);
- the assessment change: the scores are encrypted, so the first and the latest assessment of
  each client in the period (chosen by SQL) are decrypted and subtracted.

The figures returned here are raw counts: reports.suppression hides the small ones before any
manager or export sees them.
"""

import contextlib
import contextvars
import datetime
import uuid
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections, transaction

from activation.dates import add_months
from activation.models import EMPLOYED_ANSWERS, FollowUpAnswer, PlacementKind, ProgrammeKind
from cases.models import ASSESSMENT_DOMAINS, Assessment, Client, Sex
from privacy.fields import ERASED
from reports.sql import (
    EVERYTHING,
    FAR,
    Dialect,
    Scope,
    _clients,
    _scope,
    dialect,
    run,
    scoped,
)
from shelters.models import Facility

AGE_BANDS = ("under_18", "18_25", "26_39", "40_59", "60_plus", "unknown")
EXIT_GROUPS = {
    "permanent": ("own_housing", "rented_room"),
    "temporary": ("family",),
    "institution": ("hospital", "prison", "other_facility"),
    "street": ("street",),
    "died": ("died",),
}
# Everything else (unknown, an empty destination, a night shelter's "night ended") is unknown.
EXIT_KEYS = (*EXIT_GROUPS, "unknown")
EMPLOYMENT_KINDS = (
    PlacementKind.SUPPORTED,
    PlacementKind.COOPERATIVE,
    PlacementKind.SUBSIDISED,
    PlacementKind.OPEN_MARKET,
)
RETENTION_MONTHS = (3, 6, 12)
RETURN_WINDOW_DAYS = 730
PAGE = 1000
# PostgreSQL's memory for each sort of a report's statements (SET LOCAL, its transaction only).
REPORT_WORK_MEM = "64MB"


def one_decimal(value: Decimal | int | float) -> float:
    """One decimal, rounded half away from zero (85.25 -> 85.3), as a JSON number."""
    # Decimal's ROUND_HALF_UP rounds ties away from zero, for negatives too (-0.25 -> -0.3).
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def ratio(numerator: int, denominator: int) -> Decimal:
    return Decimal(numerator) / Decimal(denominator)


def outcome_report(
    *,
    start: datetime.date,
    end: datetime.date,
    scope: Scope = EVERYTHING,
    using: str = "default",
) -> dict:
    """Every measure of the period, as the JSON object of issue 12 (raw counts).

    `scope` limits the records read (an organisation's facilities and programmes, one
    facility...): see reports.sql.Scope. Episodes are then built from the scope's stays.
    """
    if end < start:
        raise ValueError("The period ends before it starts.")
    _flush_episodes(using)
    with scoped(scope), _episodes_once(dialect(using), using=using):
        return _report(start=start, end=end, using=using)


# The name of the table the episodes were computed into for this report (SQLite), if any.
_episodes_table: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "report_episodes", default=None
)


@contextlib.contextmanager
def _episodes_once(d: Dialect, *, using: str):
    """On SQLite, compute the episodes once per report into a temporary table.

    Four measures read the episodes, and SQLite's window functions cost about 10 µs a row per
    pass: computed once, a year's report at 200,000 stays saves seconds. PostgreSQL computes
    them fast enough in each query (and the application's role needs no TEMP privilege).
    """
    if d.sqlite and _stored_episodes():
        # The episodes of every stay are kept in reports_episode: nothing to compute.
        yield
        return
    if not d.sqlite:
        # The medians and the episodes sort hundreds of thousands of rows: in memory, not in
        # temporary files (the server's default is 4 MB a sort), for this transaction only.
        # No JIT compilation: the measures' plans cost enough to trigger it (inlining and
        # optimisation above 500,000), and compiling took longer than it saved (at 2,000,000
        # stays: 1.8 s of compilation for a query that runs in 1.0 s without it).
        with transaction.atomic(using=using):
            with connections[using].cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
                cursor.execute("SET LOCAL jit = off")
            yield
        return
    name = f"report_episodes_{uuid.uuid4().hex[:12]}"
    run(
        f"WITH {_episodes_sql(d)} SELECT client_id, first_s, last_e, exit, next_s FROM episodes",
        using=using,
        prefix=f"CREATE TEMP TABLE {name} AS ",
        far=FAR,
    )
    token = _episodes_table.set(name)
    try:
        yield
    finally:
        _episodes_table.reset(token)
        with connections[using].cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _report(*, start, end, using) -> dict:
    d = dialect(using)
    values = {"start": start, "end": end, "far": FAR, "using": using}
    episodes = episode_measures(d, **values)
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "clients_served": clients_served(d, **values),
        "bed_nights": bed_nights(d, **values),
        "occupancy": occupancy(d, **values),
        "length_of_stay": episodes["length_of_stay"],
        "exits": episodes["exits"],
        "returns": episodes["returns"],
        "first_time": first_time(d, **values),
        "employment": employment(**values),
        "programmes": programmes(d, **values),
        "ladder": ladder(**values),
        "assessment_change": assessment_change(**values),
    }


# --- clients served ------------------------------------------------------------------------------


def _served_sql() -> str:
    """`served(client_id)`: clients with a stay, enrolment or placement overlapping the period.

    The stays ended in or after the period and the open ones are two ranges of the stored end
    date (index shelters_stay_ended), read apart: an OR of the two would read every stay.
    """
    return """
    served AS (
        SELECT client_id FROM st WHERE s <= {end} AND e >= {start}
        UNION
        SELECT client_id FROM st WHERE s <= {end} AND e IS NULL
        UNION
        SELECT client_id FROM en
        WHERE started_on IS NOT NULL AND started_on <= {end}
          AND (ended_on IS NULL OR ended_on >= {start})
        UNION
        SELECT client_id FROM pl
        WHERE started_on <= {end} AND (ended_on IS NULL OR ended_on >= {start})
    )"""


def _served_people_sql() -> str:
    """`served_people(client_id, sex, band)`: each client served, with sex and age band.

    The band is decided from the year of birth alone unless both possible ages fall in two
    bands: then it is 'check', and the birth date decides (`_bands_from_birth_dates`). On 31
    December every birthday of the year has passed, so a period ending then (a year's report)
    needs no birth date: `{check}` is false and the year decides alone (`_band_values`). The
    measure counts these rows; the drill-down lists them (one definition).
    """
    return (
        _served_sql()
        + """,
    served_people AS (
        SELECT c.subject_id AS client_id, c.sex AS sex,
            CASE
                WHEN c.birth_year IS NULL OR c.birth_year > {year} THEN 'unknown'
                WHEN {check} AND {year} - c.birth_year IN (18, 26, 40, 60) THEN 'check'
                WHEN {year} - c.birth_year < 18 THEN 'under_18'
                WHEN {year} - c.birth_year < 26 THEN '18_25'
                WHEN {year} - c.birth_year < 40 THEN '26_39'
                WHEN {year} - c.birth_year < 60 THEN '40_59'
                ELSE '60_plus'
            END AS band
        FROM served JOIN cases_client c ON c.subject_id = served.client_id
    )"""
    )


def _band_values(end: datetime.date) -> dict:
    """The values `_served_people_sql` binds for age bands on `end`."""
    return {"year": end.year, "check": (end.month, end.day) != (12, 31)}


def clients_served(d: Dialect, *, start, end, using, **_) -> dict:
    """Distinct clients served in the period: in total, by sex, by age band on `end`."""
    # One statement: the counts by sex and band, and the ids of the clients whose band their
    # birth date decides (a few percent), so the period's clients are found once.
    rows = run(
        "WITH"
        + _served_people_sql()
        + """ SELECT sex, band, COUNT(*), NULL FROM served_people WHERE band <> 'check'
            GROUP BY 1, 2
            UNION ALL
            SELECT sex, band, 1, client_id FROM served_people WHERE band = 'check'""",
        using=using,
        start=start,
        end=end,
        **_band_values(end),
    )
    by_sex = dict.fromkeys(Sex.values, 0)
    by_band = dict.fromkeys(AGE_BANDS, 0)
    to_check = []
    for sex, band, count, client_id in rows:
        by_sex[sex] = by_sex.get(sex, 0) + count
        if band == "check":
            to_check.append(client_id)
        else:
            by_band[band] += count
    checked = _bands_from_birth_dates(to_check, end=end, using=using)
    for band, count in Counter(checked.values()).items():
        by_band[band] += count
    return {"total": sum(by_sex.values()), "by_sex": by_sex, "by_age_band": by_band}


def _bands_from_birth_dates(ids: list, *, end, using) -> dict:
    """Client id -> age band on `end` of the clients `ids` (served clients whose year of birth
    straddles a band): their birth dates are opened, one query per page of 1,000 clients (their
    keys in one more)."""
    bands: dict = {}
    for first in range(0, len(ids), PAGE):
        page = Client.objects.using(using).filter(pk__in=ids[first : first + PAGE])
        for client in page.only("subject", "birth_date", "birth_year").with_keys():
            bands[client.pk] = age_band_on(client.birth_date, end)
    return bands


def age_band_on(birth_date, on: datetime.date) -> str:
    """The band of a person's age in whole years on `on`; "unknown" if the date is unreadable."""
    if not isinstance(birth_date, datetime.date) or birth_date is ERASED:
        return "unknown"
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if age < 18:
        return "under_18"
    if age < 26:
        return "18_25"
    if age < 40:
        return "26_39"
    if age < 60:
        return "40_59"
    return "60_plus"


# --- bed-nights and occupancy --------------------------------------------------------------------


def _nights(d: Dialect, first: str, last: str) -> str:
    """Nights from `first` to `last` (both dated nights included), 0 when none."""
    return f"CASE WHEN {last} >= {first} THEN {d.days(last, first)} + 1 ELSE 0 END"


def _facility_names(using: str) -> dict[int, str]:
    """Facility id -> name; a name two facilities share gets its id, so no count is merged."""
    facilities = Facility.objects.using(using).order_by("name", "pk").values_list("pk", "name")
    seen = Counter(name for _pk, name in facilities)
    return {pk: name if seen[name] == 1 else f"{name} ({pk})" for pk, name in facilities}


def _occupied_sql() -> str:
    """`occupied(client_id, facility_id, s, last_n)`: every person's stay that takes a place.

    The clients' stays and the household members' stays (a child in the mother's room takes
    one of its places), the latter under the mother's client id: her municipality pays.
    """
    return """
    occupied AS (
        SELECT client_id, facility_id, s, last_n FROM st
        UNION ALL
        SELECT head_id, facility_id, s, last_n FROM ms
    )"""


def bed_nights(d: Dialect, *, start, end, using, **_) -> dict:
    """Nights the stays occupied inside the period: total, by facility, by municipality.

    A household member's nights count like the mother's, under her municipality.
    """
    first = d.greatest("s", "{start}")
    last = d.least("COALESCE(last_n, {end})", "{end}")
    rows = run(
        f"""
        WITH {_occupied_sql()}
        SELECT o.facility_id, COALESCE(NULLIF(c.municipality_code, ''), 'unknown'),
               SUM({_nights(d, first, last)})
        FROM occupied o JOIN cases_client c ON c.subject_id = o.client_id
        WHERE o.s <= {{end}} AND (o.last_n IS NULL OR o.last_n >= {{start}})
        GROUP BY 1, 2
        """,
        using=using,
        start=start,
        end=end,
    )
    names = _facility_names(using)
    by_facility: Counter = Counter()
    by_municipality: Counter = Counter()
    for facility_id, municipality, nights in rows:
        by_facility[names[facility_id]] += int(nights)
        by_municipality[municipality] += int(nights)
    return {
        "total": sum(by_facility.values()),
        "by_facility": {name: by_facility[name] for name in sorted(by_facility)},
        "by_municipality": {code: by_municipality[code] for code in sorted(by_municipality)},
    }


def _months(start: datetime.date, end: datetime.date) -> list[tuple]:
    """The calendar months the period touches, clipped to the period: (YYYY-MM, first, last)."""
    months = []
    day = start
    while day <= end:
        following = add_months(day.replace(day=1), 1)
        last = min(end, following - datetime.timedelta(days=1))
        months.append((day.strftime("%Y-%m"), day, last))
        day = following
    return months


def occupancy(d: Dialect, *, start, end, far, using, **_) -> dict:
    """Per facility and month: bed-nights ÷ (regular beds × days of the month in the period), %.

    Beds are counted per day of their inventory (available_from to the day before
    available_until); overflow places are not capacity, their nights still count. A household
    member's nights count as the mother's do (each takes a place of the household's room).
    """
    months = _months(start, end)
    values: dict = {"far": far}
    rows_sql = []
    for n, (key, first, last) in enumerate(months):
        values.update({f"m{n}": key, f"f{n}": first, f"l{n}": last})
        values[f"n{n}"] = first.year * 12 + first.month
        rows_sql.append(f"({{m{n}}}, {{f{n}}}, {{l{n}}}, {{n{n}}})")
    months_cte = f"months(m, first_day, last_day, n) AS (VALUES {', '.join(rows_sql)})"
    # Each stay's nights in the period, [a, b], split by month without comparing it with every
    # month (twelve comparisons a stay cost a second at 2,000,000 stays): the nights of its
    # first month p and of its last month q are found by equality with the month's number, and
    # only a stay over three months or more is compared with the months between. A stay with no
    # night in the period (b < a) adds nothing, as before.
    spans = f"""
    spans AS (
        SELECT facility_id, a, b, {d.month_number("a")} AS p, {d.month_number("b")} AS q
        FROM (
            SELECT facility_id, {d.greatest("s", "{start}")} AS a,
                {d.least("COALESCE(last_n, {far})", "{end}")} AS b
            FROM occupied
            WHERE s <= {{end}} AND (last_n IS NULL OR last_n >= {{start}})
        ) AS clipped
        WHERE b >= a
    )"""
    used = run(
        f"""
        WITH {months_cte}, {_occupied_sql()}, {spans}
        SELECT facility_id, m, SUM(nights) FROM (
            SELECT sp.facility_id, months.m,
                {d.days(d.least("sp.b", "months.last_day"), "sp.a")} + 1 AS nights
            FROM spans sp JOIN months ON months.n = sp.p
            UNION ALL
            SELECT sp.facility_id, months.m, {d.days("sp.b", "months.first_day")} + 1
            FROM spans sp JOIN months ON months.n = sp.q
            WHERE sp.q > sp.p
            UNION ALL
            SELECT sp.facility_id, months.m,
                sp.stays * ({d.days("months.last_day", "months.first_day")} + 1)
            FROM (
                SELECT facility_id, p, q, COUNT(*) AS stays FROM spans
                WHERE q > p + 1 GROUP BY facility_id, p, q
            ) AS sp JOIN months ON months.n > sp.p AND months.n < sp.q
        ) AS by_month
        GROUP BY 1, 2
        """,
        using=using,
        start=start,
        end=end,
        **values,
    )
    bed_first = d.greatest("b.available_from", "months.first_day")
    bed_last = d.least(
        f"COALESCE({d.plus_days('b.available_until', -1)}, {{far}})", "months.last_day"
    )
    # The beds of a facility with the same inventory dates counted once and multiplied: most
    # share them, and each bed compared with each month cost half a second at 50,000 beds.
    capacity = run(
        f"""
        WITH {months_cte}
        SELECT b.facility_id, months.m, SUM(b.beds * {_nights(d, bed_first, bed_last)})
        FROM (
            SELECT facility_id, available_from, available_until, COUNT(*) AS beds FROM bd
            WHERE NOT is_overflow GROUP BY facility_id, available_from, available_until
        ) AS b JOIN months
          ON b.available_from <= months.last_day
          AND (b.available_until IS NULL OR b.available_until > months.first_day)
        GROUP BY 1, 2
        """,
        using=using,
        **values,
    )
    nights = {(facility_id, month): int(n) for facility_id, month, n in used}
    names = _facility_names(using)
    result: dict = {}
    for facility_id, month, bed_days in sorted(capacity, key=lambda r: (names[r[0]], r[1])):
        if not bed_days:
            continue
        percent = ratio(100 * nights.get((facility_id, month), 0), int(bed_days))
        result.setdefault(names[facility_id], {})[month] = one_decimal(percent)
    return result


# --- episodes ------------------------------------------------------------------------------------

# True while the episodes must be chained from the stays even though the table has them (the
# refresh of the table itself, and the tests comparing the two).
_from_stays: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "report_episodes_from_stays", default=False
)


def _stored_episodes() -> bool:
    """Whether the measures read reports_episode: a report of every stay (the table holds the
    episodes built from all stays; a narrower scope chains its own stays)."""
    return not _from_stays.get() and _scope.get().is_everything and _clients.get() is None


def _flush_episodes(using: str) -> None:
    """The episodes of stays written earlier in this transaction, refreshed before a read."""
    from reports.episodes import flush

    flush(using)


def _episodes_sql(d: Dialect) -> str:
    """`episodes(client_id, first_s, last_e, exit, next_s)`: stays chained, from all stays.

    A stay continues the episode when it starts on or before the day after the latest end of
    the client's earlier stays (an open stay never ends). The episode's end and exit are its
    last stay's; last_e is empty while that stay is open; next_s is the start of the client's
    next episode (empty if none).
    """
    table = _episodes_table.get()
    if table is not None:
        return f"episodes AS (SELECT client_id, first_s, last_e, exit, next_s FROM temp.{table})"
    if _stored_episodes():
        # Not materialised (PostgreSQL materialises a CTE read twice): each reader then filters
        # the table by its own index range instead of scanning every episode into memory.
        inline = "" if d.sqlite else "NOT MATERIALIZED "
        return f"""episodes AS {inline}(
        SELECT client_id, first_start AS first_s, last_end AS last_e, exit,
            next_start AS next_s
        FROM reports_episode
    )"""
    # Two window passes, both in the order of the client's stays (SQLite pays about 10 µs a row
    # per pass): the first marks the stays that start an episode, the second carries each
    # episode's start along and finds its last stay. No two stays of a client overlap (the
    # services, the import and PostgreSQL's exclusion constraints say so), so the last stay by
    # start is also the last to end.
    latest_end = "MAX(COALESCE(e, {far})) OVER before"
    return f"""
    ordered AS (
        SELECT client_id, id, s, e, exit,
            CASE WHEN {latest_end} IS NOT NULL AND s <= {d.plus_days(latest_end, 1)}
                THEN 0 ELSE 1 END AS starts
        FROM st
        WINDOW before AS (
            PARTITION BY client_id ORDER BY s, id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        )
    ),
    marked AS (
        SELECT client_id, s, e, exit,
            MAX(CASE WHEN starts = 1 THEN s END) OVER stays AS first_s,
            LEAD(starts) OVER stays AS next_starts,
            LEAD(s) OVER stays AS following_s,
            ROW_NUMBER() OVER stays AS rn
        FROM ordered
        WINDOW stays AS (PARTITION BY client_id ORDER BY s, id)
    ),
    episodes AS (
        SELECT client_id, first_s, e AS last_e, exit,
            CASE WHEN next_starts = 1 THEN following_s END AS next_s, rn
        FROM marked WHERE next_starts IS NULL OR next_starts = 1
    )"""


def _median_sql(values_sql: str) -> str:
    """(sum of the middle values, how many middle values, how many values) of column `v`.

    The median is the middle value, or the mean of the two middle ones when the count is even.
    """
    return f"""
    SELECT SUM(v), COUNT(*), MAX(n) FROM (
        SELECT v, ROW_NUMBER() OVER (ORDER BY v) AS rn, COUNT(*) OVER () AS n
        FROM ({values_sql}) AS vals
    ) AS numbered
    WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
    """


def _median(rows) -> float | None:
    total, count, _n = rows[0] if rows else (None, 0, 0)
    if not count:
        return None
    return one_decimal(ratio(int(total), int(count)))


def _median_count(rows) -> int:
    return int(rows[0][2] or 0) if rows else 0


def _exit_group_sql() -> str:
    cases = " ".join(
        f"WHEN exit IN ({', '.join(repr(code) for code in codes)}) THEN '{group}'"
        for group, codes in EXIT_GROUPS.items()
    )
    return f"CASE {cases} ELSE 'unknown' END"


def _exit_cells_sql(d: Dialect) -> str:
    """`exit_cells(client_id, cell)`: each episode ending in the period, by its exit group."""
    return f"""{_episodes_sql(d)},
    exit_cells AS (
        SELECT client_id, {_exit_group_sql()} AS cell FROM episodes
        WHERE last_e >= {{start}} AND last_e <= {{end}}
    )"""


RETURN_BUCKETS = ("days_0_180", "days_181_365", "days_366_730")


def _return_cells_sql(d: Dialect) -> str:
    """`return_cells(client_id, bucket)`: each episode of the returns' cohort, and when the
    client came back ('days_0_180'…, or 'none')."""
    gap = d.days("next_s", "last_e")
    permanent = ", ".join(repr(code) for code in EXIT_GROUPS["permanent"])
    return f"""{_episodes_sql(d)},
    return_cells AS (
        SELECT client_id,
            CASE
                WHEN {gap} BETWEEN 0 AND 180 THEN 'days_0_180'
                WHEN {gap} BETWEEN 181 AND 365 THEN 'days_181_365'
                WHEN {gap} BETWEEN 366 AND 730 THEN 'days_366_730'
                ELSE 'none'
            END AS bucket
        FROM episodes
        WHERE exit IN ({permanent}) AND last_e >= {{cohort_start}} AND last_e <= {{cohort_end}}
    )"""


def _cohort_bounds(start, end) -> dict:
    window = datetime.timedelta(days=RETURN_WINDOW_DAYS)
    return {"cohort_start": start - window, "cohort_end": end - window}


def episode_measures(d: Dialect, *, start, end, far, using, **_) -> dict:
    """Length of stay, exits and returns: the three measures read from the episodes, in one query.

    The episodes are a window pass over every stay of the scope (two sorts of the stays): one
    statement reads them once for the three measures (PostgreSQL materialises a CTE read more
    than once), where three statements would compute them four times (2,000,000 stays: seconds
    each). On SQLite they come from the report's temporary table (`_episodes_once`). A report of
    every stay reads them from the episodes table instead (reports.Episode, reports.episodes).

    - length of stay: episodes ending inside the period: count, mean and median days (last end
      − first start);
    - exits: the same episodes by the group of their exit destination;
    - returns: permanent exits dated [start − 730, end − 730] and the client's next stay after
      them, within 180, 365 or 730 days.
    """
    window = datetime.timedelta(days=RETURN_WINDOW_DAYS)
    gap = d.days("next_s", "last_e")
    permanent = ", ".join(repr(code) for code in EXIT_GROUPS["permanent"])
    # Every branch gives (kind, group, a, b, c, d); the numbers' meaning depends on the kind.
    rows = run(
        f"""
        WITH {_episodes_sql(d)},
        ended AS (
            SELECT {d.days("last_e", "first_s")} AS v, {_exit_group_sql()} AS grp
            FROM episodes WHERE last_e >= {{start}} AND last_e <= {{end}}
        ),
        numbered AS (
            SELECT v, ROW_NUMBER() OVER (ORDER BY v) AS rn, COUNT(*) OVER () AS n FROM ended
        )
        SELECT 'length', '', SUM(v), COUNT(*), 0, 0 FROM ended
        UNION ALL
        SELECT 'median', '', SUM(v), COUNT(*), 0, 0 FROM numbered
        WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
        UNION ALL
        SELECT 'exit', grp, COUNT(*), 0, 0, 0 FROM ended GROUP BY grp
        UNION ALL
        SELECT 'returns', '', COUNT(*),
            SUM(CASE WHEN {gap} BETWEEN 0 AND 180 THEN 1 ELSE 0 END),
            SUM(CASE WHEN {gap} BETWEEN 181 AND 365 THEN 1 ELSE 0 END),
            SUM(CASE WHEN {gap} BETWEEN 366 AND 730 THEN 1 ELSE 0 END)
        FROM episodes
        WHERE exit IN ({permanent}) AND last_e >= {{cohort_start}} AND last_e <= {{cohort_end}}
        """,
        using=using,
        start=start,
        end=end,
        far=far,
        cohort_start=start - window,
        cohort_end=end - window,
    )
    exits_by_group = dict.fromkeys(EXIT_KEYS, 0)
    length = median = returned = None
    for kind, group, a, b, c, e in rows:
        if kind == "length":
            length = (int(a or 0), int(b or 0))
        elif kind == "median":
            median = (a, int(b or 0))
        elif kind == "exit":
            exits_by_group[group] = int(a)
        else:
            returned = (a, b, c, e)
    total, count = length
    middle_sum, middle_count = median
    cohort, early, middle, late = returned
    return {
        "length_of_stay": {
            "count": count,
            "mean_days": one_decimal(ratio(total, count)) if count else None,
            "median_days": one_decimal(ratio(int(middle_sum), middle_count))
            if middle_count
            else None,
        },
        "exits": exits_by_group,
        "returns": {
            "cohort": int(cohort or 0),
            "days_0_180": int(early or 0),
            "days_181_365": int(middle or 0),
            "days_366_730": int(late or 0),
        },
    }


def length_of_stay(d: Dialect, **values) -> dict:
    """Episodes ending inside the period: count, mean and median days (see episode_measures)."""
    return episode_measures(d, **values)["length_of_stay"]


def exits(d: Dialect, **values) -> dict:
    """Episodes ending inside the period by the group of their exit destination."""
    return episode_measures(d, **values)["exits"]


def returns(d: Dialect, **values) -> dict:
    """Permanent exits dated [start − 730, end − 730] and the client's next stay after them."""
    return episode_measures(d, **values)["returns"]


def _first_timers_sql(d: Dialect) -> str:
    """`first_timers(client_id)`: clients whose first stay starting in the period (F) had no
    night in F − 730 … F − 1."""
    window_start = d.plus_days("firsts.f", -RETURN_WINDOW_DAYS)
    earliest = d.plus_days("{start}", -RETURN_WINDOW_DAYS)
    firsts = """
    firsts AS (
        SELECT client_id, MIN(s) AS f FROM st WHERE s >= {start} AND s <= {end}
        GROUP BY client_id
    )"""
    if not d.sqlite:
        # PostgreSQL inlines `st`: the period's first stays come from the index of the nights
        # (shelters_stay_began), then one probe per client of the index of each client's stays
        # (shelters_stay_report, last night included), backwards from F − 1, so the latest
        # earlier stay, the likeliest to have a night in the window, is read first. OFFSET 0
        # keeps the probe a subplan: without it PostgreSQL turns the NOT EXISTS into a hash
        # anti join over every stay of every client, whose cost grows with the whole history
        # (the probes grow with the period's clients only).
        return f"""{firsts},
    first_timers AS (
        SELECT client_id FROM firsts WHERE NOT EXISTS (
            SELECT 1 FROM st AS earlier
            WHERE earlier.client_id = firsts.client_id
              AND earlier.s <= {d.plus_days("firsts.f", -1)}
              AND COALESCE(earlier.last_n, {{far}}) >= {window_start}
              AND COALESCE(earlier.last_n, {{far}}) >= earlier.s
            ORDER BY earlier.s DESC
            LIMIT 1 OFFSET 0
        )
    )"""
    # SQLite keeps `st` as a table without an index: a join and a count per client, not a
    # correlated NOT EXISTS that would scan it once per client. The join keeps only the stays
    # that could count (begun by the period's end, a night on or after start − 730: F is in
    # the period), and the client's first stay of the period always joins itself.
    return f"""{firsts},
    first_timers AS (
        SELECT client_id FROM (
            SELECT firsts.client_id,
                SUM(CASE WHEN earlier.s <= {d.plus_days("firsts.f", -1)}
                          AND COALESCE(earlier.last_n, {{far}}) >= {window_start}
                          AND COALESCE(earlier.last_n, {{far}}) >= earlier.s
                    THEN 1 ELSE 0 END) AS nights_before
            FROM firsts JOIN st AS earlier ON earlier.client_id = firsts.client_id
                AND earlier.s <= {{end}}
                AND COALESCE(earlier.last_n, {{far}}) >= {earliest}
            GROUP BY firsts.client_id
        ) AS checked
        WHERE nights_before = 0
    )"""


def first_time(d: Dialect, *, start, end, far, using, **_) -> int:
    """Clients whose first stay starting in the period (F) had no night in F − 730 … F − 1."""
    rows = run(
        f"WITH {_first_timers_sql(d)} SELECT COUNT(*) FROM first_timers",
        using=using,
        start=start,
        end=end,
        far=far,
    )
    return int(rows[0][0])


# --- employment and programmes -------------------------------------------------------------------


def _start_bounds(months: int, start, end) -> tuple[datetime.date, datetime.date] | None:
    """The start dates s with s + `months` months (clipped) inside [start, end], as a range.

    s -> s + k months is non-decreasing, so the starts form one range; its ends are found from
    the period's ends minus k months, a few days at most either way.
    """
    one = datetime.timedelta(days=1)
    low = add_months(start, -months)
    while add_months(low, months) < start:
        low += one
    while add_months(low - one, months) >= start:
        low -= one
    high = add_months(end, -months)
    while add_months(high + one, months) <= end:
        high += one
    while add_months(high, months) > end:
        high -= one
    return (low, high) if low <= high else None


def _kinds_sql() -> tuple[str, dict]:
    """The employment kinds as bound markers `{k0}, {k1}…`, and their values."""
    kinds = [str(kind) for kind in EMPLOYMENT_KINDS]
    return (
        ", ".join(f"{{k{n}}}" for n in range(len(kinds))),
        {f"k{n}": kind for n, kind in enumerate(kinds)},
    )


def _jobs_started_sql() -> str:
    """`jobs_started(client_id, kind)`: placements of the employment kinds started in the period."""
    in_kinds, _values = _kinds_sql()
    return f"""
    jobs_started AS (
        SELECT client_id, kind FROM pl
        WHERE kind IN ({in_kinds}) AND started_on >= {{start}} AND started_on <= {{end}}
    )"""


def employment(*, start, end, using, **_) -> dict:
    """Jobs started in the period by kind; retention answered at 3, 6 and 12 months."""
    kinds = [str(kind) for kind in EMPLOYMENT_KINDS]
    in_kinds, kind_values = _kinds_sql()
    started = dict.fromkeys(kinds, 0)
    for kind, count in run(
        f"WITH {_jobs_started_sql()} SELECT kind, COUNT(*) FROM jobs_started GROUP BY 1",
        using=using,
        start=start,
        end=end,
        **kind_values,
    ):
        started[kind] = int(count)
    retention = {}
    employed = ", ".join(repr(str(answer)) for answer in EMPLOYED_ANSWERS)
    for months in RETENTION_MONTHS:
        figures = {"employed": 0, "not_employed": 0, "unreachable": 0, "not_answered": 0}
        bounds = _start_bounds(months, start, end)
        if bounds is not None:
            rows = run(
                f"""
                SELECT
                    CASE
                        WHEN f.answered_on IS NULL THEN 'not_answered'
                        WHEN f.answer IN ({employed}) THEN 'employed'
                        WHEN f.answer = '{FollowUpAnswer.NOT_EMPLOYED}' THEN 'not_employed'
                        WHEN f.answer = '{FollowUpAnswer.UNREACHABLE}' THEN 'unreachable'
                        ELSE 'not_answered'
                    END,
                    COUNT(*)
                FROM pl p
                LEFT JOIN activation_followup f ON f.placement_id = p.id AND f.months = {{months}}
                WHERE p.kind IN ({in_kinds})
                  AND p.started_on >= {{low}} AND p.started_on <= {{high}}
                GROUP BY 1
                """,
                using=using,
                months=months,
                low=bounds[0],
                high=bounds[1],
                **kind_values,
            )
            figures.update({key: int(count) for key, count in rows})
        retention[str(months)] = figures
    return {"started": started, "retention": retention}


def programmes(d: Dialect, *, start, end, far, using, **_) -> dict:
    """Enrolments started, completed, dropped out in the period by programme kind; time to them.

    The time is from a client's first stay to their first enrolment (first placement), for
    clients whose first enrolment (placement) started in the period after a stay: the median.
    """
    result: dict = {
        what: dict.fromkeys(ProgrammeKind.values, 0)
        for what in ("started", "completed", "dropped_out")
    }
    rows = run(
        """
        SELECT 'started', p.kind, COUNT(*) FROM en e
        JOIN activation_programme p ON p.id = e.programme_id
        WHERE e.started_on >= {start} AND e.started_on <= {end} GROUP BY 1, 2
        UNION ALL
        SELECT e.status, p.kind, COUNT(*) FROM en e
        JOIN activation_programme p ON p.id = e.programme_id
        WHERE e.status IN ('completed', 'dropped_out')
          AND e.ended_on >= {start} AND e.ended_on <= {end}
        GROUP BY 1, 2
        """,
        using=using,
        start=start,
        end=end,
    )
    for what, kind, count in rows:
        result[what][kind] = int(count)
    for key, table in (
        ("days_to_first_enrolment", "en"),
        ("days_to_first_placement", "pl"),
    ):
        # The first stays of the enrolled (placed) clients only, not of every client.
        gaps = f"""
            SELECT {d.days("firsts.first_on", "stays.first_s")} AS v
            FROM (SELECT client_id, MIN(started_on) AS first_on FROM {table}
                  WHERE started_on IS NOT NULL GROUP BY client_id) AS firsts
            JOIN (SELECT client_id, MIN(s) AS first_s FROM st
                  WHERE client_id IN (SELECT client_id FROM {table} WHERE started_on IS NOT NULL)
                  GROUP BY client_id) AS stays
              ON stays.client_id = firsts.client_id
            WHERE firsts.first_on >= {{start}} AND firsts.first_on <= {{end}}
              AND firsts.first_on >= stays.first_s
        """
        median = run(_median_sql(gaps), using=using, start=start, end=end)
        result[key] = {"count": _median_count(median), "median_days": _median(median)}
    return result


def ladder(*, start, end, using, **_) -> dict:
    """Moves between pathway stages dated in the period, as a from -> to table.

    Each dated step (cases.PathwayStep) of a client whose stage differs from the one before it
    is a move from that earlier stage (whatever its date) to the new one; a client's first step
    is a move from "entry". Steps are ordered by date, then by their order of recording.
    A step down counts like a step up. A scoped report reads the steps of the clients in its
    scope (reports.sql).
    """
    rows = run(
        """
        SELECT COALESCE(prev, 'entry'), stage, COUNT(*) FROM (
            SELECT stage, day,
                   LAG(stage) OVER (PARTITION BY client_id ORDER BY day, id) AS prev
            FROM ps
        ) AS steps
        WHERE day >= {start} AND day <= {end} AND (prev IS NULL OR prev <> stage)
        GROUP BY 1, 2
        """,
        using=using,
        start=start,
        end=end,
    )
    moves: dict = {}
    for before, after, count in rows:
        moves.setdefault(before, {})[after] = int(count)
    return {"moves": moves, "total": sum(sum(cells.values()) for cells in moves.values())}


def assessment_change(*, start, end, using, **_) -> dict:
    """Mean change per life domain between each client's first and latest assessment in the period.

    The scores are encrypted: the two assessments of each client with two or more in the
    period are chosen by SQL, then opened one page of 1,000 at a time (their keys in one query).
    """
    rows = run(
        """
        SELECT id, client_id, rn_first, rn_last FROM (
            SELECT id, client_id,
                ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY assessed_on, id) AS rn_first,
                ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY assessed_on DESC, id DESC)
                    AS rn_last,
                COUNT(*) OVER (PARTITION BY client_id) AS n
            FROM asm WHERE assessed_on >= {start} AND assessed_on <= {end}
        ) AS numbered
        WHERE n >= 2 AND (rn_first = 1 OR rn_last = 1)
        """,
        using=using,
        start=start,
        end=end,
    )
    first_of = {client: pk for pk, client, rn_first, _rn_last in rows if rn_first == 1}
    last_of = {client: pk for pk, client, _rn_first, rn_last in rows if rn_last == 1}
    ids = [pk for pk, *_rest in rows]
    scores: dict = {}
    for at in range(0, len(ids), PAGE):
        page = Assessment.objects.using(using).filter(pk__in=ids[at : at + PAGE])
        for assessment in page.only("id", "client", "scores").with_keys():
            scores[assessment.pk] = assessment.scores
    sums: Counter = Counter()
    counts: Counter = Counter()
    for client, first_pk in first_of.items():
        first, last = scores.get(first_pk), scores.get(last_of[client])
        if not isinstance(first, dict) or not isinstance(last, dict):
            continue  # an erased person's scores are unreadable: they cannot be compared
        for domain, _label in ASSESSMENT_DOMAINS:
            before, after = first.get(domain), last.get(domain)
            if isinstance(before, int) and isinstance(after, int):
                sums[domain] += after - before
                counts[domain] += 1
    return {
        "clients": len(first_of),
        "by_domain": {
            domain: {
                "count": counts[domain],
                "mean_change": one_decimal(ratio(sums[domain], counts[domain]))
                if counts[domain]
                else None,
            }
            for domain, _label in ASSESSMENT_DOMAINS
        },
    }


# --- the people behind a cell (the drill-down) ---------------------------------------------------

# The cells a drill-down may open, per measure: the figures that count people (or their episodes
# and placements). Fixed codes: a drill-down's address carries these and dates, nothing personal.
DRILL_CELLS: dict[str, tuple[str, ...]] = {
    "clients_served": (
        "total",
        *(f"by_sex.{sex}" for sex in Sex.values),
        *(f"by_age_band.{band}" for band in AGE_BANDS),
    ),
    "exits": EXIT_KEYS,
    "returns": ("cohort", *RETURN_BUCKETS),
    "first_time": ("total",),
    "employment_started": tuple(str(kind) for kind in EMPLOYMENT_KINDS),
}


def cell_people(
    *,
    measure: str,
    start: datetime.date,
    end: datetime.date,
    scope: Scope = EVERYTHING,
    using: str = "default",
) -> dict[str, list]:
    """Cell -> the client ids the measure counts in it, one per counted item (a client, an
    episode, a placement), read by the measure's own CTE: the same definition as the figure.

    A client with two episodes ending in the period is twice in an exit cell, as they count
    twice there; a list of people shows them once.
    """
    d = dialect(using)
    values = {"start": start, "end": end, "far": FAR}
    _flush_episodes(using)
    cells: dict[str, list] = {cell: [] for cell in DRILL_CELLS[measure]}
    with scoped(scope):
        if measure == "clients_served":
            rows = run(
                "WITH" + _served_people_sql() + " SELECT client_id, sex, band FROM served_people",
                using=using,
                start=start,
                end=end,
                **_band_values(end),
            )
            checked = _bands_from_birth_dates(
                [raw_id for raw_id, _sex, band in rows if band == "check"], end=end, using=using
            )
            for raw_id, sex, band in rows:
                client_id = _uuid(raw_id)
                cells["total"].append(client_id)
                cells[f"by_sex.{sex}"].append(client_id)
                band = checked.get(client_id, band) if band == "check" else band
                cells[f"by_age_band.{band}"].append(client_id)
            return cells
        if measure == "exits":
            sql = f"WITH {_exit_cells_sql(d)} SELECT cell, client_id FROM exit_cells"
        elif measure == "returns":
            sql = f"WITH {_return_cells_sql(d)} SELECT bucket, client_id FROM return_cells"
            values = {"far": FAR, **_cohort_bounds(start, end)}
        elif measure == "first_time":
            sql = f"WITH {_first_timers_sql(d)} SELECT 'total', client_id FROM first_timers"
        elif measure == "employment_started":
            sql = f"WITH {_jobs_started_sql()} SELECT kind, client_id FROM jobs_started"
            values.update(_kinds_sql()[1])
        else:
            raise ValueError(f"No drill-down for {measure}.")
        for cell, raw_id in run(sql, using=using, **values):
            client_id = _uuid(raw_id)
            if measure == "returns":
                cells["cohort"].append(client_id)
            if cell in cells and not (measure == "returns" and cell == "cohort"):
                cells[cell].append(client_id)
    return cells


def _uuid(value) -> uuid.UUID:
    """A client id of a raw query: SQLite returns the UUID as 32 hex digits."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
