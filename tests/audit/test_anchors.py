"""Anchors: the signed chain head, appended outside the database, and checked by verification.

The attack they answer: delete the newest access-log rows and move the chain head back with them
(on SQLite directly; on PostgreSQL as a superuser with the triggers off). The chain alone then
verifies; against an anchor written before the cut it does not.
"""

import datetime
import hashlib
import hmac
import json
import os
import socket
import stat
import tempfile
from pathlib import Path

import pytest
import time_machine
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.management import CommandError, call_command
from django.db import connection

from audit import verify
from audit.anchors import anchor_line
from audit.chain import SEALED_FIELDS, canonical_content, entry_mac
from audit.checks import check_anchor_syslog
from audit.models import AccessLogEntry
from audit.verify import Problem, access_log_verify
from privacy import keys

ROWS = 5
MOMENT = datetime.datetime(2026, 11, 30, 9, 5, tzinfo=datetime.UTC)


def anchor() -> str:
    """Run the command as the timer does; return its one line of output."""
    out = _Capture()
    call_command("anchor_access_log", stdout=out)
    return out.text


class _Capture:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def cut_tail(raw_sql, entries, keep: int) -> None:
    """Delete the rows after `keep` and rewind the head to it, as a superuser could."""
    raw_sql("DELETE FROM audit_accesslogentry WHERE seq > %s", [keep])
    raw_sql("UPDATE audit_chainhead SET seq = %s, mac = %s", [keep, entries[keep - 1].mac])


def test_an_anchor_is_one_signed_json_line_naming_the_chain_head(write_entries, anchor_file):
    entries = write_entries(3)

    with time_machine.travel(MOMENT, tick=False):
        output = anchor()

    (line,) = lines(anchor_file)
    data = json.loads(line)
    assert data == {
        "v": 1,
        "seq": 3,
        "mac": entries[-1].mac,
        "at": "2026-11-30T09:05:00.000000+00:00",
        "sig": data["sig"],
    }
    # The signature by hand: HMAC-SHA256 under HKDF(audit key, "przystan/access-log/anchor"),
    # over the other four fields as sorted, compact JSON.
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"przystan/access-log/anchor"
    ).derive(keys.audit_key())
    signed = json.dumps(
        {key_: data[key_] for key_ in ("at", "mac", "seq", "v")}, separators=(",", ":")
    )
    assert data["sig"] == hmac.new(key, signed.encode(), hashlib.sha256).hexdigest()
    assert data["sig"] != hmac.new(keys.audit_key(), signed.encode(), hashlib.sha256).hexdigest()
    assert output == f"Anchored seq 3 (MAC {entries[-1].mac[:16]}…) to {anchor_file}\n"


def test_anchors_are_appended_and_earlier_lines_never_change(write_entries, anchor_file):
    write_entries(2)
    anchor()
    first = lines(anchor_file)
    write_entries(1)
    anchor()
    anchor()

    after = lines(anchor_file)
    assert after[:1] == first
    assert [json.loads(line)["seq"] for line in after] == [2, 3, 3]


def test_the_anchor_file_is_created_readable_by_its_owner_only(write_entries, anchor_file):
    write_entries(1)
    anchor()

    assert stat.S_IMODE(os.stat(anchor_file).st_mode) == 0o600


def test_a_cut_tail_with_the_head_rewound_is_named_against_the_anchor(
    write_entries, raw_sql, anchor_file
):
    """The hole of issue 9 (5): the shorter chain verifies by itself; the anchor sees the cut."""
    entries = write_entries(ROWS)
    anchor()

    cut_tail(raw_sql, entries, keep=3)
    without_anchors = access_log_verify(anchor_files=[])
    result = access_log_verify()

    # What the chain alone says (and all that main said): intact, 3 entries.
    assert without_anchors.is_intact
    assert without_anchors.entries == 3
    assert not result.is_intact
    assert result.entries == 3
    assert result.broken.problem == Problem.CUT
    assert result.broken.seq == 4
    assert result.broken.entry_id is None
    assert result.broken.detail.startswith(
        f"the tail was cut: entries 4 to 5 are missing after seq 3 (id {entries[2].pk}), "
        "but the anchor of "
    )
    assert f"({anchor_file} line 1) names seq 5" in result.broken.detail
    assert result.broken.detail.endswith("the chain head was moved back to seq 3")


