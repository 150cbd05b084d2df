"""Fixtures of the access-log tests: rows written through the service, and raw SQL past it."""

import uuid

import pytest
from django.db import connection

from audit.models import AccessLogEntry
from audit.services import access_log_write


@pytest.fixture(autouse=True)
def anchor_file(settings, tmp_path):
    """Each test anchors to its own file (the default one is shared by a process's tests)."""
    settings.PRZYSTAN_ANCHOR_FILE = tmp_path / "anchors" / "access-log-anchors.jsonl"
    settings.PRZYSTAN_ANCHOR_SYSLOG = ""
    return settings.PRZYSTAN_ANCHOR_FILE


@pytest.fixture
def write_entries(social_worker):
    """Write `n` view rows by the social worker, each about a different (invented) subject."""

    def write(n: int) -> list[AccessLogEntry]:
        return [
            access_log_write(
                actor=social_worker,
                action=AccessLogEntry.Action.VIEW,
                subject_id=uuid.uuid4(),
                purpose="case_file",
            )
            for _ in range(n)
        ]

    return write


@pytest.fixture
def raw_sql(db):
    """Run SQL as someone with direct database access would, bypassing the model.

    On PostgreSQL the append-only triggers are skipped for that one statement, as a database
    superuser could (`session_replication_role` is superuser-only; the test database's user is).
    """

    def run(sql: str, params: list | tuple = ()) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params)
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = origin")

    return run


@pytest.fixture
def tamper(raw_sql):
    """Set one column of one access-log row by raw SQL: tamper(entry_id, column, value)."""

    def set_column(entry_id: int, column: str, value) -> None:
        field = next(f for f in AccessLogEntry._meta.concrete_fields if f.column == column)
        # The value as the database stores it (a UUID is text on SQLite, and so on).
        stored = field.get_db_prep_value(value, connection)
        name = connection.ops.quote_name(column)
        # The column name comes from the model, never from input.
        raw_sql(f"UPDATE audit_accesslogentry SET {name} = %s WHERE id = %s", [stored, entry_id])  # noqa: S608

    return set_column
