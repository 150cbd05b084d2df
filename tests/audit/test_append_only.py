"""Access-log rows are written once: the model refuses changes, and PostgreSQL refuses them too."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AccessLogEntry, AppendOnlyError, ChainHead
from audit.verify import access_log_verify


def stored(entry: AccessLogEntry) -> tuple:
    return AccessLogEntry.objects.filter(pk=entry.pk).values_list("purpose", "outcome").get()


def test_saving_a_written_row_again_is_refused(write_entries):
    (entry,) = write_entries(1)
    entry.purpose = "something_else"

    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["purpose"])

    assert stored(entry) == ("file", "ok")


def test_saving_a_row_loaded_from_the_database_is_refused(write_entries):
    write_entries(1)
    entry = AccessLogEntry.objects.get()
    entry.outcome = AccessLogEntry.Outcome.DENIED

    with pytest.raises(AppendOnlyError):
        entry.save()

    assert stored(entry) == ("file", "ok")


def test_a_new_row_with_the_id_of_an_existing_one_does_not_overwrite_it(write_entries):
    (entry,) = write_entries(1)
    copy = AccessLogEntry(
        pk=entry.pk, seq=99, at=entry.at, action="export", outcome="ok", prev_mac="", mac=""
    )

    with pytest.raises(DatabaseError), transaction.atomic():
        copy.save()

    assert stored(entry) == ("file", "ok")


def test_deleting_a_row_is_refused(write_entries):
    (entry,) = write_entries(1)

    with pytest.raises(AppendOnlyError):
        entry.delete()

    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: rows.update(purpose="rewritten"),
        lambda rows: rows.delete(),
        lambda rows: rows.filter(seq=1).delete(),
        lambda rows: rows.bulk_update(list(rows), ["purpose"]),
    ],
    ids=["update", "delete", "filtered-delete", "bulk_update"],
)
def test_queryset_updates_and_deletes_are_refused(write_entries, change):
    write_entries(2)

    # bulk_update opens its own atomic block: a savepoint keeps the test's transaction usable.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        change(AccessLogEntry.objects.all())

    assert AccessLogEntry.objects.count() == 2
    assert access_log_verify().is_intact


def test_the_chain_head_cannot_be_deleted(write_entries):
    write_entries(1)
    head = ChainHead.objects.get()

    with pytest.raises(AppendOnlyError):
        head.delete()
    with pytest.raises(AppendOnlyError):
        ChainHead.objects.all().delete()

    assert ChainHead.objects.get().seq == 1


def refused_by_the_database(sql: str, params=()) -> str:
    """Run raw SQL that must fail; return the database's message."""
    with (
        pytest.raises(DatabaseError) as error,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Check the deferred foreign keys of this test's inserts now: PostgreSQL refuses a
        # TRUNCATE while they are pending, before the trigger is even asked.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)
    return str(error.value)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_accesslogentry SET purpose = 'rewritten'",
        "UPDATE audit_accesslogentry SET outcome = 'denied' WHERE seq = 1",
        "DELETE FROM audit_accesslogentry WHERE seq = 2",
        "DELETE FROM audit_accesslogentry",
        "TRUNCATE audit_accesslogentry CASCADE",
    ],
)
def test_postgresql_refuses_raw_changes_to_the_log(write_entries, sql):
    write_entries(2)

    message = refused_by_the_database(sql)

    assert "append-only" in message
    assert AccessLogEntry.objects.count() == 2
    assert access_log_verify().is_intact


@pytest.mark.postgres
@pytest.mark.parametrize("sql", ["DELETE FROM audit_chainhead", "TRUNCATE audit_chainhead CASCADE"])
def test_postgresql_refuses_removing_the_chain_head(write_entries, sql):
    write_entries(2)

    assert "append-only" in refused_by_the_database(sql)

    assert ChainHead.objects.get().seq == 2


@pytest.mark.postgres
def test_postgresql_refuses_rewinding_the_chain_head(write_entries):
    """Hiding the deletion of the newest rows would need the head moved back: refused."""
    first, _second = write_entries(2)

    message = refused_by_the_database(
        "UPDATE audit_chainhead SET seq = %s, mac = %s", [first.seq, first.mac]
    )

    assert "may only advance" in message
    assert ChainHead.objects.get().seq == 2


@pytest.mark.postgres
def test_postgresql_refuses_moving_the_chain_head_past_the_log(write_entries):
    (entry,) = write_entries(1)

    message = refused_by_the_database("UPDATE audit_chainhead SET seq = 2, mac = %s", [entry.mac])

    assert "may only advance" in message


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_flush_by_a_database_superuser_empties_the_log(write_entries):
    """Tests end with a flush, which the triggers alone would refuse (see audit's flush)."""
    write_entries(3)

    call_command("flush", interactive=False, verbosity=0)

    assert not AccessLogEntry.objects.exists()
    assert not ChainHead.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
