import pytest
from django.core.management import CommandError, call_command

from accounts.models import User


def test_create_administrator_makes_a_non_superuser_administrator(db, monkeypatch):
    answers = iter(["pierwsze hasło administratora 2026"] * 2)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_administrator", "szef", organisation="Fundacja Nowa")
    user = User.objects.get(username="szef")
    assert user.role == "administrator"
    assert user.is_superuser is False
    assert user.organisation.name == "Fundacja Nowa"


def test_create_administrator_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "12345678")
    with pytest.raises(CommandError):
        call_command("create_administrator", "szef", organisation="Fundacja Nowa")
    assert not User.objects.exists()


def test_create_administrator_refuses_different_passwords(db, monkeypatch):
    answers = iter(["pierwsze hasło administratora 2026", "inne hasło"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("create_administrator", "szef", organisation="Fundacja Nowa")
