"""Django's `flush`, able to empty the append-only audit tables on PostgreSQL.

The triggers of audit/migrations/0002 refuse TRUNCATE of the access log and its chain head, so
the plain `flush` (a TRUNCATE of every table) fails there, and so would the end of every
transactional test. A database superuser may run the flush with the triggers off
(`session_replication_role = replica`, which only a superuser can set); any other role still
meets the triggers, so the application's own database role can never empty the log this way.
"""

from contextlib import contextmanager

from django.core.management.commands import flush
from django.db import connections


class Command(flush.Command):
    def handle(self, **options):
        with _audit_triggers_off_for_superuser(connections[options["database"]]):
            return super().handle(**options)


@contextmanager
def _audit_triggers_off_for_superuser(connection):
    if connection.vendor != "postgresql" or not _is_superuser(connection):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET session_replication_role")


def _is_superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]
