"""Security headers on every page: CSP, framing, referrer, caching, cookies."""

from django.test import override_settings


def test_pages_carry_a_strict_content_security_policy(client, db):
    csp = client.get("/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "http" not in csp


def test_pages_refuse_framing_and_send_no_referrer_outside(client, db):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_are_never_cached(client, social_worker):
    client.force_login(social_worker)
    response = client.get("/start/social-worker/")
    assert "no-store" in response["Cache-Control"]


def test_pages_contain_no_inline_script_or_third_party_host(client, social_worker):
    client.force_login(social_worker)
    html = client.get("/start/social-worker/").content.decode()
    assert "<script>" not in html
    assert "onclick" not in html
    assert "style=" not in html
    assert "https://" not in html and "http://" not in html


def test_session_and_csrf_cookies_are_http_only(client, social_worker, password):
    client.get("/login/")
    response = client.post("/login/", {"username": "sw", "password": password})
    assert response.cookies["sessionid"]["httponly"]


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_cookies_are_secure_when_https_only(client, social_worker, password):
    response = client.post("/login/", {"username": "sw", "password": password}, secure=True)
    assert response.cookies["sessionid"]["secure"]
