"""The restore drill (privacy/restore_drill.py, `manage.py restore_drill`) on PostgreSQL: a
dump restored into a new database is checked there and dropped; the keys are never in a dump."""

import base64
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from privacy import keys
from privacy.restore_drill import _libpq_env
from privacy.services import subject_erase
from tests.factories import make_client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def apart(settings, tmp_path):
    """The test's own ledger and anchor file (the drill's children read them by setting)."""
    settings.PRZYSTAN_ERASURE_LEDGER = tmp_path / "erasure-ledger.jsonl"
    settings.PRZYSTAN_ANCHOR_FILE = tmp_path / "anchors.jsonl"
    return tmp_path


def _dump(path, *, fmt="custom"):
    subprocess.run(
        ["pg_dump", f"--format={fmt}", f"--file={path}", connection.settings_dict["NAME"]],
        env=_libpq_env(connection.settings_dict) | {"PATH": "/usr/bin:/bin"},
        check=True,
        timeout=300,
    )


def _ledger_lines(folder) -> list[str]:
    return (folder / "erasure-ledger.jsonl").read_text(encoding="utf-8").splitlines()


def _drill_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [connection.settings_dict["NAME"] + "_drill_%"],
        )
        return [row[0] for row in cursor.fetchall()]


def test_an_old_dump_is_restored_the_later_erasure_applied_again_and_the_copy_dropped(
    apart, social_worker, dpo, capsys
):
    anna = make_client(first_name="Anna", surname="Drillowska", holder=social_worker)
    make_client(first_name="Jan", surname="Zostaje", holder=social_worker)
    # Last night's backup, then today's erasure (one ledger line).
    backup = apart / "last-night.dump"
    _dump(backup)
    subject_erase(subject=anna.subject, by=dpo, reason="request", reference="", decisions={})

    call_command("restore_drill", dump=str(backup))

    out = capsys.readouterr().out
    assert "OK  pg_restore: restored" in out
    # The backup still held Anna's key: the ledger's one erasure is applied to the copy again.
    assert "OK  reapply_erasures: Ledger has 1 erasures; re-applied 1." in out
    assert "OK  verify_keys: OK:" in out
    assert "OK  verify_access_log: OK:" in out
    assert "Restore drill passed" in out
    assert _drill_databases() == []
    # The live ledger was not written by the drill's re-erasure.
    assert len(_ledger_lines(apart)) == 1


def test_a_drill_with_other_keys_fails_at_verify_keys_and_still_drops_the_copy(
    apart, social_worker, monkeypatch, capsys
):
    make_client(first_name="Anna", surname="Drillowska", holder=social_worker)
    # The children get KEKs that are not the ones the data keys were wrapped with.
    monkeypatch.setenv(keys.KEK_VAR, f"test-1:{keys.new_key_text()}")

    with pytest.raises(CommandError, match="Restore drill FAILED"):
        call_command("restore_drill")

    out = capsys.readouterr().out
    assert "OK  pg_dump:" in out
    assert "FAILED  verify_keys:" in out
    assert _drill_databases() == []


def test_the_keys_are_not_in_a_dump(apart, social_worker, tmp_path):
    make_client(first_name="Anna", surname="Drillowska", holder=social_worker)
    plain = tmp_path / "plain.sql"

    _dump(plain, fmt="plain")

    text = plain.read_text(encoding="utf-8")
    material = [*keys.kek_ring().keys.values(), keys.index_key(), keys.audit_key()]
    for key in material:
        assert base64.b64encode(key).decode() not in text
        assert base64.urlsafe_b64encode(key).decode().rstrip("=") not in text
        assert key.hex() not in text
    # The data is there, sealed: no name in clear either.
    assert "Drillowska" not in text
