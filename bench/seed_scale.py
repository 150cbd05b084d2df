# ruff: noqa: S608 - the SQL names the module's own tables; values are bound.
"""National-size data (issue 14): `manage.py seed_scale` timed, then a few pages at that size.

Run on its own, on PostgreSQL (a fresh database, dropped at the end; bench/env.py):

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/seed_scale.py [clients [facilities [beds [years]]]]

Defaults: 100,000 clients, 600 facilities, 20,000 beds, 10 years (the command's own default is
1,000,000 clients). It prints the command's progress lines (rows a second per phase), the
tables' sizes on disk, then, logged in as shelter staff of the largest facility, the bed board
(full page and htmx refresh), the city view and a check-in search, a PESEL search
(cases.selectors.client_search, keys cold), a year of occupancy over every facility and the
year's outcome report: best wall time, this process's CPU time and queries (bench/bed_board.py's
`timed`). BENCH_REPEAT sets the runs (5); BENCH_KEEP_DATABASE=1 keeps the database (its keys
die with the process unless written down: with BENCH_KEEP_DATABASE=1 they go to BENCH_KEYS_FILE,
default /tmp/przystan-bench-seed-keys.json, synthetic data only), and BENCH_MEASURE_ONLY=1 then
opens the pages again on that database, migrated, with those keys, without seeding (the date is
the run's own: BENCH_UNTIL, default today). Importing this module does nothing.
"""

import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

TABLES = [
    "cases_client",
    "cases_historicalclient",
    "privacy_subject",
    "privacy_datakey",
    "shelters_stay",
    "shelters_historicalstay",
    "shelters_bed",
]


def sizes_on_disk() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                "SELECT COUNT(*), pg_size_pretty(pg_total_relation_size(%s::regclass)) "
                f"FROM {table}",
                [table],
            )
            rows, size = cursor.fetchone()
            print(f"  {table:<26} {rows:>12,} rows {size:>10}", flush=True)
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"  database: {cursor.fetchone()[0]}", flush=True)


def pages(until: datetime.date) -> None:
    from django.contrib.auth.models import Group
    from django.db.models import Count
    from django.test import Client as HttpClient
    from guardian.shortcuts import assign_perm

    from accounts.models import Organisation, User
    from bench.bed_board import timed
    from cases.models import Client
    from cases.selectors import client_search
    from privacy import vault
    from reports import measures
    from shelters import reports
    from shelters.models import Facility

    facilities = list(Facility.objects.annotate(n=Count("beds")).order_by("-n", "pk"))
    biggest = facilities[0]
    staff = User.objects.create_user(
        # A name of its own each run: a measured-again database keeps the earlier runs' users.
        username=f"bench-staff-{os.getpid()}-{time.time_ns()}",
        password="x" * 20,
        organisation=Organisation.objects.get(pk=biggest.organisation_id),
    )
    staff.groups.set([Group.objects.get(name="shelter_staff")])
    assign_perm("shelters.operate_facility", staff, biggest)
    http = HttpClient()
    http.force_login(staff)
    board = f"/shelters/{biggest.pk}/"
    print(f"load average {os.getloadavg()[0]:.1f} before the pages", flush=True)
    vault.cache.clear()
    http.get(board)
    timed(f"board, {biggest.n} beds (full page)", lambda: http.get(board))
    timed("board (htmx refresh)", lambda: http.get(board, headers={"HX-Request": "true"}))
    timed("city view (counts per facility)", lambda: http.get("/shelters/city/"))
    timed(
        "check-in search (htmx, 'bo')",
        lambda: http.post(f"{board}check-in/search/", {"q": "bo"}, headers={"HX-Request": "true"}),
    )
    someone = Client.objects.order_by("registered_on", "pk").first()
    pesel = someone.pesel

    def by_pesel():
        vault.cache.clear()
        assert someone.pk in [c.pk for c in client_search(pesel=pesel)]

    timed("PESEL search (keys cold)", by_pesel)
    year_ago = until - datetime.timedelta(days=365)
    timed(
        f"occupancy, a year by month, {len(facilities)} facilities",
        lambda: reports.bed_nights(facilities, year_ago, until, by="month"),
        repeat=2,
    )
    timed(
        "outcome report, the last full year",
        lambda: measures.outcome_report(
            start=datetime.date(until.year - 1, 1, 1), end=datetime.date(until.year - 1, 12, 31)
        ),
        repeat=2,
    )


KEPT = ("DATABASE_URL", "SECRET_KEY", "PRZYSTAN_KEKS", "PRZYSTAN_INDEX_KEY", "PRZYSTAN_AUDIT_KEY")


def _keys_file() -> Path:
    default = Path(tempfile.gettempdir()) / "przystan-bench-seed-keys.json"
    return Path(os.environ.get("BENCH_KEYS_FILE", default))


def measure_again() -> None:
    """BENCH_MEASURE_ONLY: the kept database, migrated and analysed, its pages opened again."""
    from bench import env as bench_env

    env = bench_env.prepare_existing(json.loads(_keys_file().read_text()))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"{env.database_url}: measured again", flush=True)
    until = os.environ.get("BENCH_UNTIL")
    pages(datetime.date.fromisoformat(until) if until else timezone.localdate())


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import env as bench_env

    if not os.environ.get("BENCH_DATABASE_URL", "").startswith(("postgres:", "postgresql:")):
        raise SystemExit("bench/seed_scale.py runs on PostgreSQL: set BENCH_DATABASE_URL.")
    os.environ.setdefault("BENCH_REPEAT", "5")
    if os.environ.get("BENCH_MEASURE_ONLY"):
        measure_again()
        return
    args = [int(a) for a in sys.argv[1:]]
    clients, facilities, beds, years = [*args, *[100_000, 600, 20_000, 10][len(args) :]]
    env = bench_env.prepare()
    if os.environ.get("BENCH_KEEP_DATABASE"):
        _keys_file().write_text(json.dumps({name: os.environ[name] for name in KEPT}))
        _keys_file().chmod(0o600)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        print(
            f"{clients:,} clients, {facilities} facilities, {beds:,} beds, {years} years; "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        until = timezone.localdate()
        started = time.perf_counter()
        call_command(
            "seed_scale",
            "--i-know-this-is-not-production",
            f"--clients={clients}",
            f"--facilities={facilities}",
            f"--beds={beds}",
            f"--years={years}",
            f"--until={until.isoformat()}",
        )
        print(
            f"seeded in {time.perf_counter() - started:.0f} s, "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        sizes_on_disk()
        pages(until)
        print(f"load average {os.getloadavg()[0]:.1f} at the end", flush=True)
    finally:
        if os.environ.get("BENCH_KEEP_DATABASE"):
            print(f"kept: {env.database_url}")
        else:
            bench_env.cleanup(env)


if __name__ == "__main__":
    main()
