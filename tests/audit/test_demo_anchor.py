"""The demo anchors its access log at every start, and `make run` says how to do it again."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def recipe(target: str) -> list[str]:
    """The commands `make TARGET` would run, without running them (`make -n`)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.splitlines()


def test_make_run_anchors_the_log_after_seeding_and_before_serving():
    commands = recipe("run")

    def position(fragment: str) -> int:
        return next(i for i, line in enumerate(commands) if fragment in line)

    assert position("manage.py seed_demo") < position("manage.py anchor_access_log")
    assert position("manage.py anchor_access_log") < position("manage.py runserver")
    assert "PRZYSTAN_AUDIT_KEY_FILE=var/audit.key" in commands[position("anchor_access_log")]


def test_make_run_prints_how_to_anchor_the_log_again():
    said = [line for line in recipe("run") if line.startswith("echo") and "make anchor" in line]

    assert said == [
        "echo \"Anchor the access log again with 'make anchor' and check it with "
        "'make verify-log' (production: a timer, docs/operations.md).\""
    ]


@pytest.mark.parametrize(
    ("target", "command"),
    [("anchor", "manage.py anchor_access_log"), ("verify-log", "manage.py verify_access_log")],
)
def test_the_demo_has_targets_to_anchor_and_verify_the_log(target, command):
    (line,) = [line for line in recipe(target) if "manage.py" in line]

    assert line.startswith("PRZYSTAN_DEMO=true ")
    assert line.endswith(command)
