"""The benchmarks' own environment, set before Django is imported: nothing of a real install.

Fresh random keys, a temporary SQLite file (or BENCH_DATABASE_URL for PostgreSQL), a temporary
var dir, DEBUG off as in production. Everything is removed at the end by `cleanup()`.

Every benchmark (bench/run.py for `make bench`, bench/case_file.py, bench/bed_board.py) calls
`prepare()` when it runs, never when it is imported: importing a bench module touches no
database and builds nothing (tests/bench/test_imports.py).

BENCH_DATABASE_URL names a PostgreSQL database that is dropped and created afresh, or the server's
`postgres` database (or none), and then a database with a random name is created on that server
for the run. Either is dropped at the end.

BENCH_PG_SCHEMA_RESET=true keeps the named database (which must exist) and empties it instead:
its `public` schema is dropped and created again, at the start and at the end. On a shared
server a DROP DATABASE can wait for minutes on other sessions (PostgreSQL 15 waits for every
backend to absorb a signal barrier, and a backend inside a long COPY FROM STDIN does not);
dropping a schema waits for nobody else.
"""

import base64
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit


def random_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@dataclass
class BenchEnv:
    tmp_dir: str
    database_url: str
    vendor: str  # "sqlite" or "postgresql"
    sqlite_path: str | None = None
    pg_admin_url: str | None = None
    pg_name: str | None = None


def _postgres(url: str) -> tuple[str, str, str]:
    """(admin url on the `postgres` database, name of the benchmark database, its url).

    The server's own `postgres` database (or none named) is never used for the run: a database
    with a random name is.
    """
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if name in ("", "postgres"):
        name = f"przystan_bench_{uuid.uuid4().hex[:12]}"
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    database = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    return admin, name, database


def _recreate_pg_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_pg_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _reset_pg_schema(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _schema_reset() -> bool:
    return os.environ.get("BENCH_PG_SCHEMA_RESET", "").strip().lower() in ("1", "true", "yes")


def prepare(*, debug: bool = False, prefix: str = "przystan-bench-") -> BenchEnv:
    """Set the process environment for config.settings; create the database to use.

    `debug` turns DEBUG on (Django then keeps every query, for benchmarks that count them).
    """
    tmp_dir = tempfile.mkdtemp(prefix=prefix)
    pg_url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if pg_url:
        if not pg_url.startswith(("postgres:", "postgresql:")):
            raise SystemExit(
                "BENCH_DATABASE_URL must be a postgres:// URL (SQLite is the default)."
            )
        admin, name, database = _postgres(pg_url)
        if _schema_reset():
            if urlsplit(pg_url).path.lstrip("/") in ("", "postgres"):
                raise SystemExit("BENCH_PG_SCHEMA_RESET needs a database of its own, not postgres.")
            _reset_pg_schema(database)
        else:
            _recreate_pg_database(admin, name)
        env = BenchEnv(tmp_dir, database, "postgresql", pg_admin_url=admin, pg_name=name)
    else:
        path = os.path.join(tmp_dir, "bench.sqlite3")
        env = BenchEnv(tmp_dir, f"sqlite:///{path}", "sqlite", sqlite_path=path)

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": env.database_url,
            "DEBUG": "true" if debug else "false",
            "HTTPS_ONLY": "false",
            "PRZYSTAN_DEMO": "false",
            "SECRET_KEY": "bench-" + base64.urlsafe_b64encode(os.urandom(48)).decode(),
            "ALLOWED_HOSTS": "testserver",
            "PRZYSTAN_VAR_DIR": tmp_dir,
            "STATIC_ROOT": os.path.join(tmp_dir, "static"),
            "MEDIA_ROOT": os.path.join(tmp_dir, "media"),
            "PRZYSTAN_KEKS": f"bench-1:{random_key()}",
            "PRZYSTAN_INDEX_KEY": random_key(),
            "PRZYSTAN_AUDIT_KEY": random_key(),
            # Quiet: the benchmark prints its own table.
            "LOG_LEVEL": "WARNING",
        }
    )
    _drop_file_twins()
    return env


def prepare_existing(kept: dict[str, str]) -> BenchEnv:
    """The environment of an earlier run whose database was kept: its url and its random keys
    (`kept`, written by that run), a fresh var dir; nothing is created or dropped."""
    tmp_dir = tempfile.mkdtemp(prefix="przystan-bench-")
    url = kept["DATABASE_URL"]
    env = BenchEnv(tmp_dir, url, "postgresql" if url.startswith("postgres") else "sqlite")
    os.environ.update(
        {
            **kept,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "HTTPS_ONLY": "false",
            "PRZYSTAN_DEMO": "false",
            "ALLOWED_HOSTS": "testserver",
            "PRZYSTAN_VAR_DIR": tmp_dir,
            "STATIC_ROOT": os.path.join(tmp_dir, "static"),
            "MEDIA_ROOT": os.path.join(tmp_dir, "media"),
            "LOG_LEVEL": "WARNING",
        }
    )
    _drop_file_twins()
    return env


def _drop_file_twins() -> None:
    """The _FILE twins win over the variables: never let a real installation's keys in."""
    for name in (
        "PRZYSTAN_KEKS_FILE",
        "PRZYSTAN_INDEX_KEY_FILE",
        "PRZYSTAN_AUDIT_KEY_FILE",
        "SECRET_KEY_FILE",
        "DATABASE_URL_FILE",
    ):
        os.environ.pop(name, None)


def cleanup(env: BenchEnv) -> None:
    if env.vendor == "postgresql":
        from django.db import connections

        connections.close_all()
        if _schema_reset():
            _reset_pg_schema(env.database_url)
        else:
            _drop_pg_database(env.pg_admin_url, env.pg_name)
    shutil.rmtree(env.tmp_dir, ignore_errors=True)
