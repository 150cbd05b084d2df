"""The second factor in tests: devices, codes and sessions that have given them.

`client.force_login(user)` (tests/conftest.py) gives a session that has given its second factor
whenever the user would be asked for one (their role, their organisation, or an app of theirs):
the device is a real confirmed TOTP device and the session holds it as django_otp.login would.
A test of the enforcement itself signs in with `sign_in_without_second_factor`.
"""

from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD

# Django's own force_login, kept before tests/conftest.py wraps it.
plain_force_login = ClientMixin.force_login


def give_app(user) -> TOTPDevice:
    """The user's confirmed authenticator app (a random secret), made if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return device


def app_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` 30-second steps later), as typed."""
    code = totp(device.bin_key, device.step, device.t0 - steps_ahead * device.step, device.digits)
    return f"{code:0{device.digits}d}"


def backup_code(user) -> str:
    """A new backup code of the user's (each works once), for a test that needs a fresh code."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="backup", defaults={"confirmed": True}
    )
    token = StaticToken.random_token()
    StaticToken.objects.create(device=device, token=token)
    return token


def confirmation(user, password: str = TEST_PASSWORD) -> dict:
    """A re-confirmation's fields as `user` fills them: the password, and a code if they have an
    app (a fresh backup code, so several confirmations within 30 seconds all pass)."""
    data = {"confirm_password": password}
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        data["confirm_code"] = backup_code(user)
    return data


def verified_force_login(self, user, backend=None):
    """Django's force_login, then the second factor given, when the user would be asked it."""
    from accounts import second_factor

    plain_force_login(self, user, backend)
    if not (second_factor.is_required(user) or second_factor.has_device(user)):
        return
    device = give_app(user)
    session = self.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in_without_second_factor(client, user) -> None:
    """A session that has given the password only (what the middleware must hold back)."""
    plain_force_login(client, user)


def confirmation_of(client, password: str = TEST_PASSWORD) -> dict:
    """`confirmation` for whoever is signed in on the test client."""
    from django.contrib.auth import SESSION_KEY, get_user_model

    user = get_user_model().objects.get(pk=client.session[SESSION_KEY])
    return confirmation(user, password)


def browser_sign_in(page, username: str, password: str) -> None:
    """Sign in through the form in a real browser, giving the second factor when asked: a fresh
    backup code (several sign-ins within 30 seconds would replay an app's code)."""
    from django.contrib.auth import get_user_model

    from accounts import second_factor

    user = get_user_model().objects.filter(username=username).first()
    code = None
    if user is not None and (second_factor.is_required(user) or second_factor.has_device(user)):
        give_app(user)
        code = backup_code(user)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    if code is not None:
        page.wait_for_url(lambda url: "/second-factor/" in url)
        page.fill("#id_code", code)
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/second-factor/" not in url)
