"""Pruning the access log behind a signed anchor (audit/prune.py, privacy retention).

The story, on a frozen clock, with the default period of the access log (6 years): on
2026-11-30 the first day kept is 2020-11-30, so the cut-off is 2020-11-30 00:00 in Warsaw.

- 2019-03-01: entries 1 to 3, anchored (the anchor of seq 3, 2019: older than the cut-off);
- 2020-06-01: entries 4 and 5 (expired, but no anchor older than the cut-off covers them);
- 2021-01-04: entries 6 and 7, anchored (the anchor of seq 7, 2021: newer than the cut-off).

So 5 entries are older than the cut-off, 3 of them (1 to 3) lie behind an old enough anchor and
go; 4 to 7 stay (4 and 5 until an anchor written before a later cut-off covers them).
"""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.dbroles import role_facts
from audit.models import AppendOnlyError, PrunePoint
from audit.prune import PruneRefused, access_log_prune, access_log_prune_plan
from audit.services import access_log_anchor
from audit.verify import Problem, access_log_verify
from privacy.retention import access_log_retained_since, retention_apply
from tests.audit.test_database_roles import connected_as, grant, new_role_name, privileges

TODAY = datetime.date(2026, 11, 30)
NOW = timezone.make_aware(datetime.datetime(2026, 11, 30, 12, 0))
CUT_OFF = timezone.make_aware(datetime.datetime(2020, 11, 30))


def moment(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def kept_seqs() -> list[int]:
    return [seq for (seq,) in raw("SELECT seq FROM audit_accesslogentry ORDER BY seq")]


def prune_points() -> list[tuple]:
    return raw("SELECT seq, mac, entries FROM audit_prunepoint ORDER BY seq")


@pytest.fixture
def history(write_entries):
    """The seven entries and two anchors of the module's story; the clock left on NOW."""
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


def test_the_cut_off_is_midnight_of_the_first_day_the_period_keeps(db):
    assert access_log_retained_since(TODAY) == CUT_OFF


def test_entries_behind_an_old_enough_anchor_are_pruned_and_the_chain_verifies(history):
    run = retention_apply(today=TODAY, dry_run=False)

    assert (run.access_log_expired, run.access_log_pruned) == (5, 3)
    assert run.access_log_anchor.seq == 3
    assert run.access_log_refused == ""
    # Raw: entries 1 to 3 gone, 4 to 7 kept; the prune point names entry 3's MAC.
    assert kept_seqs() == [4, 5, 6, 7]
    assert prune_points() == [(3, history[2].mac, 3)]
    result = access_log_verify(retained_since=CUT_OFF)
    assert result.is_intact
    assert (result.entries, result.pruned_through) == (7, 3)
    assert result.pruned_behind.seq == 3


def test_a_second_run_prunes_nothing_more_until_a_newer_anchor_is_old_enough(history):
    retention_apply(today=TODAY, dry_run=False)

    again = retention_apply(today=TODAY, dry_run=False)
    # Entries 4 and 5 are older than the cut-off, but the only anchor beyond seq 3 is of 2021.
    assert (again.access_log_expired, again.access_log_pruned) == (2, 0)
    assert again.access_log_refused.startswith("2 access-log entries are older than")
    assert kept_seqs() == [4, 5, 6, 7]
    # Seven years on (cut-off 2021-11-30) the anchor of seq 7 is old enough: 4 to 7 go.
    with time_machine.travel(moment(2027, 12, 1, 12), tick=False):
        later = retention_apply(today=datetime.date(2027, 12, 1), dry_run=False)
        assert later.access_log_pruned == 4
        assert kept_seqs() == []
        assert [seq for seq, _mac, _n in prune_points()] == [3, 7]
        assert access_log_verify(retained_since=access_log_retained_since(later.today)).is_intact


def test_new_entries_after_a_prune_chain_on_and_are_anchored(history, write_entries):
    retention_apply(today=TODAY, dry_run=False)

    (new,) = write_entries(1)
    written = access_log_anchor()

    assert new.seq == 8
    assert written.seq == 8
    assert access_log_verify(retained_since=CUT_OFF).is_intact


def test_anchoring_after_a_prune_up_to_the_newest_anchor_starts_from_the_prune_point(
    write_entries, anchor_file
):
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        write_entries(3)
        access_log_anchor()
    with time_machine.travel(NOW, tick=False):
        access_log_prune(before=CUT_OFF)
        write_entries(2)
        # The newest anchor names seq 3, which is gone: the check starts from the prune point.
        written = access_log_anchor()

    assert written.seq == 5
    assert kept_seqs() == [4, 5]


def test_the_dry_run_says_how_many_would_go_and_behind_which_anchor(history):
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)

    assert (
        "Access log: 5 entries older than 2020-11-30; would prune 3 behind the anchor of seq 3"
        in (out.getvalue())
    )
    assert kept_seqs() == [1, 2, 3, 4, 5, 6, 7]
    assert prune_points() == []


