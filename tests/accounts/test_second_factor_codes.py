"""One's own backup codes renewed, and the password change asking for the code (issue 13, item 7):
both after the password and a code from the app (or a backup code), limited and logged as every
re-confirmation is (accounts/reconfirm.py).

The clock is frozen: a TOTP code is a function of the time, computed here from the device's key.
"""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticToken

from accounts import second_factor
from accounts.models import User
from audit.models import AccessLogEntry
from tests.factories import TEST_PASSWORD
from tests.second_factor import app_code, backup_code, give_app, sign_in_without_second_factor

MOMENT = datetime.datetime(2026, 11, 30, 9, 0, 7, tzinfo=zoneinfo.ZoneInfo("Europe/Warsaw"))
CODES = "/second-factor/backup-codes/"
NEW_PASSWORD = "nowe długie hasło na zimę 2027"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


def _wrong(device) -> str:
    return "000000" if app_code(device) != "000000" else "111111"


def _stored_codes(user) -> set[str]:
    """The backup codes as the database holds them (raw rows, not the model)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.token FROM otp_static_statictoken t "
            "JOIN otp_static_staticdevice d ON d.id = t.device_id WHERE d.user_id = %s",
            [user.pk],
        )
        return {row[0] for row in cursor.fetchall()}


# --- new backup codes ---------------------------------------------------------------------------


def test_new_backup_codes_are_shown_once_and_the_old_ones_stop_working(client, manager):
    client.force_login(manager)
    device = give_app(manager)
    old = {backup_code(manager) for _n in range(3)}
    page = client.get(CODES)
    assert page.status_code == 200
    html = page.content.decode()
    # 3 unused codes: "Masz 3 niewykorzystane kody zapasowe."
    assert "Masz 3 niewykorzystane kody zapasowe" in html
    assert 'name="confirm_code"' in html
    response = client.post(
        CODES, {"confirm_password": TEST_PASSWORD, "confirm_code": app_code(device)}
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(shown) == second_factor.BACKUP_CODES == 10
    assert "dotychczasowe już nie działają" in response.content.decode()
    # The database holds the ten new codes and none of the old.
    assert _stored_codes(manager) == set(shown)
    assert not old & _stored_codes(manager)
    # Shown once: the page asked again shows the form, not the codes.
    again = client.get(CODES).content.decode()
    assert "<code>" not in again
    assert "Masz 10 niewykorzystanych kodów zapasowych" in again
    # Logged (the renewal, besides the password and the code), and in the account's history.
    row = AccessLogEntry.objects.get(actor=manager, purpose="second_factor_codes")
    assert (row.action, row.outcome) == ("update", "ok")
    assert manager.history.first().history_change_reason == "second_factor_codes_renew"


def test_an_old_backup_code_no_longer_signs_in_after_the_renewal(client, manager, frozen):
    client.force_login(manager)
    device = give_app(manager)
    old = backup_code(manager)
    client.post(CODES, {"confirm_password": TEST_PASSWORD, "confirm_code": app_code(device)})
    client.logout()
    frozen.shift(datetime.timedelta(seconds=31))
    sign_in_without_second_factor(client, manager)
    response = client.post("/second-factor/", {"code": old})
    assert response.status_code == 200
    assert "Ten kod jest niepoprawny" in response.content.decode()


def test_a_backup_code_confirms_the_renewal_too(client, manager):
    client.force_login(manager)
    give_app(manager)
    code = backup_code(manager)
    response = client.post(CODES, {"confirm_password": TEST_PASSWORD, "confirm_code": code})
    assert response.status_code == 200
    assert code not in _stored_codes(manager)
    assert len(_stored_codes(manager)) == 10


@pytest.mark.parametrize(
    "fields",
    [
        {"confirm_password": "zgaduję", "code": "right"},
        {"confirm_password": TEST_PASSWORD, "code": "wrong"},
        {"confirm_password": TEST_PASSWORD},
    ],
    ids=["wrong password", "wrong code", "no code"],
)
def test_without_the_password_and_a_right_code_the_codes_stay_as_they_were(client, manager, fields):
    client.force_login(manager)
    device = give_app(manager)
    old = {backup_code(manager) for _n in range(2)}
    data = {"confirm_password": fields["confirm_password"]}
    if "code" in fields:
        data["confirm_code"] = app_code(device) if fields["code"] == "right" else _wrong(device)
    response = client.post(CODES, data)
    assert response.status_code == 200
    assert "<code>" not in response.content.decode()
    assert _stored_codes(manager) == old
    assert not AccessLogEntry.objects.filter(purpose="second_factor_codes").exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_codes_at_the_renewal_end_the_session_at_the_limit(client, manager, frozen):
    client.force_login(manager)
    device = give_app(manager)
    for _attempt in range(2):
        response = client.post(
            CODES, {"confirm_password": TEST_PASSWORD, "confirm_code": _wrong(device)}
        )
        assert "Ten kod jest niepoprawny" in response.content.decode()
        frozen.shift(datetime.timedelta(seconds=8))
    response = client.post(
        CODES, {"confirm_password": TEST_PASSWORD, "confirm_code": _wrong(device)}
    )
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert "_auth_user_id" not in client.session
    denied = AccessLogEntry.objects.filter(actor=manager, purpose="second_factor", outcome="denied")
    assert denied.count() == 3


def test_someone_without_an_app_is_sent_to_set_one_up(client, social_worker):
    client.force_login(social_worker)
    response = client.post(CODES, {"confirm_password": TEST_PASSWORD})
    assert response.status_code == 302 and response.url == "/second-factor/enrol/"
    assert not StaticToken.objects.exists()


def test_a_session_that_has_not_given_its_code_may_not_renew(client, manager):
    device = give_app(manager)
    backup_code(manager)
    sign_in_without_second_factor(client, manager)
    response = client.post(
        CODES, {"confirm_password": TEST_PASSWORD, "confirm_code": app_code(device)}
    )
    assert response.status_code == 302 and response.url.startswith("/second-factor/?")
    assert len(_stored_codes(manager)) == 1


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(CODES)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_password_page_links_to_the_renewal_for_whoever_has_an_app(
    client, manager, social_worker
):
    client.force_login(manager)
    assert CODES in client.get("/password/").content.decode()
    client.force_login(social_worker)
    assert CODES not in client.get("/password/").content.decode()


# --- the password change asks for the code --------------------------------------------------------


def _change(client, old=TEST_PASSWORD, **extra):
    return client.post(
        "/password/",
        {
            "old_password": old,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            **extra,
        },
    )


def test_the_password_change_asks_for_the_code_of_whoever_has_an_app(client, manager):
    client.force_login(manager)
    device = give_app(manager)
    assert 'name="confirm_code"' in client.get("/password/").content.decode()
    # The password alone is not enough.
    response = _change(client)
    assert response.status_code == 200
    assert User.objects.get(pk=manager.pk).check_password(TEST_PASSWORD)
    # A wrong code: a clear message in Polish, the password unchanged.
    response = _change(client, confirm_code=_wrong(device))
    assert response.status_code == 200
    assert "Ten kod jest niepoprawny." in response.content.decode()
    assert User.objects.get(pk=manager.pk).check_password(TEST_PASSWORD)
    assert AccessLogEntry.objects.filter(
        actor=manager, purpose="second_factor", outcome="denied"
    ).exists()


def test_the_password_and_a_right_code_change_it(client, manager, frozen):
    client.force_login(manager)
    device = give_app(manager)
    frozen.shift(datetime.timedelta(seconds=1))
    response = _change(client, confirm_code=app_code(device))
    assert response.status_code == 302 and response.url == "/"
    assert User.objects.get(pk=manager.pk).check_password(NEW_PASSWORD)
    ok = AccessLogEntry.objects.filter(actor=manager, purpose="second_factor", outcome="ok")
    assert ok.count() == 1
    # The session stays signed in and verified.
    assert client.get("/staff/").status_code == 200


def test_a_wrong_old_password_leaves_the_code_unspent_and_uncounted(client, manager):
    client.force_login(manager)
    give_app(manager)
    code = backup_code(manager)
    response = _change(client, old="zgaduję", confirm_code=code)
    assert response.status_code == 200
    assert code in _stored_codes(manager)
    assert not AccessLogEntry.objects.filter(purpose="second_factor").exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_codes_at_the_password_change_end_the_session_at_the_limit(client, manager, frozen):
    client.force_login(manager)
    device = give_app(manager)
    for _attempt in range(2):
        assert _change(client, confirm_code=_wrong(device)).status_code == 200
        frozen.shift(datetime.timedelta(seconds=8))
    response = _change(client, confirm_code=_wrong(device))
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert "Zbyt wiele błędnych kodów" in client.get(response.url).content.decode()
    assert User.objects.get(pk=manager.pk).check_password(TEST_PASSWORD)


def test_someone_without_an_app_changes_it_with_the_password_alone(client, social_worker):
    client.force_login(social_worker)
    assert 'name="confirm_code"' not in client.get("/password/").content.decode()
    response = _change(client)
    assert response.status_code == 302
    assert User.objects.get(pk=social_worker.pk).check_password(NEW_PASSWORD)
