"""/healthz: 200 {"status": "ok"} when the database, the keys and the migrations are fine;
503 naming only the failed checks otherwise; public, sessionless, never in the access log."""

import json

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder

from audit.models import AccessLogEntry
from config import health
from privacy import keys
from tests.second_factor import sign_in_without_second_factor


@pytest.fixture(autouse=True)
def _fresh_health_state():
    # The "migrations applied" memory is per process: each test starts without it.
    health._migrations_applied = False
    yield
    health._migrations_applied = False


@pytest.fixture
def keys_restored(monkeypatch):
    """Change the key variables in a test; the real keys are back (reloaded) after it."""
    yield monkeypatch
    monkeypatch.undo()
    keys.reload()


def _answer(client):
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


def test_a_healthy_server_answers_ok_to_an_anonymous_monitor(client, db):
    status, body = _answer(client)

    assert (status, body) == (200, {"status": "ok"})


def test_the_answer_sets_no_cookie_and_writes_no_access_log_row(client, db):
    before = AccessLogEntry.objects.count()

    response = client.get("/healthz")

    assert response.status_code == 200
    assert not response.cookies
    assert AccessLogEntry.objects.count() == before


def test_once_the_migrations_were_found_applied_a_check_is_one_query(
    client, db, django_assert_num_queries
):
    client.get("/healthz")

    # SELECT 1 only: the migration plan is remembered, the keys are in memory.
    with django_assert_num_queries(1):
        assert client.get("/healthz").status_code == 200


def test_a_signed_in_user_who_owes_the_second_factor_gets_the_answer_not_the_code_page(
    client, manager
):
    sign_in_without_second_factor(client, manager)

    status, body = _answer(client)

    assert (status, body) == (200, {"status": "ok"})


def test_plain_http_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    # Any other page is still sent to https.
    assert client.get("/login/").status_code == 301


def test_a_pending_migration_fails_the_migrations_check(client, db):
    # As if the code were deployed and `migrate` not yet run: the newest migration of the
    # reports is not recorded as applied (rolled back with the test's transaction).
    recorder = MigrationRecorder(connection)
    app, name = max(key for key in recorder.applied_migrations() if key[0] == "reports")
    recorder.record_unapplied(app, name)

    status, body = _answer(client)

    assert (status, body) == (503, {"status": "fail", "failed": ["migrations"]})


def test_a_failed_migrations_check_is_asked_again_at_the_next_call(client, db):
    recorder = MigrationRecorder(connection)
    app, name = max(key for key in recorder.applied_migrations() if key[0] == "reports")
    recorder.record_unapplied(app, name)
    assert _answer(client)[0] == 503

    recorder.record_applied(app, name)

    assert _answer(client) == (200, {"status": "ok"})


def test_missing_keys_fail_the_keys_check(client, db, keys_restored):
    keys_restored.delenv(keys.KEK_VAR)
    keys_restored.delenv(f"{keys.KEK_VAR}_FILE", raising=False)
    keys.reload()

    status, body = _answer(client)

    assert (status, body) == (503, {"status": "fail", "failed": ["keys"]})


def test_a_kek_that_is_not_a_key_fails_the_keys_check(client, db, keys_restored):
    keys_restored.setenv(keys.KEK_VAR, "test-1:bm90IGEga2V5")
    keys.reload()

    assert _answer(client) == (503, {"status": "fail", "failed": ["keys"]})


class _DownDatabase:
    def cursor(self):
        raise OperationalError("connection refused")


def test_an_unreachable_database_fails_the_database_and_migrations_checks(client, db, monkeypatch):
    monkeypatch.setattr(health, "connections", {"default": _DownDatabase()})

    status, body = _answer(client)

    assert (status, body) == (503, {"status": "fail", "failed": ["database", "migrations"]})


def test_the_failure_is_logged_by_check_name_only(client, db, keys_restored, caplog):
    keys_restored.delenv(keys.KEK_VAR)
    keys.reload()

    client.get("/healthz")

    assert "Health check failed: keys" in caplog.text


def test_only_get_and_head_are_answered(client, db):
    assert client.post("/healthz").status_code == 405
