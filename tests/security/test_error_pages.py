"""Error pages and logs leak nothing: no stack trace, no personal data, a request id instead."""

import logging

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

SECRET_NAME = "Zdzisława Tajemnicza-Przykładowa"


def failing_view(request):
    raise ValueError(f"cannot place {SECRET_NAME} with PESEL 02270803628")


def fine_view(request):
    return HttpResponse("ok")


handler500 = "config.views.server_error"
urlpatterns = [path("boom/", failing_view), path("fine/", fine_view)]


@pytest.fixture
def raising_client(db):
    return Client(raise_request_exception=False)


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_no_trace_and_no_personal_data(raising_client):
    response = raising_client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Traceback" not in html
    assert SECRET_NAME not in html
    assert "02270803628" not in html
    assert "ValueError" not in html
    assert response["X-Request-ID"] in html


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_logged_server_error_keeps_the_place_but_not_the_message(raising_client, caplog):
    from config.logging import PrivacyFilter

    handler = logging.Handler()
    handler.addFilter(PrivacyFilter())
    records = []
    handler.emit = records.append
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        raising_client.get("/boom/")
    finally:
        logger.removeHandler(handler)
    assert records, "the error was not logged"
    text = logging.Formatter().format(records[-1])
    assert "ValueError" in text
    assert "failing_view" in text
    assert SECRET_NAME not in text
    assert "02270803628" not in text


def test_a_missing_page_shows_the_plain_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Nie znaleziono" in response.content.decode()


def test_a_disallowed_host_gets_a_bare_400(db):
    response = Client().get("/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()