def test_the_command_fails_naming_the_cut(write_entries, raw_sql, anchor_file, capsys):
    entries = write_entries(ROWS)
    anchor()
    cut_tail(raw_sql, entries, keep=4)

    with pytest.raises(CommandError) as error:
        call_command("verify_access_log")

    assert str(error.value).startswith(
        "Access log broken at seq 5 (no such row): cut: the tail was cut: entry 5 is missing "
        f"after seq 4 (id {entries[3].pk})"
    )
    assert capsys.readouterr().out == ""


def test_rows_written_after_the_newest_anchor_can_still_be_cut_unseen(write_entries, raw_sql):
    """The window anchors leave open: what the timer has not anchored yet (docs/privacy.md)."""
    entries = write_entries(3)
    anchor()
    write_entries(2)

    cut_tail(raw_sql, entries, keep=3)

    assert access_log_verify().is_intact


def test_deleting_every_row_and_the_head_is_named_against_the_anchor(write_entries, raw_sql):
    write_entries(3)
    anchor()

    raw_sql("DELETE FROM audit_accesslogentry")
    raw_sql("DELETE FROM audit_chainhead")
    result = access_log_verify()

    assert result.broken.problem == Problem.CUT
    assert result.broken.seq == 1
    assert "entries 1 to 3 are missing from the first entry on" in result.broken.detail


def test_a_chain_rewritten_with_the_audit_key_is_named_at_the_anchored_entry(
    write_entries, raw_sql, tamper
):
    """Someone holding the key re-seals a changed row and all after it: the anchor still knows."""
    entries = write_entries(ROWS)
    anchor()

    # Change row 2, then re-seal rows 2..5 and the head with the audit key.
    tamper(entries[1].pk, "purpose", "nothing_to_see")
    prev_mac = entries[0].mac
    for row in AccessLogEntry.objects.order_by("seq").values("id", *SEALED_FIELDS)[1:]:
        mac = entry_mac(keys.audit_key(), prev_mac, canonical_content(**row_without_id(row)))
        tamper(row["id"], "prev_mac", prev_mac)
        tamper(row["id"], "mac", mac)
        prev_mac = mac
    raw_sql("UPDATE audit_chainhead SET mac = %s", [prev_mac])

    assert access_log_verify(anchor_files=[]).is_intact
    result = access_log_verify()
    assert result.broken.problem == Problem.ANCHOR
    assert result.broken.seq == ROWS
    assert result.broken.entry_id == entries[-1].pk
    assert "the chain up to it was rewritten" in result.broken.detail


def row_without_id(row: dict) -> dict:
    return {name: row[name] for name in SEALED_FIELDS}


def test_a_forged_anchor_line_is_reported_and_not_believed(write_entries, anchor_file, capsys):
    write_entries(3)
    anchor()
    # Someone who can append to the file, but has no key, claims the chain reached seq 99.
    genuine = json.loads(lines(anchor_file)[0])
    forged = json.dumps({**genuine, "seq": 99}, sort_keys=True, separators=(",", ":"))
    with open(anchor_file, "a", encoding="utf-8") as handle:
        handle.write(forged + "\n")

    result = access_log_verify()

    assert result.broken is None
    assert not result.is_intact
    assert result.anchors == 1
    assert [str(bad) for bad in result.bad_anchors] == [
        f"{anchor_file} line 2: its signature does not verify: forged, or signed with another "
        "audit key"
    ]
    with pytest.raises(CommandError) as error:
        call_command("verify_access_log")
    assert str(error.value) == f"Anchor file {result.bad_anchors[0]}"


