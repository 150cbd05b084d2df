"""config/gunicorn.conf.py: gthread by default, knobs from the environment, a log without names."""

import os
import runpy
from pathlib import Path

import pytest

CONF = str(Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py")


def load(monkeypatch, **env) -> dict:
    for name in list(os.environ):
        if name.startswith("GUNICORN_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def test_the_defaults_are_two_gthread_processes_of_four_threads_without_a_control_socket(
    monkeypatch,
):
    conf = load(monkeypatch)

    assert conf["worker_class"] == "gthread"
    assert (conf["workers"], conf["threads"]) == (2, 4)
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["control_socket_disable"] is True
    assert conf["wsgi_app"] == "config.wsgi:application"


def test_the_environment_sets_workers_threads_and_addresses(monkeypatch):
    conf = load(
        monkeypatch,
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="8",
        GUNICORN_BIND="127.0.0.1:8001, unix:/run/przystan.sock",
    )

    assert (conf["workers"], conf["threads"]) == (3, 8)
    assert conf["bind"] == ["127.0.0.1:8001", "unix:/run/przystan.sock"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GUNICORN_WORKERS", "many", "GUNICORN_WORKERS='many' is not a whole number"),
        ("GUNICORN_THREADS", "0", "GUNICORN_THREADS=0 must be between 1 and 64"),
        ("GUNICORN_WORKER_CLASS", "gevent", "must be gthread or sync"),
    ],
)
def test_a_bad_value_stops_the_start_with_its_name(monkeypatch, name, value, message):
    with pytest.raises(SystemExit, match=message):
        load(monkeypatch, **{name: value})


def test_the_access_log_has_the_path_without_its_query_and_no_referrer_agent_or_address(
    monkeypatch,
):
    # %(U)s is the path alone; %(r)s (the request line) and %(q)s would carry `?q=<surname>`,
    # %(f)s the referrer (the previous page's query), %(a)s the user agent, %(h)s the address.
    fmt = load(monkeypatch)["access_log_format"]

    assert "%(U)s" in fmt
    for leaky in ("%(r)s", "%(q)s", "%(f)s", "%(a)s", "%(h)s", "%(u)s", "{referer}i"):
        assert leaky not in fmt