def test_the_command_prunes_and_the_verify_command_agrees(history):
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    verified = io.StringIO()
    call_command("verify_access_log", stdout=verified)

    assert "Access log: 5 entries older than 2020-11-30; pruned 3 behind the anchor of seq 3" in (
        out.getvalue()
    )
    assert "pruned up to seq 3 behind the signed anchor of 2019-03-01" in verified.getvalue()
    assert "verified from seq 4" in verified.getvalue()


def test_without_any_anchor_nothing_is_pruned(write_entries, anchor_file):
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        write_entries(3)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(PruneRefused, match="no signed anchor older than that"):
            access_log_prune(before=CUT_OFF)
        with pytest.raises(CommandError, match="Access log not pruned"):
            call_command("apply_retention", stdout=io.StringIO())

    assert not anchor_file.exists()
    assert kept_seqs() == [1, 2, 3]
    assert prune_points() == []


def test_an_anchor_newer_than_the_cut_off_does_not_let_older_entries_go(write_entries):
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        write_entries(3)
    with time_machine.travel(moment(2021, 1, 4, 10), tick=False):
        access_log_anchor()
    with time_machine.travel(NOW, tick=False):
        plan = access_log_prune_plan(before=CUT_OFF)
        with pytest.raises(PruneRefused):
            access_log_prune(before=CUT_OFF)

    assert (plan.expired, plan.anchor, plan.entries) == (3, None, 0)
    assert kept_seqs() == [1, 2, 3]


def test_with_nothing_expired_the_prune_does_nothing(write_entries):
    with time_machine.travel(NOW, tick=False):
        write_entries(2)
        access_log_anchor()
        plan = access_log_prune(before=CUT_OFF)

    assert (plan.expired, plan.entries, plan.pruned) == (0, 0, False)
    assert kept_seqs() == [1, 2]


def test_a_broken_chain_is_not_pruned(history, tamper):
    tamper(history[4].id, "purpose", "rewritten")

    with pytest.raises(PruneRefused, match="does not verify") as refused:
        access_log_prune(before=CUT_OFF)

    assert refused.value.broken.problem == Problem.CHANGED
    assert kept_seqs() == [1, 2, 3, 4, 5, 6, 7]


@pytest.fixture
def pruned(history):
    access_log_prune(before=CUT_OFF)
    assert access_log_verify(retained_since=CUT_OFF).is_intact
    return history


def test_deleting_a_kept_entry_from_the_middle_after_a_prune_is_found(pruned, raw_sql):
    raw_sql("DELETE FROM audit_accesslogentry WHERE seq = 5")

    broken = access_log_verify(retained_since=CUT_OFF).broken
    assert (broken.seq, broken.problem) == (5, Problem.MISSING)


def test_deleting_the_first_kept_entry_is_found(pruned, raw_sql):
    raw_sql("DELETE FROM audit_accesslogentry WHERE seq = 4")

    broken = access_log_verify(retained_since=CUT_OFF).broken
    assert (broken.seq, broken.problem) == (4, Problem.MISSING)


def test_deleting_the_tail_after_a_prune_is_found(pruned, raw_sql):
    raw_sql("DELETE FROM audit_accesslogentry WHERE seq = 7")

    broken = access_log_verify(retained_since=CUT_OFF).broken
    assert (broken.seq, broken.problem) == (7, Problem.TRUNCATED)


