"""The restore drill: prove that a backup of the database can be restored and still opens.

A backup is only as good as its last restore. The drill does on a spare database what a real
restore does (docs/operations.md, "Backups" and "Restoring"):

1. `pg_dump` the current database (custom format) into a temporary file, or take a dump file
   given (a real backup: then the drill tests that very file);
2. create a new, empty database beside it and `pg_restore` the dump into it;
3. run against the restored database, in a child process of its own (as an operator would):
   `reapply_erasures` (the ledger: people erased after the backup are erased again),
   `verify_keys` (every data key still unwraps with the KEKs of this environment: the keys are
   never in the dump, so this proves they were kept apart and are still at hand) and
   `verify_access_log` (the restored log's chain is intact and agrees with the anchors);
4. print one line a step and drop the drill database.

Nothing is written to the live database, the erasure ledger, the media or export folders: the
child processes get a copy of the ledger and folders of their own, and the restored database
is a throwaway.
"""

import datetime
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

MANAGE = Path(settings.BASE_DIR) / "manage.py"
CHECKS = ("reapply_erasures", "verify_keys", "verify_access_log")
TIMEOUT_SECONDS = 3600


class DrillError(Exception):
    """The drill could not run at all (no PostgreSQL, a tool missing, a dump that fails)."""


@dataclass
class Step:
    name: str
    ok: bool
    said: str


@dataclass
class DrillReport:
    database: str
    steps: list[Step] = field(default_factory=list)
    dropped: bool = False

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)


def _libpq_env(settings_dict: dict) -> dict[str, str]:
    """The connection of `settings_dict` as libpq's variables (pg_dump, pg_restore read them)."""
    env = {
        "PGHOST": settings_dict.get("HOST") or "",
        "PGPORT": str(settings_dict.get("PORT") or ""),
        "PGUSER": settings_dict.get("USER") or "",
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
    }
    if sslmode := settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return {name: value for name, value in env.items() if value}


def _database_url(settings_dict: dict, name: str) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    credentials = (
        f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    )
    host = settings_dict.get("HOST") or ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(name, safe='')}"


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    # Our own tools and manage.py with names we built: no shell, nobody's input.
    return subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )


def _last_line(result: subprocess.CompletedProcess) -> str:
    """What a step said: its summary on success, its error (the end of stderr) on failure."""
    text = result.stdout if result.returncode == 0 else result.stderr
    lines = text.strip().splitlines()
    return lines[-1].strip() if lines else f"exit status {result.returncode}"


def restore_drill(*, dump: Path | None = None, keep: bool = False) -> DrillReport:
    """Restore `dump` (default: a fresh dump of the current database) into a new database, run
    the three checks against it, and drop it unless `keep`. Raises DrillError if it cannot run."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        raise DrillError("The restore drill needs PostgreSQL (DATABASE_URL=postgres://...).")
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            raise DrillError(
                f"{tool} is not installed (Debian: apt-get install postgresql-client)."
            )
    settings_dict = connection.settings_dict
    stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%d%H%M%S")
    drill_name = f"{settings_dict['NAME']}_drill_{stamp}"[:63]
    libpq = {**os.environ, **_libpq_env(settings_dict)}
    report = DrillReport(database=drill_name)
    with tempfile.TemporaryDirectory(prefix="przystan-drill-") as scratch:
        scratch_dir = Path(scratch)
        if dump is None:
            dump = scratch_dir / "przystan.dump"
            result = _run(
                ["pg_dump", "--format=custom", f"--file={dump}", settings_dict["NAME"]], libpq
            )
            if result.returncode != 0:
                raise DrillError(f"pg_dump failed: {_last_line(result)}")
            report.steps.append(Step("pg_dump", True, f"{dump.stat().st_size} bytes"))
        elif not dump.is_file():
            raise DrillError(f"No dump file at {dump}.")
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(drill_name)}")
        try:
            _restore_and_check(report, dump, drill_name, settings_dict, libpq, scratch_dir)
        finally:
            if not keep:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"DROP DATABASE IF EXISTS {connection.ops.quote_name(drill_name)}"
                        " WITH (FORCE)"
                    )
                report.dropped = True
    return report


def _restore_and_check(report, dump, drill_name, settings_dict, libpq, scratch_dir) -> None:
    # --no-owner, --no-privileges: the drill's objects belong to whoever runs it, and the
    # application's role need not exist here (a real restore runs as the owner role, then
    # grant_app_role; docs/operations.md).
    result = _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={drill_name}",
            str(dump),
        ],
        libpq,
    )
    report.steps.append(
        Step(
            "pg_restore",
            result.returncode == 0,
            "restored" if result.returncode == 0 else _last_line(result),
        )
    )
    if result.returncode != 0:
        return
    # The children's own ledger copy and folders: re-erasing in the drill touches nothing live.
    ledger = scratch_dir / "erasure-ledger.jsonl"
    if settings.PRZYSTAN_ERASURE_LEDGER.exists():
        shutil.copyfile(settings.PRZYSTAN_ERASURE_LEDGER, ledger)
    else:
        ledger.write_text("", encoding="utf-8")
    child_env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL_FILE", "DATABASE_REPLICA_URL", "DATABASE_REPLICA_URL_FILE"}
    }
    child_env.update(
        DATABASE_URL=_database_url(settings_dict, drill_name),
        PRZYSTAN_ERASURE_LEDGER=str(ledger),
        PRZYSTAN_ANCHOR_FILE=str(settings.PRZYSTAN_ANCHOR_FILE),
        MEDIA_ROOT=str(scratch_dir / "media"),
        PRZYSTAN_EXPORT_DIR=str(scratch_dir / "exports"),
    )
    for check in CHECKS:
        result = _run([sys.executable, str(MANAGE), check], child_env)
        report.steps.append(Step(check, result.returncode == 0, _last_line(result)))
