"""The demo's second factor: `kierownik` enrols at the first sign-in; `iod` and `admin` have an
app whose synthetic key (and a few backup codes) `seed_demo` prints; `demo_code` stands in for a
phone. Neither gives anything outside the demo."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_SECOND_FACTOR_KEYS
from accounts.models import User
from accounts.second_factor import secret_text

MOMENT = datetime.datetime(2026, 11, 30, 8, 0, 3, tzinfo=zoneinfo.ZoneInfo("Europe/Warsaw"))


@pytest.fixture
def demo(db, capsys):
    with override_settings(DEMO=True), time_machine.travel(MOMENT, tick=False):
        call_command("seed_demo")
        yield capsys.readouterr().out


def test_seed_demo_prints_the_keys_and_backup_codes_of_iod_and_admin(demo):
    for username in ("iod", "admin"):
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        assert device.key == DEMO_SECOND_FACTOR_KEYS[username]
        assert secret_text(device) in demo
        codes = StaticToken.objects.filter(device__user=device.user)
        assert codes.count() == 5
        assert all(code.token in demo for code in codes)
    # The manager sets one up at the first sign-in.
    assert not TOTPDevice.objects.filter(user__username="kierownik").exists()
    assert "kierownik" in demo and "QR" in demo


def test_seeding_again_keeps_the_devices(demo):
    before = list(TOTPDevice.objects.values_list("pk", "key"))
    with override_settings(DEMO=True):
        call_command("seed_demo")
    assert list(TOTPDevice.objects.values_list("pk", "key")) == before


def test_the_manager_of_the_demo_is_asked_to_enrol(client, demo):
    response = client.post("/login/", {"username": "kierownik", "password": "przystan-demo-2026"})
    response = client.get(response.url, follow=True)
    assert response.redirect_chain[-1][0].startswith("/second-factor/enrol/")


def test_demo_code_prints_what_the_app_shows(demo, capsys):
    device = TOTPDevice.objects.get(user__username="iod")
    with override_settings(DEMO=True), time_machine.travel(MOMENT, tick=False):
        call_command("demo_code", "iod")
        assert capsys.readouterr().out.strip() == f"{totp(device.bin_key):06d}"
    assert User.objects.filter(username="iod").exists()


def test_demo_code_refuses_outside_the_demo(demo):
    with override_settings(DEMO=False), pytest.raises(CommandError, match="PRZYSTAN_DEMO"):
        call_command("demo_code", "iod")
