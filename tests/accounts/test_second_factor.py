"""The second factor (issue 13, item 7): who must give it, enrolment with a QR code, backup codes
that work once, wrong codes limited, the administrator's logged reset, the organisation's switch,
and re-confirmation asking for the code.

The clock is frozen (a TOTP code is a function of the time): each test computes the code its
app would show at that moment from the device's own key (django_otp.oath.totp).
"""

import datetime
import itertools
import re
import uuid
import zoneinfo

import pytest
import time_machine
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.middleware import SECOND_FACTOR_EXEMPT
from accounts.models import User
from accounts.roles import Role
from audit.models import AccessLogEntry
from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory
from tests.second_factor import (
    app_code,
    backup_code,
    confirmation,
    give_app,
    sign_in_without_second_factor,
)

MOMENT = datetime.datetime(2026, 11, 30, 9, 0, 7, tzinfo=zoneinfo.ZoneInfo("Europe/Warsaw"))
VERIFY = "/second-factor/"
ENROL = "/second-factor/enrol/"
REQUIRED = [Role.MANAGER, Role.DPO, Role.ADMINISTRATOR]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MOMENT, tick=False) as traveller:
        yield traveller


def sign_in(client, username, password=TEST_PASSWORD):
    """Through the sign-in form, as a person does."""
    return client.post("/login/", {"username": username, "password": password})


# --- who is asked ------------------------------------------------------------------------------


def _filled(url) -> str | None:
    """A path of `url` with made-up values: the middleware decides before any object is loaded."""
    if "*" in url.kwargs:
        return reverse(url.name, args=("1", "1"))
    names = sorted(url.kwargs)
    candidates = (1, str(uuid.uuid4()), "social-worker", "accounts")
    for values in itertools.product(candidates, repeat=len(names)):
        try:
            return reverse(url.name, kwargs=dict(zip(names, values, strict=True)))
        except NoReverseMatch:
            continue
    return None


@pytest.mark.parametrize("role", REQUIRED)
def test_a_required_role_without_the_second_factor_reaches_no_declared_page(client, personas, role):
    """Every URL of the authorization matrix's ACCESS tables sends such a session to the code's
    page (or, with nothing to give a code from, on to the enrolment); only signing in and out,
    the second factor's own pages and the language switch answer."""
    from tests.security.test_authorization_matrix import DECLARED

    user = personas[role]
    give_app(user)
    sign_in_without_second_factor(client, user)
    asked = 0
    for url in DECLARED:
        if url.name in SECOND_FACTOR_EXEMPT:
            continue
        path = _filled(url)
        assert path is not None, url.name
        response = client.get(path)
        assert response.status_code == 302, (url.name, response.status_code)
        assert response.url.startswith(VERIFY + "?next="), (url.name, response.url)
        asked += 1
    # Every page but the seven exempt ones (a sanity check that the walk found the site).
    assert asked > 100
    # And the exempt second-factor page itself answers.
    assert client.get(VERIFY).status_code == 200


def test_a_manager_with_no_app_is_sent_to_set_one_up(client, manager):
    sign_in_without_second_factor(client, manager)
    response = client.get("/todo/", follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL)
    assert response.status_code == 200


def test_a_social_worker_of_an_organisation_that_does_not_require_it_signs_in_without(
    client, social_worker
):
    assert not social_worker.organisation.requires_second_factor
    response = sign_in(client, "sw")
    response = client.get(response.url, follow=True)
    assert response.redirect_chain[-1][0] == "/clients/"
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=social_worker).exists()


def test_a_social_worker_of_an_organisation_that_requires_it_must_enrol(client, social_worker):
    organisation = social_worker.organisation
    organisation.requires_second_factor = True
    organisation.save()
    sign_in(client, "sw")
    response = client.get("/clients/")
    assert response.url.startswith(VERIFY)
    response = client.get(response.url)
    assert response.url.startswith(ENROL)


def test_anyone_who_set_up_an_app_is_asked_for_it(client, social_worker):
    give_app(social_worker)
    sign_in(client, "sw")
    assert client.get("/clients/").url.startswith(VERIFY)


