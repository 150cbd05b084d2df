"""On PostgreSQL the access log is partitioned by month (audit/migrations/0007).

Raw-database tests: the table is partitioned by range of `at`, an entry lands in its month's
partition, the anchor timer makes the next months' partitions (idempotently), entries that fell
into the default partition move to their month's when it is made (0008), nobody changes a
partition directly, and a prune behind a signed anchor drops whole old months, never one that
could hold an entry younger than the database's 365-day floor.

The database's clock is not frozen by time-machine: partitions made "ahead" are counted from
the database's `now()`, read by the tests themselves; old months are made with the owner's
`audit_partition_create` before their entries are written (otherwise they go to the default
partition, which is what the migration's monthly partitions replace for the past).
"""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.partitions import access_log_partition_ahead
from audit.prune import access_log_prune
from audit.services import access_log_anchor
from audit.verify import access_log_verify
from tests.audit.test_database_roles import grant, new_role_name
from tests.audit.test_prune import CUT_OFF, NOW, kept_seqs, moment, prune_points

postgres_only = pytest.mark.postgres


def raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def partitions() -> list[str]:
    return [
        name
        for (name,) in raw(
            "SELECT inhrelid::regclass::text FROM pg_inherits "
            "WHERE inhparent = 'audit_accesslogentry'::regclass ORDER BY 1"
        )
    ]


def month_name(moment_: datetime.datetime) -> str:
    return f"audit_accesslogentry_y{moment_.year:04d}m{moment_.month:02d}"


def months_from_database_now(*offsets: int) -> list[str]:
    """The partition names of the database's current month plus each offset (UTC)."""
    rows = raw(
        "SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') "
        '+ make_interval(months => m), \'"audit_accesslogentry_y"YYYY"m"MM\') '
        "FROM unnest(%s::int[]) AS m",
        [list(offsets)],
    )
    return [name for (name,) in rows]


def make_month(year: int, month: int) -> None:
    raw("SELECT audit_partition_create(%s)", [moment(year, month, 1, 12)])


def refused(sql: str, params=()) -> str:
    """Run raw SQL that must fail; return the database's message."""
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        # The test's deferred foreign keys checked now: PostgreSQL refuses a TRUNCATE while
        # they are pending, before the trigger is even asked (as in test_append_only).
        raw("SET CONSTRAINTS ALL IMMEDIATE")
        raw(sql, params)
    return str(error.value)


@postgres_only
def test_the_log_is_partitioned_by_range_of_its_time_with_a_default_partition(db):
    strategy = raw(
        "SELECT p.partstrat, a.attname FROM pg_partitioned_table p "
        "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
        "WHERE p.partrelid = 'audit_accesslogentry'::regclass"
    )
    default = raw(
        "SELECT partdefid::regclass::text FROM pg_partitioned_table "
        "WHERE partrelid = 'audit_accesslogentry'::regclass"
    )

    assert strategy == [("r", "at")]
    assert default == [("audit_accesslogentry_default",)]
    # The migration made this month and three ahead (the test database starts empty).
    assert set(months_from_database_now(0, 1, 2, 3)) <= set(partitions())


@postgres_only
def test_seq_is_unique_per_partition_and_the_primary_key_includes_the_time(db):
    keys = raw(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'audit_accesslogentry'::regclass AND contype IN ('p', 'u') "
        "ORDER BY conname"
    )

    assert keys == [
        ("audit_accesslogentry_pkey", "p", "PRIMARY KEY (id, at)"),
        ("audit_entry_chain_seq_unique", "u", "UNIQUE (chain, seq, at)"),
    ]


@postgres_only
def test_an_entry_lands_in_its_months_partition_or_else_in_the_default(write_entries):
    make_month(2019, 3)
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        march = write_entries(1)
    with time_machine.travel(moment(2019, 5, 7, 10), tick=False):
        may = write_entries(1)

    homes = raw("SELECT seq, tableoid::regclass::text FROM audit_accesslogentry ORDER BY seq")

    assert [entry.seq for entry in (*march, *may)] == [1, 2]
    assert homes == [(1, "audit_accesslogentry_y2019m03"), (2, "audit_accesslogentry_default")]
    assert access_log_verify().is_intact


