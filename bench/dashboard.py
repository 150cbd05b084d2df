"""The managers' dashboard of outcome statistics: the page's time at the demo's size and at 10,000
clients / 200,000 stays, next to the sign-in page in the same run (issue 12, aim < 300 ms).

Run on its own: `.venv/bin/python bench/dashboard.py [demo,10000]` (SQLite in a temporary folder,
removed at the end; BENCH_DATABASE_URL uses a fresh PostgreSQL database, see bench/env.py).

- `demo`: `seed_demo` (every app's demo data), the dashboard as the demo manager `kierownik`;
- a number: that many clients with 20 stays each, written by the import of past records
  (bench/outcomes.py's files), the dashboard as a manager of the importing foundation.

For each size the dashboard (the demo: its default page, the last twelve full months; the
imported records: the year 2025) is fetched once cold
(the figures computed: the full report and its suppression), then BENCH_RUNS times (15) from the
cache, each run followed by a GET of the sign-in page; p50 and best of both, wall time, and the
queries of one cached page. Figures go to docs/benchmarks.md. Importing this module does nothing.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

AIM_MS = 300.0


def _demo():
    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", verbosity=0)
    return User.objects.get(username="kierownik")


def _imported(clients: int):
    from django.contrib.auth.models import Group

    from accounts.models import Organisation, User
    from bench.outcomes import write_csv
    from reports.importing import import_records

    organisation = Organisation.objects.create(name="Fundacja", kind="foundation")
    importer = User.objects.create(username="importer", organisation=organisation)
    manager = User.objects.create_user(
        username="manager", password="x" * 20, organisation=organisation
    )
    manager.groups.set([Group.objects.get(name="manager")])
    with tempfile.TemporaryDirectory() as folder:
        stays = write_csv(Path(folder), clients)
        started = time.perf_counter()
        import_records(directory=Path(folder), by=importer, organisation=organisation)
        print(
            f"  {clients:,} clients, {stays:,} stays imported in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
    return manager


def _p50(samples: list[float]) -> float:
    from bench.measure import percentile

    return percentile(samples, 50)


def measure(manager, runs: int, query: str) -> None:
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    http = HttpClient()
    http.force_login(manager)
    # A manager's session has given the second factor (accounts/second_factor.py), as after
    # typing the app's code: a confirmed app of theirs, named in the session.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=manager, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=manager, name="app", confirmed=True)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    anonymous = HttpClient()
    dashboard, login = reverse("reports:dashboard") + query, reverse("accounts:login")

    started = time.perf_counter()
    response = http.get(dashboard)
    cold = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    assert anonymous.get(login).status_code == 200
    pages, logins = [], []
    for _ in range(runs):
        started = time.perf_counter()
        http.get(dashboard)
        pages.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        anonymous.get(login)
        logins.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        http.get(dashboard)
    p50 = _p50(pages)
    print(f"  dashboard, first (figures computed): {cold:,.0f} ms", flush=True)
    print(
        f"  dashboard, cached: p50 {p50:.1f} ms, best {min(pages):.1f} ms, "
        f"{len(queries)} queries   aim < {AIM_MS:g} ms: {'met' if p50 < AIM_MS else 'MISSED'}",
        flush=True,
    )
    print(f"  sign-in page: p50 {_p50(logins):.1f} ms, best {min(logins):.1f} ms", flush=True)


def main() -> None:
    sizes = (sys.argv[1] if len(sys.argv) > 1 else "demo,10000").split(",")
    runs = int(os.environ.get("BENCH_RUNS", "15"))
    from bench import env as bench_env

    env = bench_env.prepare()
    # The demo's accounts have published passwords: seed_demo needs the demo flag.
    os.environ["PRZYSTAN_DEMO"] = "true"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        # DEBUG is off, as in production: pages need the collected static files' manifest.
        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"{env.vendor}, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
        for n, size in enumerate(sizes):
            if n:
                # Empty again (the data migrations' rows, such as the trades, go too: the
                # demo needs them, so it comes first).
                call_command("flush", interactive=False, verbosity=0)
            print(f"{size}:", flush=True)
            if size == "demo":
                # The default page: the twelve full months before this one.
                measure(_demo(), runs, "")
            else:
                # The imported records end in 2025: the page of that year.
                measure(_imported(int(size)), runs, "?period=year&on=2025-06-30")
            print(f"  load average {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        bench_env.cleanup(env)


if __name__ == "__main__":
    # Run as a script: the project on the path (imported as a module, nothing happens here).
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
