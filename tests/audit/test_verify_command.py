"""manage.py verify_access_log: one line; exit 0 when intact, non-zero naming the first break."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

ROWS = 5


def test_the_command_reports_an_intact_chain_and_its_anchor(write_entries, capsys):
    write_entries(3)
    with time_machine.travel(
        datetime.datetime(2026, 11, 30, 9, 5, tzinfo=datetime.UTC), tick=False
    ):
        call_command("anchor_access_log")
    capsys.readouterr()

    call_command("verify_access_log")

    assert capsys.readouterr().out == (
        "OK: 3 entries, chain intact; 1 anchor agrees "
        "(the latest: seq 3 at 2026-11-30T09:05:00.000000+00:00)\n"
    )


def test_the_command_fails_naming_the_first_broken_row(write_entries, tamper, capsys):
    entries = write_entries(ROWS)
    tamper(entries[1].pk, "purpose", "other_purpose")
    tamper(entries[3].pk, "purpose", "other_purpose")

    with pytest.raises(CommandError) as error:
        call_command("verify_access_log")

    assert str(error.value) == (
        f"Access log broken at seq 2 (id {entries[1].pk}): changed: "
        "its MAC does not match its content"
    )
    assert capsys.readouterr().out == ""


def test_the_command_names_a_missing_row_by_its_seq(write_entries, raw_sql):
    entries = write_entries(3)
    raw_sql("DELETE FROM audit_accesslogentry WHERE id = %s", [entries[0].pk])

    with pytest.raises(CommandError, match=r"^Access log broken at seq 1 \(no such row\): missing"):
        call_command("verify_access_log")