@postgres_only
def test_partitions_ahead_are_made_once_each_with_their_statement_trigger(db):
    before = set(partitions())

    made = access_log_partition_ahead(5)
    again = access_log_partition_ahead(5)

    new = set(partitions()) - before
    # The migration made months 0 to 3; months 4 and 5 are new, and only once.
    assert (made, again) == (2, 0)
    assert new == set(months_from_database_now(4, 5))
    triggers = raw(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relname = ANY(%s) AND NOT t.tgisinternal ORDER BY 1, 2",
        [sorted(new)],
    )
    assert triggers == [
        (name, trigger)
        for name in sorted(new)
        for trigger in ("audit_accesslogentry_append_only", "audit_accesslogentry_pruned_only")
    ]


@postgres_only
def test_the_anchor_command_makes_the_next_months_partitions(write_entries):
    (furthest,) = months_from_database_now(3)
    raw(f"DROP TABLE {furthest}")  # empty: the test database starts with no entries
    write_entries(1)
    out = io.StringIO()

    call_command("anchor_access_log", stdout=out)

    assert furthest in partitions()
    assert "Made 1 monthly partition(s) of the access log ahead." in out.getvalue()


def homes() -> list[tuple[int, str]]:
    return raw("SELECT seq, tableoid::regclass::text FROM audit_accesslogentry ORDER BY seq")


def rows() -> list[tuple]:
    """Every entry as stored, partition aside."""
    return raw("SELECT * FROM audit_accesslogentry ORDER BY seq")


@postgres_only
def test_a_month_made_after_its_entries_fell_into_the_default_partition_takes_them(
    write_entries,
):
    # Entry 1 in 2019-03 (its partition exists), 2 and 3 in 2019-05 and 4 in 2019-07 (none:
    # the default partition); then 2019-05 is made.
    make_month(2019, 3)
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        write_entries(1)
    with time_machine.travel(moment(2019, 5, 7, 10), tick=False):
        write_entries(2)
    with time_machine.travel(moment(2019, 7, 31, 23), tick=False):
        write_entries(1)
    before = rows()
    # The test's inserts share the move's transaction: their deferred foreign-key checks are
    # done first, or PostgreSQL cannot detach the default partition (pending trigger events;
    # never so for the anchor timer, which writes no entry in the transaction that moves).
    raw("SET CONSTRAINTS ALL IMMEDIATE")

    made = raw("SELECT audit_partition_create(%s)", [moment(2019, 5, 1, 12)])

    may, default = "audit_accesslogentry_y2019m05", "audit_accesslogentry_default"
    assert made == [(True,)]
    assert homes() == [(1, month_name(moment(2019, 3, 1))), (2, may), (3, may), (4, default)]
    # Copied as they were: ids, seqs, MACs and all.
    assert rows() == before
    assert "audit_accesslogentry_default_moved" not in partitions()
    triggers = raw(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE c.relname = ANY(%s) AND NOT t.tgisinternal ORDER BY 1, 2",
        [[default, may]],
    )
    assert triggers == [
        (name, trigger)
        for name in (default, may)
        for trigger in ("audit_accesslogentry_append_only", "audit_accesslogentry_pruned_only")
    ]
    assert raw(
        "SELECT partdefid::regclass::text FROM pg_partitioned_table "
        "WHERE partrelid = 'audit_accesslogentry'::regclass"
    ) == [(default,)]
    assert access_log_verify().is_intact
    # The log goes on: the next entry of May lands in May, the chain continues.
    with time_machine.travel(moment(2019, 5, 20, 10), tick=False):
        write_entries(1)
    assert homes()[-1] == (5, may)
    assert access_log_verify().is_intact


@postgres_only
def test_the_anchor_timer_moves_entries_of_a_month_without_partition_into_it(write_entries):
    # Entries written four months ahead of the database's clock, where the migration made no
    # partition: they land in the default one. The timer, asked for five months ahead, makes
    # months 4 and 5, and month 4 takes them.
    ((fourth_month,),) = raw(
        "SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '4 months 9 days 10 "
        "hours') AT TIME ZONE 'UTC'"
    )
    (name,) = months_from_database_now(4)
    with time_machine.travel(fourth_month, tick=False):
        write_entries(3)
        assert {home for _seq, home in homes()} == {"audit_accesslogentry_default"}
        raw("SET CONSTRAINTS ALL IMMEDIATE")  # as above

        made = access_log_partition_ahead(5)

        assert made == 2
        assert homes() == [(1, name), (2, name), (3, name)]
        assert access_log_verify().is_intact
        out = io.StringIO()
        call_command("verify_access_log", stdout=out)


