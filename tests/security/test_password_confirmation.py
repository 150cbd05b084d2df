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
    for _ in range(3):
        response = _break_glass(client, person, "zgaduję")
        assert response.status_code == 200
        assert "Twoje hasło jest niepoprawne" in response.content.decode()
    denied = AccessLogEntry.objects.filter(
        actor=other_social_worker, action="confirm", outcome="denied"
    )
    assert denied.count() == 3
    # The limit reached, even the right password is refused, the session ends, and the sign-in
    # page says why.
    response = _break_glass(client, person, PASSWORD)
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert not BreakGlassAccess.objects.exists()
    assert "Zbyt wiele błędnych haseł" in client.get(response.url).content.decode()
    response = client.get("/clients/")
    assert response.status_code == 302 and response.url.startswith("/login/")
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
    client.post(f"/staff/{social_worker.pk}/deactivate/", {"confirm_password": "znowu"})
    social_worker.refresh_from_db()
    assert social_worker.is_active
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
        response = client.post(
            f"/staff/{social_worker.pk}/deactivate/", {"confirm_password": PASSWORD}
        )
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
        response = client.post(url, {"confirm_password": PASSWORD})
        assert response.status_code == 302 and not response.url.startswith("/login/")
    assert not User.objects.get(pk=social_worker.pk).is_active
    assert AccessLogEntry.objects.filter(actor=manager, action="confirm", outcome="ok").count() == 3
    assert client.get("/staff/").status_code == 200
