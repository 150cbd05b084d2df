import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import Organisation, User
from accounts.roles import Role


@override_settings(DEMO=True)
def test_seed_demo_creates_one_user_per_role_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    roles = {user.role for user in User.objects.all()}
    assert roles == set(Role.values)
    # The foundation, the MOPS, the workshop cooperative and the MOPS's partner (accounts), and
    # activation's catering and sewing cooperatives: seeding twice adds none.
    assert Organisation.objects.count() == 6
    assert User.objects.filter(username="pracownik").count() == 1
    out = capsys.readouterr().out
    assert "pracownik" in out and "kierownik" in out


@override_settings(DEMO=False)
def test_seed_demo_refuses_outside_the_demo(db):
    with pytest.raises(CommandError, match="PRZYSTAN_DEMO"):
        call_command("seed_demo")
    assert not User.objects.exists()