@postgres_only
@pytest.mark.parametrize(
    "statement",
    ["TRUNCATE {}", "UPDATE {} SET purpose = 'x'", "DELETE FROM {}"],
)
def test_the_app_role_cannot_change_a_partition_directly(write_entries, statement):
    make_month(2019, 3)
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        write_entries(1)
    role = new_role_name()
    raw(f"CREATE ROLE {role}")
    grant(role)
    sql = statement.format("audit_accesslogentry_y2019m03")

    raw(f"SET LOCAL ROLE {role}")
    try:
        message = refused(sql)
        may_make_ahead = raw(
            "SELECT has_function_privilege('audit_partition_ahead(integer)', 'EXECUTE'), "
            "has_function_privilege('audit_partition_create(timestamptz)', 'EXECUTE')"
        )
    finally:
        raw("RESET ROLE")

    assert "permission denied for table audit_accesslogentry_y2019m03" in message
    assert may_make_ahead == [(True, False)]
    assert kept_seqs() == [1]


@postgres_only
@pytest.mark.parametrize(
    ("statement", "operation"),
    [("TRUNCATE {}", "TRUNCATE"), ("UPDATE {} SET purpose = 'x'", "UPDATE")],
)
def test_even_the_owner_cannot_truncate_or_update_a_partition(write_entries, statement, operation):
    make_month(2019, 3)
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        write_entries(1)

    message = refused(statement.format("audit_accesslogentry_y2019m03"))

    assert f"{operation} on audit_accesslogentry_y2019m03 refused" in message
    assert kept_seqs() == [1]


@pytest.fixture
def partitioned_history(write_entries):
    """test_prune's story (entries 1-3 in 2019-03 anchored, 4-5 in 2020-06, 6-7 in 2021-01
    anchored) with a partition for each of those months, and an empty one for 2019-04."""
    for year, month in [(2019, 3), (2019, 4), (2020, 6), (2021, 1)]:
        make_month(year, month)
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        old = write_entries(3)
        access_log_anchor()
    with time_machine.travel(moment(2020, 6, 1, 10), tick=False):
        expired = write_entries(2)
    with time_machine.travel(moment(2021, 1, 4, 10), tick=False):
        recent = write_entries(2)
        access_log_anchor()
    with time_machine.travel(NOW, tick=False):
        yield [*old, *expired, *recent]


@postgres_only
def test_a_prune_drops_the_old_month_behind_the_anchor_whole_and_the_log_verifies(
    partitioned_history,
):
    # The test's inserts share the prune's transaction: their deferred foreign-key checks are
    # done first, or PostgreSQL keeps the partition (pending trigger events; never so in
    # production, where no entry of a month over a year old is written in the prune's run).
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    plan = access_log_prune(before=CUT_OFF)

    # Entries 1 to 3 (all of 2019-03) go with their partition; 2019-04 (empty) begins after
    # the anchored entry and stays; 2020-06 holds entries 4 and 5, beyond the prune point.
    assert (plan.entries, plan.pruned) == (3, True)
    assert "audit_accesslogentry_y2019m03" not in partitions()
    assert {
        "audit_accesslogentry_y2019m04",
        "audit_accesslogentry_y2020m06",
        "audit_accesslogentry_y2021m01",
    } <= set(partitions())
    assert kept_seqs() == [4, 5, 6, 7]
    assert prune_points() == [(3, partitioned_history[2].mac, 3)]
    assert access_log_verify(retained_since=CUT_OFF).is_intact


@postgres_only
def test_a_month_written_in_the_prunes_own_transaction_stays_and_its_rows_go_by_row(
    partitioned_history,
):
    # Without the check above, entries 1 to 3 have pending trigger events: DROP TABLE is
    # refused, the function keeps the month and deletes its rows as before partitioning.
    plan = access_log_prune(before=CUT_OFF)

    assert (plan.entries, plan.pruned) == (3, True)
    assert "audit_accesslogentry_y2019m03" in partitions()
    assert kept_seqs() == [4, 5, 6, 7]
    assert access_log_verify(retained_since=CUT_OFF).is_intact