def test_changing_the_first_kept_entry_is_found(pruned, tamper):
    tamper(pruned[3].id, "purpose", "rewritten")

    broken = access_log_verify(retained_since=CUT_OFF).broken
    assert (broken.seq, broken.problem) == (4, Problem.CHANGED)


def test_deleting_the_prune_point_shows_the_pruned_entries_missing(pruned, raw_sql):
    raw_sql("DELETE FROM audit_prunepoint")

    broken = access_log_verify(retained_since=CUT_OFF).broken
    assert (broken.seq, broken.problem) == (1, Problem.MISSING)


def test_a_prune_point_with_a_forged_anchor_fails_its_signature(pruned, raw_sql):
    line = json.loads(PrunePoint.objects.get().anchor)
    line["sig"] = "0" * 64
    raw_sql("UPDATE audit_prunepoint SET anchor = %s", [json.dumps(line)])

    broken = access_log_verify(retained_since=CUT_OFF).broken
    assert broken.problem == Problem.PRUNE
    assert "signature does not verify" in broken.detail


def test_a_prune_point_moved_to_another_seq_is_found(pruned, raw_sql):
    # The genuine anchor line of seq 3, put next to seq 5 (and entries 4, 5 deleted with it).
    raw_sql("UPDATE audit_prunepoint SET seq = 5")
    raw_sql("DELETE FROM audit_accesslogentry WHERE seq <= 5")

    broken = access_log_verify(retained_since=CUT_OFF).broken
    assert broken.problem == Problem.PRUNE
    assert "its anchor seq 3" in broken.detail


def test_pruning_more_than_retention_allows_behind_a_genuine_anchor_is_found(
    pruned, raw_sql, anchor_file
):
    # What someone with the database could do: a prune point naming the genuine anchor of seq
    # 7 (2021, newer than the cut-off), and every entry up to it deleted.
    anchor_2021 = anchor_file.read_text().splitlines()[1]
    raw_sql(
        "INSERT INTO audit_prunepoint (chain, seq, mac, anchor, pruned_at, entries) "
        "VALUES (0, 7, %s, %s, %s, 4)",
        [pruned[6].mac, anchor_2021, NOW],
    )
    raw_sql("DELETE FROM audit_accesslogentry WHERE seq <= 7")

    broken = access_log_verify(retained_since=CUT_OFF).broken
    assert broken.problem == Problem.PRUNE
    assert "more was deleted than retention allows" in broken.detail
    with pytest.raises(CommandError, match="more was deleted than retention allows"):
        call_command("verify_access_log", stdout=io.StringIO())


def test_the_model_refuses_to_change_or_delete_a_prune_point(pruned):
    point = PrunePoint.objects.get()

    with pytest.raises(AppendOnlyError):
        point.delete()
    with pytest.raises(AppendOnlyError):
        PrunePoint.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        PrunePoint.objects.update(seq=5)

    assert prune_points() == [(3, pruned[2].mac, 3)]


def refused_by_the_database(sql: str, params=()) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        raw(sql, params)
    return str(error.value)


@pytest.mark.postgres
def test_postgresql_refuses_deleting_entries_beyond_the_prune_point(pruned):
    message = refused_by_the_database("DELETE FROM audit_accesslogentry WHERE seq = 5")

    assert "append-only" in message
    assert kept_seqs() == [4, 5, 6, 7]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_prunepoint SET seq = 5",
        "DELETE FROM audit_prunepoint",
        "TRUNCATE audit_prunepoint",
    ],
)
def test_postgresql_refuses_changing_the_prune_points(pruned, sql):
    assert "append-only" in refused_by_the_database(sql)

    assert prune_points() == [(3, pruned[2].mac, 3)]


@pytest.mark.postgres
def test_postgresql_prunes_only_forward_and_only_to_an_entry_with_its_mac(pruned):
    behind = refused_by_the_database("SELECT audit_prune_through(0, 2, %s, 'x')", [pruned[1].mac])
    wrong_mac = refused_by_the_database("SELECT audit_prune_through(0, 5, %s, 'x')", ["0" * 64])

    assert "already pruned up to seq 3" in behind
    assert "no entry 5 with that MAC" in wrong_mac
    assert kept_seqs() == [4, 5, 6, 7]


