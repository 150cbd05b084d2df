"""The access log's monthly partitions on PostgreSQL (audit/migrations/0007).

`access_log_partition_ahead` asks the database's `audit_partition_ahead` (SECURITY DEFINER: the
application's role owns nothing and cannot create tables) for this month's partition and the
next `months` months' ones that do not exist yet. The anchor timer calls it, so the default
partition stays empty. Elsewhere (the SQLite demo) the log is one table and this does nothing.
"""

from django.db import connection

# As the migration: partitions three months ahead of the current one.
MONTHS_AHEAD = 3


def access_log_partition_ahead(months: int = MONTHS_AHEAD) -> int | None:
    """Make the missing monthly partitions up to `months` ahead; how many (None: one table)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT audit_partition_ahead(%s)", [months])
        return cursor.fetchone()[0]
