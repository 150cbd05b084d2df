"""The load test's own pieces (bench/load): the manager's code, the figures and their verdict."""

import json

import time_machine
from django_otp.oath import totp as otp_totp

from bench.load import report
from bench.load.setup_demo import MANAGER_KEY_HEX
from bench.load.totp import totp


def test_the_load_tests_code_is_the_one_django_otp_expects():
    # 1 March 2027, 12:00:00 UTC, and a step later: the code changes with the 30 s step.
    for at in (1_804_075_200, 1_804_075_230):
        with time_machine.travel(at, tick=False):
            expected = otp_totp(bytes.fromhex(MANAGER_KEY_HEX), step=30, t0=0, digits=6)
        assert totp(MANAGER_KEY_HEX, at=at) == f"{expected:06d}"


def test_the_percentile_interpolates_between_ranks():
    # 1..100: rank (100-1)*0.95 = 94.05, between 95 and 96: 95 + 0.05 = 95.05.
    assert round(report.percentile(list(range(1, 101)), 95), 2) == 95.05
    assert report.percentile([40.0], 99) == 40.0


def _files(tmp_path, failures):
    summary = tmp_path / "summary.json"
    cpu = tmp_path / "cpu.json"
    times = {"board (htmx)": [100.0] * 19 + [250.0], "sign-in (Argon2)": [900.0]}
    summary.write_text(json.dumps({"times": times, "failures": failures, "outcomes": {}}))
    cpu.write_text(
        json.dumps(
            {
                "seconds": 10.0,
                "cpu_seconds": {"gunicorn": 0.8, "postgres": 0.2},
                "cores": 2,
                "machine_busy_share": 0.5,
                "load_start": [1.0, 1.0, 1.0],
                "load_end": [1.5, 1.0, 1.0],
            }
        )
    )
    return str(summary), str(cpu)


def test_the_report_meets_the_aim_without_the_sign_in_and_fails_on_any_error(tmp_path, capsys):
    summary, cpu = _files(tmp_path, {})

    assert report.main(summary, cpu, 60) == 0
    out = capsys.readouterr().out
    # Pages: 19 x 100 ms and 1 x 250 ms; p95 at rank 18.05: 100 + 0.05 x 150 = 107.5 ms. The
    # sign-in's 900 ms is left out of the pages. CPU: 1.0 s over 21 requests = 48 ms each.
    assert "aim for 60 users: pages p95 < 300 ms, 0 errors: met (108 ms, 0 errors)" in out
    assert "48 ms of CPU a request" in out

    summary, cpu = _files(tmp_path, {"board (htmx)": 1})
    assert report.main(summary, cpu, 60) == 1
    assert "NOT met" in capsys.readouterr().out
