"""A read replica for the reports (DATABASE_REPLICA_URL), through a database router.

The outcome reports read every stay, enrolment and assessment of a period: on a busy
installation they may run on a PostgreSQL streaming replica, so a long report never competes
with the check-ins on the primary. What goes where:

- reads made inside `report_reads()` go to the reports' database (`PRZYSTAN_REPORTS_DATABASE`:
  "replica" when DATABASE_REPLICA_URL is set, else "default"). reports.services opens it around
  the computation of the figures and the drill-down's cells only: the measures' SQL, the data
  stamp of the report cache, the facility names;
- every write goes to "default", inside `report_reads()` too, and so does every read made inside
  a transaction of "default" (the access-log's chain head is read under a lock there);
- everything else (pages, sign-in, the access checks and the access-log rows of a drill-down,
  which must see the primary's newest data) reads "default".

Without DATABASE_REPLICA_URL the reports' database is "default": nothing changes.
"""

import contextlib
import contextvars

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading_reports: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "reading_reports", default=False
)


def reports_database() -> str:
    """The alias the reports read: the replica when one is configured, else the primary."""
    return settings.PRZYSTAN_REPORTS_DATABASE


@contextlib.contextmanager
def report_reads():
    """Send the ORM's reads inside to the reports' database (writes still go to the primary)."""
    token = _reading_reports.set(True)
    try:
        yield reports_database()
    finally:
        _reading_reports.reset(token)


def _in_transaction_on_default() -> bool:
    """An atomic block of ours is open on "default" (the tests' own wrapping blocks, marked by
    Django as it does for its `durable` check, do not count)."""
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reading_reports.get():
            return None
        # A transaction on the primary reads what it is about to write: keep it there.
        if _in_transaction_on_default():
            return DEFAULT_DB_ALIAS
        return reports_database()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read there may point at one of ours.
        ours = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None
