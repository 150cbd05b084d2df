"""Keys: refused when missing or malformed, KEK rotation that loses nothing even when killed."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Client
from privacy import keys, vault
from privacy.crypto import DecryptionError
from privacy.models import DataKey
from privacy.services import kek_rotate
from tests.factories import make_client

ROOT = Path(__file__).resolve().parents[2]


def key_text() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def kek_env(monkeypatch):
    """Set PRZYSTAN_KEKS for this test and forget the cached ring and unwrapped keys."""

    def use(value: str):
        monkeypatch.setenv("PRZYSTAN_KEKS", value)
        keys.reload()
        vault.cache.clear()

    original = os.environ["PRZYSTAN_KEKS"]
    yield use
    monkeypatch.setenv("PRZYSTAN_KEKS", original)
    keys.reload()
    vault.cache.clear()


def test_a_missing_kek_is_reported_by_name(monkeypatch):
    monkeypatch.delenv("PRZYSTAN_KEKS")
    keys.reload()
    try:
        assert any("PRZYSTAN_KEKS" in p for p in keys.check_all())
    finally:
        monkeypatch.undo()
        keys.reload()


@pytest.mark.parametrize(
    "value",
    ["not-base64!!", "k1:c2hvcnQ=", "k1", "bad id:" + base64.b64encode(b"x" * 32).decode(), ""],
    ids=["garbage", "short-key", "no-key", "bad-id", "empty"],
)
def test_a_malformed_kek_is_refused(monkeypatch, value):
    monkeypatch.setenv("PRZYSTAN_KEKS", value)
    keys.reload()
    try:
        assert any("PRZYSTAN_KEKS" in p for p in keys.check_all())
    finally:
        monkeypatch.undo()
        keys.reload()


def _env_without(*names):
    # Set to empty (not removed): manage.py would otherwise fall back to a demo var/ folder.
    env = {**os.environ, **dict.fromkeys(names, "")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.pop("DATABASE_URL", None)
    return env


@pytest.mark.parametrize("missing", ["PRZYSTAN_KEKS", "PRZYSTAN_INDEX_KEY", "PRZYSTAN_AUDIT_KEY"])
def test_the_app_refuses_to_start_without_a_key(missing):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_env_without(missing),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert missing in result.stderr


def test_the_wsgi_server_refuses_to_start_without_keys():
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=_env_without("PRZYSTAN_KEKS"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PRZYSTAN_KEKS" in result.stderr


def test_a_wrong_kek_refuses_to_open_data(db, kek_env):
    current = os.environ["PRZYSTAN_KEKS"]
    kek_id = current.split(":")[0]
    person = make_client(surname="Kluczowy")
    kek_env(f"{kek_id}:{key_text()}")
    with pytest.raises(DecryptionError):
        _ = type(person).objects.get(pk=person.pk).surname


def test_rotation_rewraps_and_the_old_kek_can_then_go(db, kek_env):
    old = os.environ["PRZYSTAN_KEKS"]
    people = [make_client(surname=f"Obrotowy{n}") for n in range(7)]
    new = f"new-1:{key_text()}"
    kek_env(f"{new},{old}")
    call_command("rotate_kek", "--to", "new-1", "--batch-size", "3")
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {"new-1"}
    kek_env(new)  # the old KEK is removed
    for person in people:
        assert type(person).objects.get(pk=person.pk).surname == person.surname


def test_a_rotation_killed_half_way_and_rerun_loses_nothing(db, kek_env, monkeypatch):
    old = os.environ["PRZYSTAN_KEKS"]
    people = [make_client(surname=f"Przerwany{n}") for n in range(10)]
    new = f"new-2:{key_text()}"
    kek_env(f"{new},{old}")
    # First run: killed while writing its second batch (the batch rolls back as a whole).
    from privacy import services

    real_write = services._write_rewrapped
    calls = {"n": 0}

    def dying_write(batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real_write(batch)

    monkeypatch.setattr(services, "_write_rewrapped", dying_write)
    with pytest.raises(KeyboardInterrupt):
        list(kek_rotate(to="new-2", batch_size=4))
    monkeypatch.undo()
    kek_env(f"{new},{old}")
    counts = list(DataKey.objects.values_list("kek_id", flat=True))
    assert counts.count("new-2") == 4
    # Half-rotated: everything still opens with both KEKs configured.
    for person in people:
        assert type(person).objects.get(pk=person.pk).surname == person.surname
    # The rerun finishes; then the old KEK goes and everything still opens.
    list(kek_rotate(to="new-2", batch_size=4))
    kek_env(new)
    for person in people:
        assert type(person).objects.get(pk=person.pk).surname == person.surname


def test_rotation_to_an_unknown_kek_is_refused(db):
    with pytest.raises(CommandError, match="not in PRZYSTAN_KEKS"):
        call_command("rotate_kek", "--to", "nope")


def test_verify_keys_counts_keys_per_kek(db, capsys):
    make_client()
    make_client(surname="Drugi")
    call_command("verify_keys")
    out = capsys.readouterr().out
    assert out.startswith("OK:")
    assert ": 2" in out


def test_verify_keys_names_a_key_that_does_not_unwrap(db):
    person = make_client()
    DataKey.objects.filter(subject_id=person.pk).update(wrapped=os.urandom(60))
    with pytest.raises(CommandError, match="FAILED to unwrap 1"):
        call_command("verify_keys")


@pytest.mark.parametrize("wrapped", [b"", b"short", os.urandom(20)], ids=["empty", "5", "20"])
def test_verify_keys_names_a_truncated_key_instead_of_crashing(db, wrapped):
    person = make_client()
    DataKey.objects.filter(subject_id=person.pk).update(wrapped=wrapped)
    with pytest.raises(CommandError, match="FAILED to unwrap 1"):
        call_command("verify_keys")
    vault.cache.clear()
    with pytest.raises(DecryptionError):
        Client.objects.get(pk=person.pk).surname  # noqa: B018


def test_keys_are_never_stored_in_the_database(db):
    """No table holds the KEK, the index key or the audit key, in any encoding."""
    from django.db import connection

    make_client()
    secrets = [keys.kek_ring().keys[keys.kek_ring().current], keys.index_key(), keys.audit_key()]
    forms = [
        f
        for s in secrets
        for f in (
            s,
            base64.b64encode(s),
            base64.urlsafe_b64encode(s).rstrip(b"="),
            s.hex().encode(),
        )
    ]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            for row in cursor.fetchall():
                for cell in row:
                    blob = (
                        bytes(cell) if isinstance(cell, (bytes, memoryview)) else str(cell).encode()
                    )
                    assert not any(f in blob for f in forms), table
