"""The SQL the measures share: the stays as report rows, and date arithmetic on both engines.

The measures are raw SQL (window functions) that runs on SQLite and PostgreSQL alike; the few
spots where the engines differ (subtracting dates, adding days, LEAST/GREATEST) are written
by the helpers below. Parameters are named `{name}` in the templates and bound in order of
appearance, so a query reads as SQL and never formats a value into its text.
"""

import contextvars
import datetime
import re
from dataclasses import dataclass

from django.db import connections
from django.db.models import Q

from activation.models import Enrolment, Placement
from cases.models import Assessment, PathwayStep
from shelters.models import Bed, MemberStay, Stay

# The end of an open stay or episode, for comparisons: far after any report's period.
FAR = datetime.date(9000, 1, 1)

_NAMED = re.compile(r"\{(\w+)\}")
_WITH = re.compile(r"^WITH\s+", re.IGNORECASE)


class Dialect:
    """Date arithmetic in the connection's SQL: SQLite keeps dates as ISO text."""

    def __init__(self, vendor: str):
        self.sqlite = vendor == "sqlite"

    def days(self, later: str, earlier: str) -> str:
        """Whole days from `earlier` to `later` (an integer)."""
        if self.sqlite:
            return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
        return f"({later} - {earlier})"

    def plus_days(self, day: str, days: int) -> str:
        """`day` plus a constant number of days (a date)."""
        if self.sqlite:
            return f"date({day}, '{days:+d} days')"
        return f"({day} + {days:d})"

    def month_number(self, day: str) -> str:
        """The month of `day` as one integer, year × 12 + month (consecutive across years)."""
        if self.sqlite:
            # ISO text: no strftime, whose % the parameter binding would take for its own.
            return (
                f"(CAST(substr({day}, 1, 4) AS INTEGER) * 12"
                f" + CAST(substr({day}, 6, 2) AS INTEGER))"
            )
        return f"(EXTRACT(YEAR FROM {day})::int * 12 + EXTRACT(MONTH FROM {day})::int)"

    def least(self, *args: str) -> str:
        return f"{'MIN' if self.sqlite else 'LEAST'}({', '.join(args)})"

    def greatest(self, *args: str) -> str:
        return f"{'MAX' if self.sqlite else 'GREATEST'}({', '.join(args)})"


@dataclass(frozen=True)
class Scope:
    """Which records a report reads: None for all, else the facilities' and programmes' ids.

    Stays and beds of the facilities, enrolments of the programmes; placements and assessments
    of the clients who stayed in those facilities or enrolled in those programmes (at any time).
    """

    facility_ids: tuple[int, ...] | None = None
    programme_ids: tuple[int, ...] | None = None

    @property
    def is_everything(self) -> bool:
        return self.facility_ids is None and self.programme_ids is None


EVERYTHING = Scope()
_scope: contextvars.ContextVar[Scope] = contextvars.ContextVar("report_scope", default=EVERYTHING)
# The clients whose stays `st` holds (reports.episodes refreshes a few clients' episodes): None
# for every client of the scope.
_clients: contextvars.ContextVar[tuple | None] = contextvars.ContextVar(
    "report_clients", default=None
)


def for_clients(client_ids):
    """Limit `st` to the stays of these clients in this context: `with for_clients(ids): ...`."""

    class _ForClients:
        def __enter__(self):
            self.token = _clients.set(tuple(client_ids))

        def __exit__(self, *exc):
            _clients.reset(self.token)

    return _ForClients()


def scoped(scope: Scope):
    """Set the scope of the measures computed in this context: `with scoped(scope): ...`."""

    class _Scoped:
        def __enter__(self):
            self.token = _scope.set(scope)
            return scope

        def __exit__(self, *exc):
            _scope.reset(self.token)

    return _Scoped()


def _within(field: str, ids: list) -> Q:
    """`field` among `ids`; none at all as a condition that compiles (an empty IN does not)."""
    if ids:
        return Q(**{f"{field}__in": ids})
    return Q(pk__isnull=True)


