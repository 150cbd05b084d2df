"""An append that is a transaction of its own, on PostgreSQL: two round trips, not four
(audit.services._append_alone). The same transaction: the same lock, the same chain, and
nothing stays open or half-written when it fails."""

import uuid

import psycopg
import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from audit import services
from audit.models import AccessLogEntry, ChainHead
from audit.services import access_log_write
from audit.verify import access_log_verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def write(actor, n: int = 1) -> list[AccessLogEntry]:
    return [
        access_log_write(
            actor=actor,
            action=AccessLogEntry.Action.VIEW,
            subject_id=uuid.UUID(int=k + 1),
            purpose="file",
        )
        for k in range(n)
    ]


def transaction_status() -> int:
    """The connection's own word: psycopg's IDLE (0) means no transaction is open."""
    return connection.connection.info.transaction_status


@pytest.fixture
def other_connection():
    """A second connection to the test database, standing for another app server's worker."""
    settings = connection.settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
    )
    with psycopg.connect(conninfo, autocommit=True) as other:
        yield other


def test_an_append_alone_takes_two_statements_and_leaves_no_transaction_open(social_worker):
    write(social_worker)  # the log's first row creates chain 0's head (the usual path)
    assert not connection.in_atomic_block
    with CaptureQueriesContext(connection) as captured:
        [entry] = write(social_worker)
    sql = [q["sql"] for q in captured.captured_queries]
    assert len(sql) == 2, sql
    assert sql[0].startswith("BEGIN; SELECT") and "FOR UPDATE SKIP LOCKED" in sql[0]
    assert sql[1].endswith("; COMMIT")
    assert transaction_status() == psycopg.pq.TransactionStatus.IDLE
    stored = AccessLogEntry.objects.get(pk=entry.pk)
    assert (stored.chain, stored.seq, stored.mac) == (0, 2, entry.mac)
    assert ChainHead.objects.get(pk=0).seq == 2
    assert access_log_verify().is_intact


def test_inside_a_transaction_the_append_is_the_transaction_s(social_worker):
    from django.db import transaction

    write(social_worker)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            write(social_worker)
        assert not any(q["sql"].startswith("BEGIN") for q in captured.captured_queries)
        transaction.set_rollback(True)
    # Rolled back with its caller: one row, the head back where it was.
    assert AccessLogEntry.objects.count() == 1
    assert ChainHead.objects.get(pk=0).seq == 1


def test_a_failed_write_rolls_back_releases_the_head_and_stores_nothing(
    social_worker, monkeypatch, other_connection
):
    write(social_worker, 2)
    head_before = ChainHead.objects.values_list("seq", "mac").get(pk=0)

    def failing(entry):
        return "SELECT 1 / 0", []

    monkeypatch.setattr(services, "_insert_and_advance_sql", failing)
    with pytest.raises(DatabaseError):
        write(social_worker)
    assert transaction_status() == psycopg.pq.TransactionStatus.IDLE
    # Another worker takes the head at once: nobody holds its lock any more.
    locked = other_connection.execute(
        "SELECT seq FROM audit_chainhead WHERE id = 0 FOR UPDATE NOWAIT"
    ).fetchone()
    assert locked == (2,)
    assert ChainHead.objects.values_list("seq", "mac").get(pk=0) == head_before
    assert AccessLogEntry.objects.count() == 2
    monkeypatch.undo()
    write(social_worker)
    assert access_log_verify().is_intact


def test_a_head_that_does_not_move_commits_nothing(social_worker, monkeypatch):
    """The row's statement fails when no head moved, so the COMMIT after it commits nothing."""
    write(social_worker)
    real = services._insert_and_advance_sql

    def to_no_head(entry):
        sql, params = real(entry)
        return sql, [*params[:-1], 63]  # a chain with no head: the UPDATE finds no row

    monkeypatch.setattr(services, "_insert_and_advance_sql", to_no_head)
    with pytest.raises(DatabaseError):
        write(social_worker)
    assert transaction_status() == psycopg.pq.TransactionStatus.IDLE
    assert AccessLogEntry.objects.count() == 1


def test_when_chain_0_is_busy_the_append_takes_another_chain(
    social_worker, settings, other_connection
):
    settings.PRZYSTAN_ACCESS_LOG_CHAINS = 8
    write(social_worker)
    with other_connection.transaction():
        other_connection.execute("SELECT 1 FROM audit_chainhead WHERE id = 0 FOR UPDATE")
        # Chain 1 has no head yet: the two-trip path gives way and the usual one creates it.
        [first] = write(social_worker)
        # Now chain 1's head exists: the two-trip path takes it.
        with CaptureQueriesContext(connection) as captured:
            [second] = write(social_worker)
        assert len(captured) == 2
    assert (first.chain, first.seq) == (1, 1)
    assert (second.chain, second.seq) == (1, 2)
    assert access_log_verify().is_intact


def test_with_one_chain_the_append_waits_for_chain_0(social_worker, settings):
    settings.PRZYSTAN_ACCESS_LOG_CHAINS = 1
    write(social_worker)
    with CaptureQueriesContext(connection) as captured:
        [entry] = write(social_worker)
    assert "SKIP LOCKED" not in captured.captured_queries[0]["sql"]
    assert (entry.chain, entry.seq) == (0, 2)
    assert access_log_verify().is_intact


def test_the_statement_built_once_takes_the_values_the_orm_would_insert(social_worker):
    """`_insert_statement` keeps the ORM's text; each row's values are prepared as the ORM's
    INSERT prepares them (compared here with a fresh compilation of a full row)."""
    from django.db.models.sql import InsertQuery

    [entry] = write(social_worker)
    entry.ip_address, entry.request_id, entry.way = "192.0.2.7", "r" * 32, "holder"
    sql, params = services._insert_and_advance_sql(entry)
    fields = [f for f in AccessLogEntry._meta.local_concrete_fields if not f.primary_key]
    query = InsertQuery(AccessLogEntry)
    query.insert_values(fields, [entry])
    [(insert_sql, orm_params)] = query.get_compiler(using="default").as_sql()
    assert insert_sql in sql
    assert params == [*orm_params, entry.chain]


def test_with_server_side_binding_the_append_takes_the_usual_path(social_worker, monkeypatch):
    """A server-binding cursor refuses several statements with values: the two-trip path is
    only taken through Django's default client-binding cursor."""
    write(social_worker)
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "server_side_binding", True)
    with CaptureQueriesContext(connection) as captured:
        [entry] = write(social_worker)
    assert not any(q["sql"].startswith("BEGIN;") for q in captured.captured_queries)
    assert (entry.chain, entry.seq) == (0, 2)
    assert access_log_verify().is_intact
