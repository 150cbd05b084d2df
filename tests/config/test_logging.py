"""Log lines are JSON objects, one a line, and carry no personal data: no exception message, no
query string; the request id ties a line to the error page (config/logging.py)."""

import io
import json
import logging
from contextlib import contextmanager

import pytest
from django.test import Client, override_settings
from django.urls import path

from tests.config.test_settings import PRODUCTION_ENV, run_settings

SECRET_NAME = "Zdzisława Tajemnicza-Przykładowa"


def failing_view(request, client_id):
    raise KeyError(f"no bed for {SECRET_NAME}, PESEL 02270803628")


handler500 = "config.views.server_error"
urlpatterns = [path("clients/<int:client_id>/bed/", failing_view)]


@contextmanager
def console_lines():
    """What the configured console handler (settings.LOGGING) writes, as a list of lines."""
    handler = logging.getLogger("django").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    lines: list[str] = []
    try:
        yield lines
    finally:
        handler.setStream(previous)
        lines.extend(stream.getvalue().splitlines())


def test_the_tests_log_as_production_does_in_json(settings):
    # DEBUG is off in the tests, as in production: JSON is the default there.
    assert settings.LOG_FORMAT == "json"


def test_a_logged_exception_carrying_a_name_writes_its_type_and_places_but_no_name():
    logger = logging.getLogger("django.przystan_test")
    with console_lines() as lines:
        try:
            raise ValueError(f"cannot place {SECRET_NAME}")
        except ValueError:
            logger.exception("placing failed")

    [line] = lines
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.przystan_test"
    assert entry["message"].startswith("placing failed [ValueError at test_logging.py:")
    assert SECRET_NAME not in line
    assert "Tajemnicza" not in line


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_is_one_json_line_with_route_and_request_id_and_no_name(db):
    client = Client(raise_request_exception=False)
    with console_lines() as lines:
        response = client.get("/clients/41/bed/?q=Tajemnicza")

    assert response.status_code == 500
    entries = [json.loads(line) for line in lines]
    [error] = [entry for entry in entries if entry["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["method"] == "GET"
    assert error["route"] == "clients/<int:client_id>/bed/"
    assert error["path"] == "/clients/41/bed/"
    assert error["status_code"] == 500
    assert error["request_id"] == response["X-Request-ID"]
    assert "KeyError" in error["message"]
    text = "\n".join(lines)
    assert "Tajemnicza" not in text
    assert "02270803628" not in text
    assert "?q=" not in text


def test_a_not_found_page_logs_its_path_without_the_query_string(client, db):
    with console_lines() as lines:
        response = client.get("/no/such/page/?surname=Tajemnicza")

    assert response.status_code == 404
    entries = [json.loads(line) for line in lines]
    assert any(entry["message"] == "Not Found: /no/such/page/" for entry in entries)
    assert "Tajemnicza" not in "\n".join(lines)


def test_the_development_servers_request_line_loses_its_query_string():
    with console_lines() as lines:
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /clients/?q=Tajemnicza HTTP/1.1", "200", "512"
        )

    [line] = lines
    assert json.loads(line)["message"] == '"GET /clients/ HTTP/1.1" 200 512'


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, "json"),
        ({"DEBUG": "true"}, "text"),
        ({"PRZYSTAN_LOG_FORMAT": "text"}, "text"),
        ({"DEBUG": "true", "PRZYSTAN_LOG_FORMAT": "json"}, "json"),
    ],
)
def test_the_log_format_is_json_unless_debug_or_chosen(extra, expected):
    result = run_settings(
        {**PRODUCTION_ENV, **extra},
        "import config.settings as s; print(s.LOGGING['handlers']['console']['formatter'])",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_an_unknown_log_format_stops_the_start_naming_the_variable():
    result = run_settings({**PRODUCTION_ENV, "PRZYSTAN_LOG_FORMAT": "xml"})

    assert result.returncode != 0
    assert "PRZYSTAN_LOG_FORMAT" in result.stderr