def _querysets(scope: Scope) -> dict:
    """The records of the scope, as querysets the ORM compiles into the CTEs below."""
    # `ended_on` is stored with the stay (the local date of `ended_at`, set on every save): no
    # conversion per row, and the column is in the stays' indexes.
    stays = Stay.objects.order_by().values_list(
        "id", "client_id", "facility_id", "night_of", "last_night", "exit_destination", "ended_on"
    )
    # A household member's stay, under the head's client id: the member is no client (no file,
    # no municipality of their own), so their nights are billed with the mother's.
    member_stays = MemberStay.objects.order_by().values_list(
        "id", "member__household__head_id", "facility_id", "night_of", "last_night"
    )
    beds = Bed.objects.order_by().values_list(
        "id", "facility_id", "available_from", "available_until", "is_overflow"
    )
    enrolments = Enrolment.objects.order_by().values_list(
        "id", "client_id", "programme_id", "status", "started_on", "ended_on"
    )
    placements = Placement.objects.order_by().values_list(
        "id", "client_id", "kind", "started_on", "ended_on"
    )
    assessments = Assessment.objects.order_by().values_list("id", "client_id", "assessed_on")
    steps = PathwayStep.objects.order_by().values_list("id", "client_id", "stage", "on")
    if _clients.get() is not None:
        stays = stays.filter(client_id__in=_clients.get())
    if not scope.is_everything:
        facility_ids = list(scope.facility_ids or ())
        programme_ids = list(scope.programme_ids or ())
        stays = stays.filter(_within("facility_id", facility_ids))
        member_stays = member_stays.filter(_within("facility_id", facility_ids))
        beds = beds.filter(_within("facility_id", facility_ids))
        enrolments = enrolments.filter(_within("programme_id", programme_ids))
        # Two subqueries, never a list of ids: a cluster has more clients than SQL parameters.
        reached = Q(
            client_id__in=Stay.objects.filter(_within("facility_id", facility_ids)).values(
                "client_id"
            )
        ) | Q(
            client_id__in=Enrolment.objects.filter(_within("programme_id", programme_ids)).values(
                "client_id"
            )
        )
        placements = placements.filter(reached)
        assessments = assessments.filter(reached)
        steps = steps.filter(reached)
    return {
        "st(id, client_id, facility_id, s, last_n, exit, e)": stays,
        "ms(id, head_id, facility_id, s, last_n)": member_stays,
        "bd(id, facility_id, available_from, available_until, is_overflow)": beds,
        "en(id, client_id, programme_id, status, started_on, ended_on)": enrolments,
        "pl(id, client_id, kind, started_on, ended_on)": placements,
        "asm(id, client_id, assessed_on)": assessments,
        "ps(id, client_id, stage, day)": steps,
    }


def stays_cte(using: str = "default") -> tuple[str, list]:
    """The CTEs every measure may read, for the current scope.

    `st`: every stay as the measures see it: s is the night the stay began, last_n the last
    night it covered (empty while open; before s for a transfer on its first night, which
    covers no night), e the local date it ended (empty while open), exit its exit destination.
    e is the stay's stored `ended_on` (the local date of `ended_at` in the project's time zone,
    kept by shelters.models.LocalDateOf on every save). `ms` the stays of household members in
    a house for single mothers (children mostly: no client, no bed of their own; `head_id` is
    the mother's client id, s and last_n as in `st`). `bd` beds, `en` enrolments, `pl`
    placements, `asm` assessments (ids and dates), `ps` the dated pathway steps.
    """
    parts, params = [], []
    querysets = _querysets(_scope.get())
    postgres = connections[using].vendor == "postgresql"
    for name, queryset in querysets.items():
        sql, query_params = queryset.query.get_compiler(using=using).as_sql()
        # PostgreSQL materialises a CTE read twice (every stay copied before any filter): the
        # stays are inlined instead, so each reader's conditions reach the stays' indexes.
        inline = "NOT MATERIALIZED " if postgres and name.startswith("st(") else ""
        parts.append(f"{name} AS {inline}({sql})")
        params.extend(query_params)
    return ", ".join(parts), params


def run(
    template: str,
    *,
    using: str = "default",
    with_stays: bool = True,
    prefix: str = "",
    **values,
) -> list:
    """Run a measure's SQL: `{name}` markers bound from `values`, the stays CTE prepended.

    The template may refer to `st` (the stays) and begin further CTEs with a comma. `prefix`
    goes before the whole statement (CREATE TEMP TABLE ... AS).
    """
    params: list = []

    def bind(match: re.Match) -> str:
        params.append(values[match.group(1)])
        return "%s"

    body = _NAMED.sub(bind, template)
    if with_stays:
        cte, cte_params = stays_cte(using)
        body = body.strip()
        if _WITH.match(body):
            body = f"WITH {cte}, {_WITH.sub('', body, count=1)}"
        else:
            body = f"WITH {cte} {body}"
        params = cte_params + params
    with connections[using].cursor() as cursor:
        cursor.execute(prefix + body, params)
        return cursor.fetchall() if not prefix else []


def dialect(using: str = "default") -> Dialect:
    return Dialect(connections[using].vendor)


def as_date(value) -> datetime.date | None:
    """A date column of a raw query: SQLite returns ISO text."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])