def test_an_anchor_signed_with_another_audit_key_is_reported(
    write_entries, anchor_file, monkeypatch
):
    entries = write_entries(2)
    anchor()
    monkeypatch.setenv(keys.AUDIT_KEY_VAR, keys.new_key_text())
    keys.reload()
    try:
        stranger = anchor_line(seq=2, mac=entries[-1].mac, at=MOMENT)
    finally:
        monkeypatch.undo()
        keys.reload()
    with open(anchor_file, "a", encoding="utf-8") as handle:
        handle.write(stranger + "\n")

    result = access_log_verify()

    assert result.broken is None
    assert result.anchors == 1
    assert [(bad.line, bad.reason) for bad in result.bad_anchors] == [
        (2, "its signature does not verify: forged, or signed with another audit key")
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("garbage", "not an anchor (no JSON object on the line)"),
        ("[1, 2]", "not an anchor (no JSON object on the line)"),
        ("{not json", "not an anchor (the JSON does not parse)"),
        ('{"seq": 1}', "not an anchor (the fields must be at, mac, seq, sig, v)"),
    ],
)
def test_a_line_that_is_no_anchor_is_reported(write_entries, anchor_file, text, reason):
    write_entries(1)
    anchor()
    with open(anchor_file, "a", encoding="utf-8") as handle:
        handle.write(text + "\n\n")

    result = access_log_verify()

    assert [(bad.line, bad.reason) for bad in result.bad_anchors] == [(2, reason)]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"v": 2}, "unknown anchor version 2"),
        ({"v": True}, "unknown anchor version True"),
        ({"seq": -1}, "malformed anchor: seq is not a whole number from 0"),
        ({"seq": True}, "malformed anchor: seq is not a whole number from 0"),
        ({"seq": "1"}, "malformed anchor: seq is not a whole number from 0"),
        ({"mac": "ABC"}, "malformed anchor: mac is not 64 hex characters"),
        ({"sig": 0}, "malformed anchor: sig is not 64 hex characters"),
        ({"at": "yesterday"}, "malformed anchor: at is not a time with its offset"),
        ({"at": "2026-11-30T09:05:00"}, "malformed anchor: at is not a time with its offset"),
        ({"at": 1764493500}, "malformed anchor: at is not a time with its offset"),
    ],
)
def test_a_malformed_anchor_is_reported_with_its_reason(write_entries, anchor_file, change, reason):
    write_entries(1)
    anchor()
    data = {**json.loads(lines(anchor_file)[0]), **change}
    with open(anchor_file, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(data) + "\n")

    result = access_log_verify()

    assert [(bad.line, bad.reason) for bad in result.bad_anchors] == [(2, reason)]


def test_a_signed_anchor_of_seq_0_must_name_the_genesis_mac(db, anchor_file):
    anchor_file.parent.mkdir(parents=True)
    anchor_file.write_text(anchor_line(seq=0, mac="e" * 64, at=MOMENT) + "\n", encoding="utf-8")

    result = access_log_verify()

    assert [bad.reason for bad in result.bad_anchors] == [
        "malformed anchor: seq 0 with a MAC other than the genesis MAC"
    ]


def test_a_syslog_extract_with_its_prefixes_is_checked_like_the_file(
    write_entries, raw_sql, anchor_file, tmp_path
):
    entries = write_entries(ROWS)
    anchor()
    extract = tmp_path / "syslog-extract.log"
    extract.write_text(
        f"Nov 30 10:05:01 app1 przystan-anchor: {lines(anchor_file)[0]}\n", encoding="utf-8"
    )
    anchor_file.unlink()
    cut_tail(raw_sql, entries, keep=2)

    assert access_log_verify().is_intact
    result = access_log_verify(anchor_files=[extract])
    assert result.broken.problem == Problem.CUT
    assert f"({extract} line 1) names seq 5" in result.broken.detail


