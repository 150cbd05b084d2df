"""The access log in several chains (audit/models.py, services.py): each verifies alone.

Rows are put into a chosen chain by pinning the writer to it (`in_chain`), on SQLite too; which
chain a writer takes under contention is tested on PostgreSQL in test_concurrency.py.
"""

import contextlib
import datetime
import json
import uuid

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit import keys, services
from audit.anchors import anchor_line, anchor_parse
from audit.chain import canonical_content, entry_mac
from audit.models import GENESIS_MAC, AccessLogEntry, ChainHead, PrunePoint
from audit.prune import access_log_prune
from audit.services import access_log_anchor
from audit.verify import Problem, access_log_verify

MOMENT = timezone.make_aware(datetime.datetime(2026, 11, 30, 12, 0))


def moment(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def in_chain(monkeypatch):
    """`with in_chain(k):` appends go to chain k (as a writer meeting busy heads would)."""

    @contextlib.contextmanager
    def pinned(chain: int):
        with monkeypatch.context() as patch:
            patch.setattr(services, "_locked_head", lambda: services._head_waited_for(chain))
            yield

    return pinned


@pytest.fixture
def three_chains(write_entries, in_chain):
    """Chain 0: 3 rows, chain 1: 4 rows, chain 2: 2 rows, written interleaved."""
    written: dict[int, list[AccessLogEntry]] = {0: [], 1: [], 2: []}
    for chain, n in [(0, 2), (1, 3), (2, 1), (0, 1), (1, 1), (2, 1)]:
        with in_chain(chain):
            written[chain] += write_entries(n)
    return written


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_each_chain_counts_from_one_and_is_sealed_to_its_own_rows(three_chains):
    for chain, entries in three_chains.items():
        assert [(e.chain, e.seq) for e in entries] == [
            (chain, n) for n in range(1, len(entries) + 1)
        ]
        assert entries[0].prev_mac == GENESIS_MAC
        assert [e.prev_mac for e in entries[1:]] == [e.mac for e in entries[:-1]]
    assert dict(ChainHead.objects.values_list("pk", "seq")) == {0: 3, 1: 4, 2: 2}

    result = access_log_verify()

    assert result.is_intact
    # 3 + 4 + 2 rows.
    assert result.entries == 9
    assert [(c.chain, c.entries) for c in result.chains] == [(0, 3), (1, 4), (2, 2)]


def test_the_chain_number_is_sealed_outside_chain_0_and_not_in_it(three_chains):
    first, other = three_chains[0][0], three_chains[2][0]
    row = AccessLogEntry.objects.filter(pk=other.pk).values(
        "chain", "seq", "at", "actor_id", "actor_role", "subject_id", "action", "purpose",
        "request_id", "ip_address", "outcome", "way",
    ).get()  # fmt: skip

    content = canonical_content(**row)

    assert b'"chain":2' in content
    assert entry_mac(keys.audit_key(), GENESIS_MAC, content) == other.mac
    # Chain 0's rows are sealed exactly as before chains existed: no chain in their content.
    assert b"chain" not in canonical_content(**{**row, "chain": 0, "subject_id": first.subject_id})


def test_a_changed_row_in_one_chain_is_named_with_its_chain(three_chains, tamper):
    entry = three_chains[1][1]

    tamper(entry.pk, "purpose", "break_glass")
    result = access_log_verify()

    assert (result.broken.chain, result.broken.seq) == (1, 2)
    assert result.broken.problem == Problem.CHANGED
    assert result.broken.entry_id == entry.pk
    assert "broken at seq 2 of chain 1" in str(result.broken)
    # Chain 0 before it holds (3 rows), chain 1 up to seq 1.
    assert result.entries == 3 + 1


def test_a_deleted_row_in_one_chain_is_found(three_chains, raw_sql):
    raw_sql("DELETE FROM audit_accesslogentry WHERE id = %s", [three_chains[1][1].pk])

    broken = access_log_verify().broken

    assert (broken.chain, broken.seq, broken.problem) == (1, 2, Problem.MISSING)


def test_two_rows_swapped_in_one_chain_are_found(three_chains, raw_sql):
    # Through a free seq: the unique (chain, seq) refuses the middle state of a single swap.
    raw_sql("UPDATE audit_accesslogentry SET seq = 99 WHERE chain = 1 AND seq = 2")
    raw_sql("UPDATE audit_accesslogentry SET seq = 2 WHERE chain = 1 AND seq = 3")
    raw_sql("UPDATE audit_accesslogentry SET seq = 3 WHERE chain = 1 AND seq = 99")

    broken = access_log_verify().broken

    assert (broken.chain, broken.seq, broken.problem) == (1, 2, Problem.LINK)


def test_a_row_moved_to_another_chain_is_found(three_chains, raw_sql):
    # Chain 1's second row renumbered into chain 0 as its fourth: gone from chain 1, and not
    # sealed for chain 0 (nor does chain 0's head cover it).
    raw_sql(
        "UPDATE audit_accesslogentry SET chain = 0, seq = 4 WHERE id = %s", [three_chains[1][1].pk]
    )

    broken = access_log_verify().broken

    assert (broken.chain, broken.seq, broken.problem) == (0, 4, Problem.HEAD)
    raw_sql("UPDATE audit_chainhead SET seq = 4, mac = %s WHERE id = 0", [three_chains[1][1].mac])
    broken = access_log_verify().broken
    assert (broken.chain, broken.seq, broken.problem) == (0, 4, Problem.LINK)


def test_a_row_in_a_chain_without_a_head_is_found(three_chains, raw_sql):
    raw_sql("UPDATE audit_accesslogentry SET chain = 7 WHERE id = %s", [three_chains[2][1].pk])

    broken = access_log_verify().broken

    # Chain 2 lost its newest row first (its head names seq 2).
    assert (broken.chain, broken.problem) == (2, Problem.TRUNCATED)
    raw_sql("UPDATE audit_chainhead SET seq = 1, mac = %s WHERE id = 2", [three_chains[2][0].mac])
    broken = access_log_verify().broken
    assert (broken.chain, broken.seq, broken.problem) == (7, 2, Problem.HEAD)
    assert "the chain head is missing" in broken.detail


def test_anchoring_writes_one_signed_line_for_each_chain(three_chains, anchor_file):
    with time_machine.travel(MOMENT, tick=False):
        written = access_log_anchor()

    anchors = lines(anchor_file)
    # Chain 0 as before chains existed (version 1, no chain); the others name their chain.
    assert anchors[0].keys() == {"v", "seq", "mac", "at", "sig"}
    assert [(a.get("chain", 0), a["seq"], a["mac"], a["v"]) for a in anchors] == [
        (0, 3, three_chains[0][-1].mac, 1),
        (1, 4, three_chains[1][-1].mac, 2),
        (2, 2, three_chains[2][-1].mac, 2),
    ]
    assert (written.seq, len(written.lines)) == (3, 3)
    assert access_log_verify().is_intact


def test_an_idle_chain_gets_no_new_anchor_line_and_stays_protected(
    three_chains, anchor_file, in_chain, write_entries, raw_sql
):
    """Chain 0 is anchored every time (the file shows the timer runs); chain 1 only when it
    moved, chain 2 never again: its first line already names its head."""
    with time_machine.travel(MOMENT, tick=False):
        access_log_anchor()
    with in_chain(1):
        write_entries(2)
    with time_machine.travel(MOMENT + datetime.timedelta(minutes=5), tick=False):
        second = access_log_anchor()
    with time_machine.travel(MOMENT + datetime.timedelta(minutes=10), tick=False):
        third = access_log_anchor()
    # 3 lines, then chain 0 and the moved chain 1 (seq 6), then chain 0 alone.
    assert [(a.get("chain", 0), a["seq"]) for a in lines(anchor_file)] == [
        (0, 3),
        (1, 4),
        (2, 2),
        (0, 3),
        (1, 6),
        (0, 3),
    ]
    assert (len(second.lines), len(third.lines)) == (2, 1)
    assert access_log_verify().is_intact
    # The idle chain's first anchor still guards its tail: chain 2's last row deleted is found.
    raw_sql("DELETE FROM audit_accesslogentry WHERE chain = 2 AND seq = 2")
    raw_sql("UPDATE audit_chainhead SET seq = 1, mac = %s WHERE id = 2", [three_chains[2][0].mac])
    result = access_log_verify()
    assert result.broken is not None and result.broken.chain == 2


def test_an_anchor_line_cannot_be_moved_to_another_chain(three_chains):
    line = json.loads(anchor_line(seq=2, mac=three_chains[2][-1].mac, at=MOMENT, chain=2))

    moved = anchor_parse(json.dumps({**line, "chain": 1}))
    as_chain_0 = anchor_parse(json.dumps({**line, "chain": 0}))
    unchained = anchor_parse(json.dumps({k: v for k, v in line.items() if k != "chain"}))

    assert "signature does not verify" in moved.reason
    assert "chain is not a whole number from 1" in as_chain_0.reason
    assert "unknown anchor version 2" in unchained.reason


def test_deleting_the_tail_of_one_chain_after_an_anchor_is_found(
    three_chains, anchor_file, raw_sql, write_entries, in_chain
):
    access_log_anchor()
    with in_chain(1):
        write_entries(1)
    chain_1 = three_chains[1]
    # Someone with the database deletes chain 1's last two anchored rows and the new one, and
    # moves its head back: the chain and its head agree again.
    raw_sql("DELETE FROM audit_accesslogentry WHERE chain = 1 AND seq >= 3")
    raw_sql("UPDATE audit_chainhead SET seq = 2, mac = %s WHERE id = 1", [chain_1[1].mac])

    result = access_log_verify()

    assert (result.broken.chain, result.broken.seq, result.broken.problem) == (1, 3, Problem.CUT)
    assert "names seq 4" in result.broken.detail
    with pytest.raises(services.AnchorRefused):
        access_log_anchor()


def test_deleting_a_whole_chain_after_an_anchor_is_found(three_chains, anchor_file, raw_sql):
    access_log_anchor()
    raw_sql("DELETE FROM audit_accesslogentry WHERE chain = 2")
    raw_sql("DELETE FROM audit_chainhead WHERE id = 2")

    broken = access_log_verify().broken

    assert (broken.chain, broken.seq, broken.problem) == (2, 1, Problem.CUT)


@pytest.fixture
def anchored_2019_and_2025(write_entries, in_chain, anchor_file):
    """2019: two rows in chain 0, three in chain 1, anchored; 2025: one more row in each,
    anchored again."""
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        with in_chain(0):
            write_entries(2)
        with in_chain(1):
            write_entries(3)
        access_log_anchor()
    with time_machine.travel(moment(2025, 6, 1, 10), tick=False):
        with in_chain(0):
            write_entries(1)
        with in_chain(1):
            write_entries(1)
        access_log_anchor()


def test_each_chain_is_pruned_behind_its_own_anchor(anchored_2019_and_2025):
    with time_machine.travel(moment(2026, 11, 30, 12), tick=False):
        done = access_log_prune(before=moment(2020, 11, 30))
        result = access_log_verify(retained_since=moment(2020, 11, 30))

    # 2 + 3 rows went, each chain's behind its own 2019 anchor.
    assert (done.pruned, done.entries) == (True, 5)
    assert sorted(PrunePoint.objects.values_list("chain", "seq", "entries")) == [
        (0, 2, 2),
        (1, 3, 3),
    ]
    assert sorted(AccessLogEntry.objects.values_list("chain", "seq")) == [(0, 3), (1, 4)]
    assert result.is_intact
    assert [(c.chain, c.pruned_through) for c in result.chains] == [(0, 2), (1, 3)]


def test_a_prune_point_copied_to_another_chain_is_found(write_entries, in_chain, raw_sql):
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        with in_chain(1):
            write_entries(2)
        access_log_anchor()
    with time_machine.travel(moment(2026, 11, 30, 12), tick=False):
        access_log_prune(before=moment(2020, 11, 30))
    point = PrunePoint.objects.get()
    raw_sql(
        "INSERT INTO audit_prunepoint (chain, seq, mac, anchor, pruned_at, entries) "
        "VALUES (0, %s, %s, %s, %s, 0)",
        [point.seq, point.mac, point.anchor, MOMENT],
    )

    broken = access_log_verify().broken

    assert (broken.chain, broken.problem) == (0, Problem.PRUNE)


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL's 0008 is not reversible: run on SQLite"
)
@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_a_single_chain_log_chain_0_and_it_still_verifies():
    before, after = (
        ("audit", "0007_access_log_partitioned_by_month"),
        ("audit", "0008_access_log_chains"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    key = keys.audit_key()
    prev = GENESIS_MAC
    with connection.cursor() as cursor:
        # Three rows written before chains existed (no chain column), and the one head, id 1.
        for seq in (1, 2, 3):
            at = moment(2026, 11, 30, 12, seq)
            fields = dict(
                seq=seq, at=at, actor_id=None, actor_role="", subject_id=uuid.UUID(int=seq),
                action="view", purpose="", request_id="", ip_address=None, outcome="ok",
            )  # fmt: skip
            mac = entry_mac(key, prev, canonical_content(**fields))
            cursor.execute(
                "INSERT INTO audit_accesslogentry (seq, at, actor_id, actor_role, subject_id, "
                "action, purpose, request_id, ip_address, outcome, way, prev_mac, mac) "
                "VALUES (%s, %s, NULL, '', %s, 'view', '', '', NULL, 'ok', '', %s, %s)",
                [seq, at.isoformat(), uuid.UUID(int=seq).hex, prev, mac],
            )
            prev = mac
        cursor.execute("INSERT INTO audit_chainhead (id, seq, mac) VALUES (1, 3, %s)", [prev])

    executor = MigrationExecutor(connection)
    executor.migrate([after])
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())

    assert list(AccessLogEntry.objects.values_list("chain", "seq")) == [(0, 1), (0, 2), (0, 3)]
    assert list(ChainHead.objects.values_list("pk", "seq")) == [(0, 3)]
    assert access_log_verify().is_intact
    appended = services.access_log_write(actor=None, action="view", subject_id=uuid.uuid4())
    assert (appended.chain, appended.seq, appended.prev_mac) == (0, 4, prev)
    assert access_log_verify().entries == 4


@pytest.mark.postgres
def test_postgresql_creates_a_chain_head_only_at_the_start_of_its_chain(three_chains):
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_chainhead (id, seq, mac) VALUES (9, 2, %s)",
            [three_chains[2][-1].mac],
        )

    assert "a chain head is created at the start of its chain" in str(error.value)
    assert not ChainHead.objects.filter(pk=9).exists()


def test_the_retention_command_names_each_chain_s_anchor(anchored_2019_and_2025):
    import io

    from django.core.management import call_command

    # 2 + 3 entries of 2019 behind the 2019 anchors, one more a chain in 2025: the command's
    # summary names both chains' anchors, not chain 0's alone.
    out = io.StringIO()
    with time_machine.travel(moment(2026, 11, 30, 12), tick=False):
        call_command("apply_retention", stdout=out)
    summary = out.getvalue()
    # The access log's retention default, 5 years + the 365-day floor: cut-off 2020-11-30;
    # 5 entries older than it, all 5 behind the anchors of chain 0 (seq 2) and chain 1 (seq 3).
    assert "5 entries older than 2020-11-30; pruned 5 behind the anchors of 2 chains (" in summary
    assert "chain 0: seq 2 at 2019-03-01" in summary and "chain 1: seq 3 at 2019-03-01" in summary