def test_an_htmx_request_without_the_code_is_sent_to_its_page_the_htmx_way(client, manager):
    give_app(manager)
    sign_in_without_second_factor(client, manager)
    response = client.get("/todo/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == VERIFY


def test_until_the_code_the_navigation_shows_no_pages(client, manager):
    give_app(manager)
    sign_in_without_second_factor(client, manager)
    page = client.get(VERIFY).content.decode()
    assert 'href="/staff/"' not in page
    assert 'href="/todo/"' not in page


# --- enrolment ---------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_drawn_here_and_the_key_as_text(client, manager):
    sign_in(client, "boss")
    response = client.get(ENROL)
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    # An inline SVG: no image from elsewhere, nothing the strict CSP would block.
    assert "<svg" in page and "<img" not in page
    assert "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # The key as an app asks for it typed: base32 in groups of four.
    assert second_factor.secret_text(device) in page
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", second_factor.secret_text(device))
    # Asking again shows the same key (one device waits for its first code).
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_enrolment_takes_a_code_from_the_app_and_shows_ten_backup_codes_once(
    client, manager, frozen
):
    sign_in(client, "boss")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    wrong = client.post(ENROL, {"code": "000000" if app_code(device) != "000000" else "111111"})
    assert "Ten kod jest niepoprawny" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    # At once, even the right code waits for the device's delay after a wrong one (1 s).
    waiting = client.post(ENROL, {"code": app_code(device)})
    assert "odczekaj kilka sekund" in waiting.content.decode()
    frozen.shift(datetime.timedelta(seconds=1))
    response = client.post(ENROL, {"code": app_code(device), "next": "/staff/"})
    assert response.status_code == 200
    page = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(codes) == second_factor.BACKUP_CODES == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=manager).values_list("token", flat=True)
    )
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    # The session is verified: the pages answer, and the enrolment page does not show again.
    assert client.get("/staff/").status_code == 200
    assert client.get(ENROL).status_code == 302
    assert "<code>" not in client.get("/staff/").content.decode()
    assert manager.history.first().history_change_reason == "second_factor_enrol"


# --- the code after the password ----------------------------------------------------------------


def test_a_manager_gives_the_apps_code_and_goes_where_they_were_going(client, manager):
    device = give_app(manager)
    sign_in(client, "boss")
    response = client.get("/staff/")
    assert response.url == VERIFY + "?next=/staff/"
    response = client.post(VERIFY, {"code": app_code(device), "next": "/staff/"})
    assert response.status_code == 302 and response.url == "/staff/"
    assert client.get("/staff/").status_code == 200
    row = AccessLogEntry.objects.filter(actor=manager, purpose="second_factor").get()
    assert (row.action, row.outcome) == ("confirm", "ok")


def test_the_next_page_is_never_another_site(client, manager):
    device = give_app(manager)
    sign_in(client, "boss")
    response = client.post(VERIFY, {"code": app_code(device), "next": "https://example.org/"})
    assert response.url == "/"


def test_one_code_of_the_app_works_once(client, manager):
    device = give_app(manager)
    code = app_code(device)
    sign_in(client, "boss")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.logout()
    sign_in(client, "boss")
    # Replayed within the same 30 seconds: refused (django-otp keeps the last step used).
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "Ten kod jest niepoprawny" in response.content.decode()


def test_a_backup_code_works_once(client, manager, frozen):
    give_app(manager)
    code = backup_code(manager)
    sign_in(client, "boss")
    response = client.post(VERIFY, {"code": code.upper()}, follow=True)
    assert response.redirect_chain[0][0] == "/"
    assert "Użyto kodu zapasowego" in response.content.decode()
    assert not StaticToken.objects.filter(token=code).exists()
    client.logout()
    frozen.shift(datetime.timedelta(seconds=5))
    sign_in(client, "boss")
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "Ten kod jest niepoprawny" in response.content.decode()
    assert client.get("/staff/").status_code == 302