@pytest.mark.postgres
def test_postgresql_never_prunes_an_entry_younger_than_a_year(write_entries):
    # Written now by the database's clock (which time-machine does not move).
    entries = write_entries(2)

    message = refused_by_the_database("SELECT audit_prune_through(0, 2, %s, 'x')", [entries[1].mac])

    assert "younger than 365 days are never pruned" in message
    assert kept_seqs() == [1, 2]
    assert prune_points() == []


@pytest.fixture
def granted_role(db):
    """A role given the application's grants inside the test's transaction (rolled back)."""
    name = new_role_name()
    raw(f"CREATE ROLE {name}")
    grant(name)
    return name


@pytest.fixture
def app_login(transactional_db):
    """A login role with the application's grants, committed so that it can connect."""
    name = new_role_name()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {name} LOGIN")
    grant(name)
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {name}")
        cursor.execute(f"DROP ROLE {name}")


@pytest.mark.postgres
def test_the_app_role_may_read_prune_points_and_call_the_prune_function_only(granted_role):
    role = granted_role

    assert privileges(role, "audit_prunepoint") == {"SELECT"}
    assert privileges(role, "audit_accesslogentry") == {"SELECT", "INSERT"}
    assert raw(
        "SELECT has_function_privilege(%s, 'audit_prune_through(integer, bigint, text, text)', "
        "'EXECUTE'), has_function_privilege('public', "
        "'audit_prune_through(integer, bigint, text, text)', 'EXECUTE')",
        [role],
    ) == [(True, False)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_app_role_cannot_delete_rows_or_write_a_prune_point_of_its_own(
    app_login, write_entries, anchor_file
):
    with time_machine.travel(moment(2019, 3, 1, 10), tick=False):
        entries = write_entries(3)
        access_log_anchor()
    with time_machine.travel(NOW, tick=False):
        write_entries(2)
        with connected_as(app_login):
            messages = [
                refused_by_the_database(statement, params)
                for statement, params in [
                    ("DELETE FROM audit_accesslogentry WHERE seq <= 3", ()),
                    ("DELETE FROM audit_accesslogentry", ()),
                    (
                        "INSERT INTO audit_prunepoint (seq, mac, anchor, pruned_at, entries) "
                        "VALUES (5, %s, 'x', now(), 0)",
                        ["0" * 64],
                    ),
                    # The function's own floor, by the database's clock (time-machine does not
                    # move it): entry 5, written on 2026-11-30, is younger than a year.
                    ("SELECT audit_prune_through(0, 5, %s, 'x')", [write_mac(5)]),
                ]
            ]
            # Through its one door the role prunes the old entries behind the 2019 anchor.
            plan = access_log_prune(before=CUT_OFF)

    assert "permission denied for table audit_accesslogentry" in messages[0]
    assert "permission denied for table audit_accesslogentry" in messages[1]
    assert "permission denied for table audit_prunepoint" in messages[2]
    assert "younger than 365 days are never pruned" in messages[3]
    assert (plan.entries, plan.pruned) == (3, True)
    assert kept_seqs() == [4, 5]
    assert prune_points() == [(3, entries[2].mac, 3)]
    assert access_log_verify(retained_since=CUT_OFF).is_intact


def write_mac(seq: int) -> str:
    return raw("SELECT mac FROM audit_accesslogentry WHERE seq = %s", [seq])[0][0]


def test_the_dpo_page_says_how_many_entries_todays_run_would_remove(history, client, dpo):
    client.force_login(dpo)

    html = client.get("/privacy/retention/").content.decode()

    # 5 entries older than 2020-11-30; 3 of them (seq 1 to 3) behind the anchor of seq 3.
    assert "5 wpisów rejestru dostępu jest starszych niż" in html
    assert "usunie 3 wpisy, do pozycji 3, za podpisanym punktem kontrolnym" in html
    assert kept_seqs() == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.postgres
def test_a_role_that_may_write_prune_points_is_reported_by_the_role_check(granted_role):
    assert role_facts(connection, granted_role).excess == ()

    raw(f"GRANT INSERT, DELETE ON audit_prunepoint TO {granted_role}")

    assert set(role_facts(connection, granted_role).excess) == {
        ("audit_prunepoint", "INSERT"),
        ("audit_prunepoint", "DELETE"),
    }
