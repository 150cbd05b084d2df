"""Verification recomputes the chain and names the first broken row, whatever was tampered with."""

import datetime
import uuid

import pytest

from audit import verify
from audit.models import AccessLogEntry
from audit.verify import Problem, access_log_verify

ROWS = 5


def test_an_empty_log_is_intact(db):
    result = access_log_verify()

    assert result.is_intact
    assert result.entries == 0


def test_the_chain_is_intact_after_many_writes_across_chunks(
    write_entries, django_assert_max_num_queries
):
    write_entries(50)

    # 50 rows in chunks of 7: 8 chunk queries, plus the heads, the prune points, the look for
    # rows of chains without a head and the look past the head.
    with django_assert_max_num_queries(8 + 4):
        result = access_log_verify(chunk_size=7)

    assert result.is_intact
    assert result.entries == 50


def test_an_entry_appended_while_verifying_is_not_taken_for_tampering(write_entries, monkeypatch):
    """The head is read first; a row written later (with its head) waits for the next check."""
    write_entries(3)
    appended = []
    check_row = verify._check_row

    def append_then_check(*args):
        if not appended:
            appended.extend(write_entries(1))
        return check_row(*args)

    monkeypatch.setattr(verify, "_check_row", append_then_check)
    result = access_log_verify()

    assert appended[0].seq == 4
    assert result.is_intact
    assert result.entries == 3


def new_value(column: str, entry: AccessLogEntry, other_user):
    """A different value for `column` of `entry`, one the database accepts."""
    return {
        # Moved to another chain: gone from its place in chain 0 (and not sealed for chain 1).
        "chain": 1,
        "seq": ROWS + 100,
        "at": entry.at + datetime.timedelta(microseconds=1),
        "actor_id": other_user.pk,
        "actor_role": "manager",
        "subject_id": uuid.UUID("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"),
        "action": "export",
        "purpose": "case_fil",
        "request_id": "f" * 32,
        "ip_address": "198.51.100.9",
        "outcome": "denied",
        "way": "team",
        "prev_mac": "a" * 64,
        "mac": "b" * 64,
    }[column]


# What verification calls each change. Renumbering a row leaves a hole where it was.
EXPECTED = {
    "chain": Problem.MISSING,
    "seq": Problem.MISSING,
    "prev_mac": Problem.LINK,
    **{
        column: Problem.CHANGED
        for column in [
            "at",
            "actor_id",
            "actor_role",
            "subject_id",
            "action",
            "purpose",
            "request_id",
            "ip_address",
            "outcome",
            "way",
            "mac",
        ]
    },
}


@pytest.mark.parametrize("column", list(EXPECTED))
@pytest.mark.parametrize("position", [1, 3, ROWS], ids=["first", "middle", "newest"])
def test_changing_any_column_of_any_row_is_named(write_entries, tamper, manager, column, position):
    entries = write_entries(ROWS)
    entry = entries[position - 1]

    tamper(entry.pk, column, new_value(column, entry, manager))
    result = access_log_verify()

    assert not result.is_intact
    assert result.broken.seq == position
    if column in ("seq", "chain"):
        # The renumbered (or moved) row is gone from its place: a hole there, or a cut-off end.
        assert result.broken.entry_id is None
        assert result.broken.problem == (Problem.TRUNCATED if position == ROWS else Problem.MISSING)
    else:
        assert result.broken.entry_id == entry.pk
        assert result.broken.problem == EXPECTED[column]
    assert result.entries == position - 1


def test_every_recorded_column_is_covered_by_the_tamper_test():
    columns = {field.column for field in AccessLogEntry._meta.concrete_fields}

    # `id` is the database's row number, given after the MAC is made; the chain uses `seq`.
    assert columns - {"id"} == set(EXPECTED)


def test_deleting_a_middle_row_is_named(write_entries, raw_sql):
    entries = write_entries(ROWS)

    raw_sql("DELETE FROM audit_accesslogentry WHERE id = %s", [entries[2].pk])
    result = access_log_verify()

    assert result.broken.problem == Problem.MISSING
    assert result.broken.seq == 3
    assert result.broken.entry_id is None
    assert f"before seq 4 (id {entries[3].pk})" in result.broken.detail


def test_deleting_the_newest_row_is_named_as_truncation(write_entries, raw_sql):
    entries = write_entries(ROWS)

    raw_sql("DELETE FROM audit_accesslogentry WHERE id = %s", [entries[-1].pk])
    result = access_log_verify()

    assert result.broken.problem == Problem.TRUNCATED
    assert result.broken.seq == ROWS
    assert f"after seq {ROWS - 1} (id {entries[-2].pk})" in result.broken.detail


def test_deleting_every_row_is_named_as_truncation(write_entries, raw_sql):
    write_entries(3)

    raw_sql("DELETE FROM audit_accesslogentry")
    result = access_log_verify()

    assert result.broken.problem == Problem.TRUNCATED
    assert result.broken.seq == 1
    assert "entries 1 to 3 are missing" in result.broken.detail


def test_swapping_two_rows_is_named_at_the_first_of_them(write_entries, raw_sql):
    entries = write_entries(ROWS)
    second, third = entries[1], entries[2]

    raw_sql("UPDATE audit_accesslogentry SET seq = 1000 WHERE id = %s", [second.pk])
    raw_sql("UPDATE audit_accesslogentry SET seq = 2 WHERE id = %s", [third.pk])
    raw_sql("UPDATE audit_accesslogentry SET seq = 3 WHERE id = %s", [second.pk])
    result = access_log_verify()

    assert result.broken.seq == 2
    assert result.broken.entry_id == third.pk
    assert result.broken.problem == Problem.LINK


def test_truncation_hidden_by_rewinding_the_head_is_named(write_entries, raw_sql):
    """Rows past the head: the head was moved back, or rows were written outside the service."""
    entries = write_entries(ROWS)

    raw_sql("UPDATE audit_chainhead SET seq = %s, mac = %s", [ROWS - 1, entries[-2].mac])
    result = access_log_verify()

    assert result.broken.problem == Problem.HEAD
    assert result.broken.seq == ROWS
    assert result.broken.entry_id == entries[-1].pk


def test_a_changed_chain_head_is_named(write_entries, raw_sql):
    entries = write_entries(ROWS)

    raw_sql("UPDATE audit_chainhead SET mac = %s", ["c" * 64])
    result = access_log_verify()

    assert result.broken.problem == Problem.HEAD
    assert result.broken.seq == ROWS
    assert result.broken.entry_id == entries[-1].pk


def test_a_deleted_chain_head_is_named(write_entries, raw_sql):
    entries = write_entries(2)

    raw_sql("DELETE FROM audit_chainhead")
    result = access_log_verify()

    assert result.broken.problem == Problem.HEAD
    assert result.broken.seq == 1
    assert result.broken.entry_id == entries[0].pk
    assert "chain head is missing" in result.broken.detail


def test_a_row_forged_without_the_key_is_named_even_with_the_head_moved_to_it(
    write_entries, raw_sql, social_worker
):
    entries = write_entries(2)
    forged = AccessLogEntry(
        seq=3,
        at=entries[-1].at,
        actor=social_worker,
        action="view",
        outcome="ok",
        prev_mac=entries[-1].mac,
        mac="d" * 64,
    )
    forged.save()
    raw_sql("UPDATE audit_chainhead SET seq = 3, mac = %s", [forged.mac])

    result = access_log_verify()

    assert result.broken.problem == Problem.CHANGED
    assert result.broken.seq == 3
    assert result.broken.entry_id == forged.pk
