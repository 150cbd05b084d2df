"""Re-entering one's password before a sensitive action is limited like the login page is."""

import datetime

import time_machine
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from audit.models import AccessLogEntry
from cases.models import BreakGlassAccess
from tests.factories import make_client
from tests.second_factor import confirmation_of

PASSWORD = "correct-horse-battery-staple-42"
REASON = "Kryzys w nocy, pilne"


def _break_glass(client, person, password):
    return client.post(
        f"/clients/{person.pk}/break-glass/", {"reason": REASON, "confirm_password": password}
    )


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_passwords_at_break_glass_end_the_session_at_the_limit(
    client, social_worker, other_social_worker
):
    person = make_client(first_name="Ignacy", surname="Wierzbowy", holder=social_worker)
    client.force_login(other_social_worker)
    for _ in range(2):
        response = _break_glass(client, person, "zgaduję")
        assert response.status_code == 200
        assert "Twoje hasło jest niepoprawne" in response.content.decode()
    # The third wrong one reaches the limit: the session ends there, and the sign-in page says
    # why.
    response = _break_glass(client, person, "zgaduję")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert "Zbyt wiele błędnych haseł" in client.get(response.url).content.decode()
    response = client.get("/clients/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    denied = AccessLogEntry.objects.filter(
        actor=other_social_worker, action="confirm", outcome="denied"
    )
    assert denied.count() == 3
    # Signed in again, even the right password is refused until the cool-off has passed.
    client.force_login(other_social_worker)
    response = _break_glass(client, person, PASSWORD)
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert not BreakGlassAccess.objects.exists()
    assert denied.count() == 3
    # The rows carry a fixed purpose, never what was typed.
    with connection.cursor() as cursor:
        cursor.execute("SELECT purpose FROM audit_accesslogentry WHERE action = 'confirm'")
        assert {row[0] for row in cursor.fetchall()} == {"password_confirmation"}


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_limit_counts_every_confirmation_form_and_lifts_after_the_cool_off(
    client, manager, social_worker, dpo
):
    client.force_login(manager)
    # A wrong password while deactivating a colleague counts as well.
    client.post(f"/staff/{social_worker.pk}/deactivate/", {"confirm_password": "zgaduję"})
    response = client.post(f"/staff/{social_worker.pk}/deactivate/", {"confirm_password": "znowu"})
    assert response.status_code == 302 and response.url.startswith("/login/")
    social_worker.refresh_from_db()
    assert social_worker.is_active
    client.force_login(manager)
    response = client.post(f"/staff/{social_worker.pk}/deactivate/", {"confirm_password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith("/login/")
    social_worker.refresh_from_db()
    assert social_worker.is_active
    # Another user is not affected by the manager's failures.
    client.force_login(dpo)
    assert AccessLogEntry.objects.filter(actor=dpo, action="confirm").count() == 0
    # After the cool-off the manager may confirm again.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16), tick=False):
        client.force_login(manager)
        response = client.post(f"/staff/{social_worker.pk}/deactivate/", confirmation_of(client))
        assert response.status_code == 302
    social_worker.refresh_from_db()
    assert not social_worker.is_active


def test_a_right_password_below_the_limit_goes_through(client, social_worker, other_social_worker):
    person = make_client(first_name="Ignacy", surname="Wierzbowy", holder=social_worker)
    client.force_login(other_social_worker)
    _break_glass(client, person, "zgaduję")
    assert _break_glass(client, person, PASSWORD).status_code == 302
    assert BreakGlassAccess.objects.filter(user=other_social_worker).exists()


@override_settings(AXES_FAILURE_LIMIT=2)
def test_a_right_password_starts_the_count_afresh(client, manager, social_worker):
    # Typos spread over a working day, each followed by the right password, lock nobody out.
    client.force_login(manager)
    for step in ("deactivate", "reactivate", "deactivate"):
        url = f"/staff/{social_worker.pk}/{step}/"
        client.post(url, {"confirm_password": "literówka"})
        response = client.post(url, confirmation_of(client))
        assert response.status_code == 302 and not response.url.startswith("/login/")
    assert not User.objects.get(pk=social_worker.pk).is_active
    passwords = AccessLogEntry.objects.filter(actor=manager, purpose="password_confirmation")
    assert passwords.filter(action="confirm", outcome="ok").count() == 3
    assert client.get("/staff/").status_code == 200


# --- the password change page (/password/) ------------------------------------------------------


def _change_password(client, old):
    return client.post(
        "/password/",
        {
            "old_password": old,
            "new_password1": "nowe długie hasło na zimę 2027",
            "new_password2": "nowe długie hasło na zimę 2027",
        },
    )


def test_five_wrong_old_passwords_end_the_session_each_one_logged(client, shelter_staff):
    # The default limit (LOGIN_FAILURE_LIMIT, 5), as on the sign-in page.
    client.force_login(shelter_staff)
    for attempt in range(1, 5):
        response = _change_password(client, f"zgaduję-{attempt}")
        assert response.status_code == 200
        assert "Podane stare hasło jest niepoprawne" in response.content.decode()
        denied = AccessLogEntry.objects.filter(actor=shelter_staff, action="confirm")
        assert denied.filter(outcome="denied").count() == attempt
    response = _change_password(client, "zgaduję-5")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert "Zbyt wiele błędnych haseł" in client.get(response.url).content.decode()
    assert client.get("/password/").url.startswith("/login/")
    rows = AccessLogEntry.objects.filter(actor=shelter_staff, action="confirm")
    assert list(rows.values_list("outcome", flat=True)) == ["denied"] * 5
    assert set(rows.values_list("purpose", flat=True)) == {"password_confirmation"}
    # Signed in again within the cool-off, the right old password is refused too.
    client.force_login(shelter_staff)
    response = _change_password(client, PASSWORD)
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert User.objects.get(pk=shelter_staff.pk).check_password(PASSWORD)


def test_the_right_old_password_changes_it_and_is_logged(client, shelter_staff):
    client.force_login(shelter_staff)
    _change_password(client, "literówka")
    response = _change_password(client, PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert User.objects.get(pk=shelter_staff.pk).check_password("nowe długie hasło na zimę 2027")
    outcomes = AccessLogEntry.objects.filter(actor=shelter_staff, action="confirm")
    assert list(outcomes.order_by("seq").values_list("outcome", flat=True)) == ["denied", "ok"]
    # The session stays signed in (Django keeps it valid after the change).
    assert client.get("/password/").status_code == 200
