"""Polish by default, English on request, and locale/pl complete."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale/pl/LC_MESSAGES/django.po"


def test_the_language_switch_turns_the_interface_english_and_back(client, social_worker):
    client.force_login(social_worker)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/start/social-worker/"})
    assert response.status_code == 302
    html = client.get("/start/social-worker/").content.decode()
    assert "Social worker" in html
    assert '<html lang="en">' in html
    client.post("/i18n/setlang/", {"language": "pl", "next": "/"})
    html = client.get("/start/social-worker/").content.decode()
    assert "Pracownik socjalny" in html
    assert '<html lang="pl">' in html


def test_an_unsupported_language_choice_falls_back_to_polish(client, db):
    client.cookies["django_language"] = "de"
    response = client.get("/login/")
    assert response["Content-Language"] == "pl"


def test_the_language_switch_refuses_a_foreign_next_url(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.url == "/"


def test_locale_pl_is_complete_no_untranslated_and_no_fuzzy_entries():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=True,
    )
    # msgfmt prints e.g. "97 translated messages." and adds untranslated/fuzzy counts if any.
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr
    assert "translated messages" in result.stderr


def test_locale_pl_covers_every_string_in_the_code(tmp_path):
    """Extract the messages afresh (in a copy of the tree): nothing may be left untranslated."""
    root = PO.parents[3]
    copy = tmp_path / "tree"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "node_modules", "__pycache__", "tests"
        ),
    )
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "pl",
            "--no-location",
            "--no-obsolete",
            "--ignore",
            "bench/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [
            "msgfmt",
            "--statistics",
            "-o",
            "/dev/null",
            str(copy / "locale/pl/LC_MESSAGES/django.po"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr, "run `make messages` and translate the new strings"
    assert "fuzzy" not in result.stderr, "run `make messages` and review the fuzzy entries"


def test_the_empty_choice_of_a_select_is_polish(client, manager):
    # Django 6.1's own "- Select an option -" is not translated: ours replaces it.
    client.force_login(manager)
    html = client.get("/clients/assignments/clients/").content.decode()
    assert "Select an option" not in html
    assert "— wybierz —" in html