def test_the_verify_command_names_the_latest_anchor(write_entries, capsys):
    """The latest by time (the timer still runs), not the first anchor of the highest seq."""
    write_entries(2)
    with time_machine.travel(MOMENT, tick=False):
        anchor()
    write_entries(1)
    for minutes in (5, 10):
        with time_machine.travel(MOMENT + datetime.timedelta(minutes=minutes), tick=False):
            anchor()
    capsys.readouterr()

    call_command("verify_access_log")

    assert capsys.readouterr().out == (
        "OK: 3 entries, chain intact; 3 anchors agree "
        "(the latest: seq 3 at 2026-11-30T09:15:00.000000+00:00)\n"
    )


def test_the_verify_command_reads_the_anchor_files_it_is_given(
    write_entries, raw_sql, anchor_file, tmp_path
):
    entries = write_entries(3)
    anchor()
    kept = tmp_path / "kept-elsewhere.jsonl"
    kept.write_text(anchor_file.read_text(encoding="utf-8"), encoding="utf-8")
    anchor_file.unlink()
    cut_tail(raw_sql, entries, keep=1)

    call_command("verify_access_log")
    with pytest.raises(CommandError, match="cut: the tail was cut: entries 2 to 3 are missing"):
        call_command("verify_access_log", anchors=[str(kept)])
    with pytest.raises(CommandError, match="^No anchor file at .*elsewhere.jsonl.$"):
        call_command("verify_access_log", anchors=[str(tmp_path / "elsewhere.jsonl")])


def test_without_anchors_the_verify_command_says_a_cut_would_go_unseen(
    write_entries, anchor_file, capsys
):
    write_entries(3)

    call_command("verify_access_log")

    assert capsys.readouterr().out == (
        f"OK: 3 entries, chain intact; no anchors in {anchor_file}: a cut tail would go unseen "
        "(run manage.py anchor_access_log from a timer)\n"
    )


def test_anchoring_refuses_a_cut_chain_and_writes_nothing(write_entries, raw_sql, anchor_file):
    entries = write_entries(ROWS)
    anchor()
    cut_tail(raw_sql, entries, keep=3)

    with pytest.raises(CommandError, match=r"cut: the tail was cut.*; nothing was anchored\.$"):
        anchor()

    assert len(lines(anchor_file)) == 1


def test_anchoring_refuses_a_row_changed_since_the_newest_anchor(
    write_entries, tamper, anchor_file
):
    entries = write_entries(3)
    anchor()
    later = write_entries(2)
    tamper(later[0].pk, "outcome", "denied")

    with pytest.raises(CommandError, match=r"^Access log broken at seq 4 .*: changed: "):
        anchor()

    assert [json.loads(line)["seq"] for line in lines(anchor_file)] == [entries[-1].seq]


def test_anchoring_checks_only_the_rows_since_the_newest_anchor(
    write_entries, tamper, monkeypatch, django_assert_max_num_queries
):
    """The timer's check is short; the whole chain is verify_access_log's (docs/operations.md)."""
    entries = write_entries(40)
    anchor()
    write_entries(2)
    tamper(entries[0].pk, "purpose", "changed_before_the_anchor")
    checked = []
    check_row = verify._check_row
    monkeypatch.setattr(
        verify, "_check_row", lambda row, *a: checked.append(row["seq"]) or check_row(row, *a)
    )

    # The heads, the prune points, the look for rows of chains without a head, the anchored
    # row, one chunk of the two new rows, the look past the head; on PostgreSQL one more, for
    # the next months' partitions (audit/partitions.py).
    with django_assert_max_num_queries(6 + (connection.vendor == "postgresql")):
        anchor()

    assert checked == [41, 42]
    assert access_log_verify().broken.seq == 1


def test_anchoring_an_empty_log_anchors_the_start(db, anchor_file):
    anchor()

    assert json.loads(lines(anchor_file)[0])["seq"] == 0
    assert access_log_verify().is_intact


