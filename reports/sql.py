"""The SQL the measures share: the stays as report rows, and date arithmetic on both engines.

The measures are raw SQL (window functions) that runs on SQLite and PostgreSQL alike; the few
spots where the engines differ (subtracting dates, adding days, LEAST/GREATEST) are written
by the helpers below. Parameters are named `{name}` in the templates and bound in order of
appearance, so a query reads as SQL and never formats a value into its text.
"""

import datetime
import re

from django.db import connections
from django.db.models.functions import TruncDate

from shelters.models import Stay

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

    def least(self, *args: str) -> str:
        return f"{'MIN' if self.sqlite else 'LEAST'}({', '.join(args)})"

    def greatest(self, *args: str) -> str:
        return f"{'MAX' if self.sqlite else 'GREATEST'}({', '.join(args)})"


def stays_cte(using: str = "default") -> tuple[str, list]:
    """`st(id, client_id, facility_id, s, last_n, e, exit)`: every stay as the measures see it.

    s is the night the stay began, last_n the last night it covered (empty while open; before s
    for a transfer on its first night, which covers no night), e the local date it ended (empty
    while open), exit its exit destination. Built by the ORM, so the local date of `ended_at`
    is computed in the project's time zone on either engine.
    """
    # The annotation last: values_list puts model fields before annotations.
    queryset = (
        Stay.objects.order_by()
        .annotate(ended_on=TruncDate("ended_at"))
        .values_list(
            "id",
            "client_id",
            "facility_id",
            "night_of",
            "last_night",
            "exit_destination",
            "ended_on",
        )
    )
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    return f"st(id, client_id, facility_id, s, last_n, exit, e) AS ({sql})", list(params)


def run(template: str, *, using: str = "default", with_stays: bool = True, **values) -> list:
    """Run a measure's SQL: `{name}` markers bound from `values`, the stays CTE prepended.

    The template may refer to `st` (the stays) and begin further CTEs with a comma.
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
        cursor.execute(body, params)
        return cursor.fetchall()


def dialect(using: str = "default") -> Dialect:
    return Dialect(connections[using].vendor)


def as_date(value) -> datetime.date | None:
    """A date column of a raw query: SQLite returns ISO text."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])
