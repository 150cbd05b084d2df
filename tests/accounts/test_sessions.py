"""Sessions end after 15 idle minutes, after their absolute lifetime, and on deactivation."""

from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from accounts import services


def signed_in(client, user, password):
    assert (
        client.post("/login/", {"username": user.username, "password": password}).status_code == 302
    )


def test_a_session_idle_for_15_minutes_ends(client, social_worker, password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        signed_in(client, social_worker, password)
        assert client.get("/").status_code == 302
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = client.get("/start/social-worker/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_alive(client, social_worker, password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        signed_in(client, social_worker, password)
        client.get("/start/social-worker/")
    for minutes in (10, 20, 30):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/start/social-worker/").status_code == 200


@override_settings(SESSION_MAX_AGE=timedelta(hours=1))
def test_a_session_ends_after_its_absolute_lifetime_even_when_active(
    client, social_worker, password
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        signed_in(client, social_worker, password)
        client.get("/start/social-worker/")
    for minutes in (10, 20, 30, 40, 50):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/start/social-worker/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        response = client.get("/start/social-worker/")
    assert response.status_code == 302


@override_settings(SESSION_IDLE_TIMEOUT=timedelta(minutes=5))
def test_the_idle_timeout_is_configurable(client, social_worker, password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        signed_in(client, social_worker, password)
        client.get("/")
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert client.get("/start/social-worker/").status_code == 302


def test_an_expired_htmx_request_is_sent_to_login(client, social_worker, password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        signed_in(client, social_worker, password)
        client.get("/")
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = client.get("/start/social-worker/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/"


def test_deactivating_a_user_ends_their_sessions_at_once(client, social_worker, manager, password):
    signed_in(client, social_worker, password)
    assert client.get("/start/social-worker/").status_code == 200
    services.user_deactivate(actor=manager, user=social_worker)
    response = client.get("/start/social-worker/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    remaining = [
        s
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(social_worker.pk)
    ]
    assert remaining == []


def test_a_board_refreshing_itself_does_not_keep_an_unattended_session_alive(
    client, social_worker, password
):
    # The bed board polls every 30 s; nobody at the screen for 15 minutes still means sign-out.
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        signed_in(client, social_worker, password)
        client.get("/start/social-worker/")
    for minutes in (5, 10, 14):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            response = client.get(
                "/start/social-worker/", HTTP_HX_REQUEST="true", HTTP_X_PRZYSTAN_REFRESH="true"
            )
            assert response.status_code == 200
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = client.get(
            "/start/social-worker/", HTTP_HX_REQUEST="true", HTTP_X_PRZYSTAN_REFRESH="true"
        )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/login/")
    assert "_auth_user_id" not in client.session