def test_a_bad_line_does_not_stop_the_anchor_but_fails_the_command(write_entries, anchor_file):
    write_entries(1)
    anchor_file.parent.mkdir(parents=True)
    anchor_file.write_text("garbage\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        anchor()

    assert str(error.value) == (
        f"1 line(s) of the anchor file are not valid anchors: {anchor_file} line 1: not an "
        "anchor (no JSON object on the line). Run verify_access_log."
    )
    assert json.loads(lines(anchor_file)[1])["seq"] == 1


@pytest.fixture
def syslog_socket():
    """A local syslog socket (a Unix datagram socket, short path) that records what it gets."""
    folder = tempfile.mkdtemp(prefix="slog", dir="/tmp")
    path = os.path.join(folder, "log")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    yield path, sock
    sock.close()
    os.unlink(path)
    os.rmdir(folder)


def test_the_anchor_goes_to_syslog_as_the_same_line(
    write_entries, anchor_file, settings, syslog_socket
):
    path, sock = syslog_socket
    settings.PRZYSTAN_ANCHOR_SYSLOG = path
    write_entries(2)

    output = anchor()

    # auth.notice: facility 4 × 8 + severity 5 = 37.
    assert sock.recv(4096).decode() == f"<37>przystan-anchor: {lines(anchor_file)[0]}"
    assert output.endswith(f" and syslog {path}\n")


def test_the_anchor_goes_to_a_udp_syslog_server(write_entries, anchor_file, settings):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        settings.PRZYSTAN_ANCHOR_SYSLOG = f"127.0.0.1:{server.getsockname()[1]}"
        write_entries(1)

        anchor()

        assert server.recv(4096).decode() == f"<37>przystan-anchor: {lines(anchor_file)[0]}"


def test_an_unreachable_syslog_fails_the_command_after_the_file_is_written(
    write_entries, anchor_file, settings, tmp_path
):
    settings.PRZYSTAN_ANCHOR_SYSLOG = str(tmp_path / "no-such-socket")
    write_entries(1)

    with pytest.raises(CommandError) as error:
        anchor()

    assert str(error.value) == (
        f"Anchoring failed: the anchor is in {anchor_file}, but syslog "
        f"{settings.PRZYSTAN_ANCHOR_SYSLOG} did not take it (No such file or directory)"
    )

    assert json.loads(lines(anchor_file)[0])["seq"] == 1


def test_an_anchor_file_that_cannot_be_written_fails_the_command(write_entries, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    settings.PRZYSTAN_ANCHOR_FILE = blocker / "access-log-anchors.jsonl"
    write_entries(1)

    with pytest.raises(CommandError, match="^Anchoring failed: .*Not a directory"):
        anchor()


@pytest.mark.parametrize(
    "address", ["/dev/log", "logs.example.org:514", "10.0.0.7:514", "[::1]:514"]
)
def test_a_syslog_address_passes_the_check(settings, address):
    settings.PRZYSTAN_ANCHOR_SYSLOG = address

    assert check_anchor_syslog() == []


@pytest.mark.parametrize(
    "address", ["logs.example.org", "logs.example.org:0", "host:99999", "udp://host:514"]
)
def test_a_malformed_syslog_address_is_a_system_check_error(settings, address):
    settings.PRZYSTAN_ANCHOR_SYSLOG = address

    (error,) = check_anchor_syslog()

    assert error.id == "audit.E001"
    assert error.msg.startswith(f"PRZYSTAN_ANCHOR_SYSLOG: {address!r} is neither")


def test_the_anchor_holds_nothing_about_people(write_entries, anchor_file):
    """Position, MAC, time, signature: no subject, actor, purpose or address."""
    write_entries(2)
    anchor()

    data = json.loads(lines(anchor_file)[0])
    assert set(data) == {"v", "seq", "mac", "at", "sig"}
    text = anchor_file.read_text(encoding="utf-8")
    row = AccessLogEntry.objects.order_by("seq").last()
    assert str(row.subject_id) not in text
    assert "case_file" not in text