def test_a_wrong_code_makes_the_device_wait_before_the_next_one(client, manager, frozen):
    """django-otp's throttling: after n wrong codes in a row the device refuses for 2^(n-1) s."""
    device = give_app(manager)
    sign_in(client, "boss")
    client.post(VERIFY, {"code": "000000" if app_code(device) != "000000" else "111111"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # At once, even the right code is not checked: wait 1 s (2^0).
    response = client.post(VERIFY, {"code": app_code(device)})
    assert "odczekaj kilka sekund" in response.content.decode()
    assert client.get("/staff/").status_code == 302
    frozen.shift(datetime.timedelta(seconds=1))
    assert client.post(VERIFY, {"code": app_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_codes_end_the_session_at_the_limit_and_lock_until_the_cool_off(
    client, manager, frozen
):
    device = give_app(manager)
    right = app_code(device)
    wrong = [code for code in ("111111", "222222", "333333", "444444") if code != right][:3]
    sign_in(client, "boss")
    for code in wrong[:2]:
        response = client.post(VERIFY, {"code": code})
        assert response.status_code == 200
        # The device's own delay grows (1 s, 2 s...): waited out, as a patient guesser would.
        frozen.shift(datetime.timedelta(seconds=8))
    response = client.post(VERIFY, {"code": wrong[2]}, follow=True)
    # The third wrong code in a row ends the session: the sign-in page says why.
    assert response.redirect_chain[-1][0] == "/login/"
    assert "Zbyt wiele błędnych kodów" in response.content.decode()
    assert "_auth_user_id" not in client.session
    denied = AccessLogEntry.objects.filter(actor=manager, purpose="second_factor", outcome="denied")
    assert denied.count() == 3
    # Signing in again with the password does not open a new round of guesses...
    frozen.shift(datetime.timedelta(seconds=60))
    sign_in(client, "boss")
    response = client.post(VERIFY, {"code": app_code(device)})
    assert response.status_code == 302 and response.url == "/login/"
    # ...until the cool-off (15 minutes) has passed.
    frozen.shift(datetime.timedelta(minutes=15))
    sign_in(client, "boss")
    response = client.post(VERIFY, {"code": app_code(device)})
    assert response.status_code == 302 and response.url == "/"


def test_codes_and_passwords_are_counted_apart(client, manager):
    give_app(manager)
    sign_in(client, "boss")
    client.post(VERIFY, {"code": "nie-kod"})
    from accounts.reconfirm import recent_failures

    assert recent_failures(manager, purpose="second_factor") == 1
    assert recent_failures(manager) == 0


# --- re-confirmation asks for the code ------------------------------------------------------------


def test_a_sensitive_action_asks_for_the_code_of_whoever_has_an_app(
    client, manager, social_worker, frozen
):
    client.force_login(manager)
    device = TOTPDevice.objects.get(user=manager)
    url = f"/staff/{social_worker.pk}/deactivate/"
    page = client.get(f"/staff/{social_worker.pk}/").content.decode()
    assert 'name="confirm_code"' in page
    # The password alone is not enough.
    client.post(url, {"confirm_password": TEST_PASSWORD})
    assert User.objects.get(pk=social_worker.pk).is_active
    # Nor a wrong code.
    client.post(url, {"confirm_password": TEST_PASSWORD, "confirm_code": "000000"})
    assert User.objects.get(pk=social_worker.pk).is_active
    frozen.shift(datetime.timedelta(seconds=2))
    # A wrong password keeps the (right) code unspent and uncounted.
    before = AccessLogEntry.objects.filter(purpose="second_factor").count()
    client.post(url, {"confirm_password": "zgaduję", "confirm_code": app_code(device)})
    assert AccessLogEntry.objects.filter(purpose="second_factor").count() == before
    # The password and the app's code.
    response = client.post(
        url, {"confirm_password": TEST_PASSWORD, "confirm_code": app_code(device)}
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=social_worker.pk).is_active


def test_someone_without_an_app_confirms_with_the_password_alone(client, social_worker):
    client.force_login(social_worker)
    from accounts.forms import ConfirmForm

    form = ConfirmForm({"confirm_password": TEST_PASSWORD}, actor=social_worker)
    assert form.is_valid()
    assert "confirm_code" not in form.fields


# --- losing the phone: the administrator's reset -------------------------------------------------


def _reset(client, actor, target):
    return client.post(
        f"/staff/{target.pk}/second-factor/reset/",
        {f"reset-{name}": value for name, value in confirmation(actor).items()},
    )


def test_an_administrator_resets_a_lost_phone_logged_and_in_the_history(
    client, administrator, manager
):
    give_app(manager)
    backup_code(manager)
    client.force_login(administrator)
    page = client.get(f"/staff/{manager.pk}/").content.decode()
    assert f'action="/staff/{manager.pk}/second-factor/reset/"' in page
    response = _reset(client, administrator, manager)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    row = AccessLogEntry.objects.filter(actor=administrator, purpose="second_factor_reset").get()
    assert (row.action, row.outcome, row.actor_role) == ("update", "ok", Role.ADMINISTRATOR)
    record = manager.history.first()
    assert record.history_change_reason == "second_factor_reset"
    assert record.history_user == administrator
    # The manager's next sign-in sets up a new app.
    client.logout()
    sign_in(client, "boss")
    response = client.get("/todo/", follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL)


def test_the_reset_needs_the_administrators_password_and_code(client, administrator, manager):
    give_app(manager)
    client.force_login(administrator)
    client.post(
        f"/staff/{manager.pk}/second-factor/reset/", {"reset-confirm_password": TEST_PASSWORD}
    )
    assert TOTPDevice.objects.filter(user=manager).exists()
    assert not AccessLogEntry.objects.filter(purpose="second_factor_reset").exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.DPO, Role.SOCIAL_WORKER])
def test_other_roles_may_not_reset_a_second_factor(client, personas, role):
    target = UserFactory(
        username="ofiara", organisation=personas[role].organisation, role=Role.SHELTER_STAFF
    )
    give_app(target)
    client.force_login(personas[role])
    assert _reset(client, personas[role], target).status_code == 403
    assert TOTPDevice.objects.filter(user=target).exists()


def test_an_administrator_of_another_organisation_may_not_reset_it(client, manager):
    elsewhere = OrganisationFactory(name="Inna Fundacja")
    outsider = UserFactory(username="root2", organisation=elsewhere, role=Role.ADMINISTRATOR)
    give_app(manager)
    client.force_login(outsider)
    assert _reset(client, outsider, manager).status_code == 404
    assert TOTPDevice.objects.filter(user=manager).exists()
    with pytest.raises(second_factor.PermissionDenied):
        second_factor.second_factor_reset(actor=outsider, target=manager)
    assert not AccessLogEntry.objects.filter(purpose="second_factor_reset").exists()


def test_an_administrator_may_not_reset_their_own(client, administrator):
    client.force_login(administrator)
    assert _reset(client, administrator, administrator).status_code == 403
    assert TOTPDevice.objects.filter(user=administrator).exists()


# --- the organisation's switch ------------------------------------------------------------------


def test_a_manager_asks_it_of_all_their_organisations_staff(client, manager, social_worker):
    client.force_login(manager)
    page = client.get("/organisation/second-factor/").content.decode()
    assert 'name="requires_second_factor"' in page
    response = client.post(
        "/organisation/second-factor/",
        {"requires_second_factor": "on", **confirmation(manager)},
    )
    assert response.status_code == 302
    organisation = manager.organisation
    organisation.refresh_from_db()
    assert organisation.requires_second_factor
    record = organisation.history.first()
    assert (record.history_change_reason, record.history_user) == (
        "second_factor_required",
        manager,
    )
    # The social worker's next page asks them to set up an app.
    client.force_login(social_worker)
    assert TOTPDevice.objects.filter(user=social_worker, confirmed=True).exists()
    sign_in_without_second_factor(client, social_worker)
    TOTPDevice.objects.filter(user=social_worker).delete()
    assert client.get("/clients/").url.startswith(VERIFY)


def test_the_switch_needs_the_managers_password(client, manager):
    client.force_login(manager)
    client.post("/organisation/second-factor/", {"requires_second_factor": "on"})
    manager.organisation.refresh_from_db()
    assert not manager.organisation.requires_second_factor


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.DPO, Role.SHELTER_STAFF])
def test_other_roles_may_not_change_the_switch(client, personas, role):
    client.force_login(personas[role])
    assert client.get("/organisation/second-factor/").status_code == 403
    response = client.post(
        "/organisation/second-factor/",
        {"requires_second_factor": "on", **confirmation(personas[role])},
    )
    assert response.status_code == 403
    personas[role].organisation.refresh_from_db()
    assert not personas[role].organisation.requires_second_factor


def test_the_totp_of_the_helper_is_the_apps(manager):
    """The test helper computes what an app shows (RFC 6238 with the device's key)."""
    device = give_app(manager)
    assert app_code(device) == f"{totp(device.bin_key):06d}"
