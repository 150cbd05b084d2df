"""Settings come from the environment and refuse bad values with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": "kq3-9ZrT_w1bV7xLmN2pQ8sYd4Fh6JcGeU0aoWiX5tKvB-yRnMzLsEjH",
    "ALLOWED_HOSTS": "przystan.example.org",
    "DATABASE_URL": "postgres://przystan@db.example.org:5432/przystan",
    "EMAIL_HOST": "smtp.example.org",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "PRZYSTAN_KEKS": "prod-1:4m7qv1e5XJ0c1n0pW2l9y8kq3H6rT2sU7bV0aZ1xY3w",
    "PRZYSTAN_INDEX_KEY": "Qm9vb0tleUluZGV4MDEyMzQ1Njc4OUFCQ0RFRkdISUo",
    "PRZYSTAN_AUDIT_KEY": "QXVkaXRLZXkwMTIzNDU2Nzg5QUJDREVGR0hJSktMTU4",
}


def run_settings(
    extra_env: dict[str, str], code: str = "import config.settings"
) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly this environment."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(ROOT))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **extra_env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bool_setting_rejects_a_word_that_is_not_a_boolean(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env.env_bool("DEBUG", False)


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_bool_setting_accepts_the_usual_spellings_of_true(monkeypatch, value):
    monkeypatch.setenv("X_FLAG", value)
    assert env.env_bool("X_FLAG", False) is True


def test_int_setting_rejects_text(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "fifteen")
    with pytest.raises(
        ImproperlyConfigured, match="SESSION_IDLE_MINUTES='fifteen' is not a whole number"
    ):
        env.env_int("SESSION_IDLE_MINUTES", 15)


def test_int_setting_rejects_a_value_below_its_minimum(monkeypatch):
    monkeypatch.setenv("LOGIN_FAILURE_LIMIT", "0")
    with pytest.raises(ImproperlyConfigured, match="LOGIN_FAILURE_LIMIT=0 is too small"):
        env.env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)


def test_list_setting_rejects_an_empty_item(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example.org,,b.example.org")
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS=.* has an empty item"):
        env.env_list("ALLOWED_HOSTS", [])


def test_file_variant_reads_the_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    assert env.env_str("SOME_SECRET") == "from-a-file"


def test_file_variant_pointing_nowhere_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("SOME_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET_FILE points to"):
        env.env_str("SOME_SECRET")


def test_required_setting_names_the_missing_variable(monkeypatch):
    monkeypatch.delenv("NOT_THERE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="NOT_THERE"):
        env.env_str("NOT_THERE", required=True)


def test_production_settings_refuse_to_start_without_secret_key():
    production = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_settings(production)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_refuse_a_short_secret_key():
    result = run_settings({**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY is too short" in result.stderr


def test_a_malformed_setting_stops_the_start_with_its_name():
    result = run_settings({**PRODUCTION_ENV, "SESSION_IDLE_MINUTES": "soon"})
    assert result.returncode != 0
    assert "SESSION_IDLE_MINUTES='soon' is not a whole number" in result.stderr


def test_an_unsupported_database_url_is_refused():
    result = run_settings({**PRODUCTION_ENV, "DATABASE_URL": "mysql://db/przystan"})
    assert result.returncode != 0
    assert "DATABASE_URL must start with" in result.stderr


def test_production_defaults_are_safe():
    code = (
        "import config.settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS > 0, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY,"
        " s.PASSWORD_HASHERS[0].rsplit('.', 1)[-1], s.AXES_FAILURE_LIMIT,"
        " int(s.AXES_COOLOFF_TIME.total_seconds()), int(s.SESSION_IDLE_TIMEOUT.total_seconds()))"
    )
    result = run_settings(PRODUCTION_ENV, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "True",
        "DENY",
        "same-origin",
        "PrzystanArgon2PasswordHasher",
        "5",
        "900",
        "900",
    ]


def test_check_deploy_is_clean_under_production_variables():
    code = (
        "import django, os, sys;"
        "os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "from django.core.management import call_command;"
        "django.setup();"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')"
    )
    result = run_settings(PRODUCTION_ENV, code)
    assert result.returncode == 0, result.stderr + result.stdout


def test_blind_index_bits_wider_than_the_integer_column_are_refused():
    # The index columns are 32-bit signed integers (PostgreSQL `integer`): 32 bits overflow.
    result = run_settings({**PRODUCTION_ENV, "PRZYSTAN_BLIND_INDEX_BITS": "32"})
    assert result.returncode != 0
    assert "PRZYSTAN_BLIND_INDEX_BITS=32 is too large: the maximum is 31" in result.stderr
