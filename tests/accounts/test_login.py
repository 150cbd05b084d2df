"""Signing in: Polish by default, one message for every failure, lockout with a cool-off."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

LOGIN = "/login/"


def post_login(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_polish_by_default_even_for_an_english_browser(client, db):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "pl"
    assert "Zaloguj się" in response.content.decode()


def test_staff_signs_in_and_lands_on_the_page_of_their_work(client, social_worker, password):
    response = post_login(client, "sw", password)
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    response = client.get(response.url)
    # A social worker's work is the caseload (cases declares it: AppConfig.landing).
    assert response.url == reverse("cases:caseload")


def test_signing_in_issues_a_new_session_id(client, social_worker, password):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    post_login(client, "sw", password)
    assert client.session.session_key != before
    assert client.session.get("_auth_user_id") == str(social_worker.pk)


def test_unknown_user_and_wrong_password_get_the_same_answer(client, social_worker):
    wrong_password = post_login(client, "sw", "not-the-password").content.decode()
    unknown_user = post_login(client, "nobody-here", "not-the-password").content.decode()

    def errors(html):
        start = html.index('role="alert"')
        return html[start : html.index("</div>", start)]

    assert errors(wrong_password) == errors(unknown_user)
    assert "Wprowadź poprawne" in errors(wrong_password)


def test_a_form_with_missing_fields_gets_a_translated_message(client, db):
    response = client.post(LOGIN, {"username": "", "password": ""})
    assert response.status_code == 200
    assert "To pole jest wymagane." in response.content.decode()


def test_five_failures_lock_the_username_from_that_address(client, social_worker, password):
    for _ in range(5):
        post_login(client, "sw", "wrong-password")
    # Even the right password is refused now, with a translated explanation.
    response = post_login(client, "sw", password)
    assert response.status_code == 429
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(client, social_worker, password):
    for _ in range(4):
        post_login(client, "sw", "wrong-password")
    assert post_login(client, "sw", password).status_code == 302


def test_the_lock_does_not_reach_another_address(client, social_worker, password):
    for _ in range(5):
        post_login(client, "sw", "wrong-password", ip="10.0.0.66")
    assert post_login(client, "sw", password, ip="10.0.0.2").status_code == 302


def test_the_lock_ends_after_the_cool_off_and_is_never_permanent(client, social_worker, password):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            post_login(client, "sw", "wrong-password")
        assert post_login(client, "sw", password).status_code == 429
    # Further failed attempts during the lock do not extend it.
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        post_login(client, "sw", "wrong-password")
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert post_login(client, "sw", password).status_code == 302


def test_an_unknown_username_is_locked_the_same_way(client, db):
    for _ in range(5):
        post_login(client, "ghost", "wrong-password")
    assert post_login(client, "ghost", "wrong-password").status_code == 429


def test_sign_out_needs_a_post_and_ends_the_session(client, social_worker):
    client.force_login(social_worker)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_cannot_sign_in(client, social_worker, password):
    social_worker.is_active = False
    social_worker.save()
    response = post_login(client, "sw", password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("field", ["username", "password"])
def test_nul_bytes_in_the_login_form_are_refused_cleanly(client, db, field):
    data = {"username": "sw", "password": "x"}
    data[field] = "a\x00b"
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