@postgres_only
def test_rows_up_to_the_prune_point_in_a_partly_newer_month_go_row_by_row(write_entries):
    # Entries 1 and 2 in 2019-03, 1 anchored there; the prune point is entry 1: the month
    # also holds entry 2 (beyond it), so it is not dropped, and entry 1 alone is deleted.
    make_month(2019, 3)
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        entries = write_entries(1)
        access_log_anchor()
    with time_machine.travel(moment(2019, 3, 20, 10), tick=False):
        entries += write_entries(1)

    raw("SET CONSTRAINTS ALL IMMEDIATE")  # as above: only entry 2 keeps the month
    with time_machine.travel(NOW, tick=False):
        plan = access_log_prune(before=CUT_OFF)

    assert (plan.entries, plan.pruned) == (1, True)
    assert "audit_accesslogentry_y2019m03" in partitions()
    assert kept_seqs() == [2]
    with time_machine.travel(NOW, tick=False):
        assert access_log_verify(retained_since=CUT_OFF).is_intact


@postgres_only
def test_a_month_reaching_into_the_last_365_days_is_never_dropped(write_entries):
    # An entry older than the floor by a minute, in a month that ends after the floor (by the
    # database's clock): the prune deletes the entry by the row path, the month stays.
    ((written_at, floor_month),) = raw(
        "SELECT GREATEST(date_trunc('month', f), f - interval '1 hour'), "
        "date_trunc('month', f) FROM (SELECT now() - interval '365 days 1 minute' AS f) x"
    )
    raw("SELECT audit_partition_create(%s)", [floor_month])
    name = month_name(floor_month.astimezone(datetime.UTC))
    with time_machine.travel(written_at, tick=False):
        entries = write_entries(2)

    raw("SET CONSTRAINTS ALL IMMEDIATE")  # as above: only the floor keeps the month
    raw("SELECT audit_prune_through(0, 1, %s, 'x')", [entries[0].mac])

    assert name in partitions()
    assert kept_seqs() == [2]


@postgres_only
def test_a_partition_holding_an_entry_younger_than_a_year_is_never_dropped(write_entries):
    # Written now by the database's clock, in the migration's partition of this month.
    entries = write_entries(2)
    (this_month,) = months_from_database_now(0)
    homes = raw("SELECT DISTINCT tableoid::regclass::text FROM audit_accesslogentry")

    message = refused("SELECT audit_prune_through(0, 2, %s, 'x')", [entries[1].mac])

    assert homes == [(this_month,)]
    assert "younger than 365 days are never pruned" in message
    assert this_month in partitions()
    assert kept_seqs() == [1, 2]


def test_elsewhere_the_log_is_one_table_and_nothing_is_made(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only: PostgreSQL makes partitions")

    assert access_log_partition_ahead() is None


def insert_copy(seq: int, *, as_seq: int, at: datetime.datetime) -> None:
    """Insert, as the owner with the triggers on, a copy of entry `seq` as `as_seq` at `at`."""
    raw(
        "INSERT INTO audit_accesslogentry (chain, seq, at, actor_id, actor_role, subject_id, "
        "action, purpose, request_id, ip_address, outcome, way, prev_mac, mac) "
        "SELECT chain, %s, %s, actor_id, actor_role, subject_id, action, purpose, request_id, "
        "ip_address, outcome, way, prev_mac, mac FROM audit_accesslogentry WHERE seq = %s",
        [as_seq, at, seq],
    )


@postgres_only
def test_a_second_entry_with_the_next_seq_makes_the_append_fail(write_entries):
    # `seq` is unique per month only: the index lets a copy numbered 3 into 2019-03, but the
    # next append (seq 3 again) cannot move the head over two entries numbered 3.
    make_month(2019, 3)
    write_entries(2)
    insert_copy(2, as_seq=3, at=moment(2019, 3, 1, 10))

    with pytest.raises(DatabaseError) as error, transaction.atomic():
        write_entries(1)

    assert "the chain head may only advance" in str(error.value)
    assert raw("SELECT seq FROM audit_chainhead") == [(2,)]


@postgres_only
def test_a_second_entry_with_a_seq_behind_the_head_is_found_by_verification(write_entries):
    make_month(2019, 3)
    write_entries(3)
    insert_copy(2, as_seq=2, at=moment(2019, 3, 1, 10))

    assert raw("SELECT COUNT(*) FROM audit_accesslogentry WHERE seq = 2") == [(2,)]
    assert not access_log_verify().is_intact
