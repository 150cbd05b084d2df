"""Bed-board benchmark: server time and query count at 200, 2,000 and 20,000 beds.

Run on its own: `.venv/bin/python bench/bed_board.py [200,2000,20000]` (SQLite in a temporary
folder, removed at the end; BENCH_DATABASE_URL=postgres://user@host:5432/postgres uses a fresh
PostgreSQL database instead, see bench/env.py). For each size (beds across facilities of 50
beds plus one of 60, a year of stays, 90% occupied tonight) it prints, for the board of the
60-bed facility, the city view (counts per facility), the roll PDF, a check-in search and a year
of occupancy: the p50 and best wall time, the best CPU time of this process (steadier than wall
time on a shared machine; SQLite runs in-process, so it includes the database's work) and the
queries. The pages are each followed by a GET of the sign-in page, whose p50 is printed next to
theirs with the ratio, and the aims of issue 14 with met / NOT met. BENCH_REPEAT sets how
many runs the best is taken of (9); BENCH_ROOT=/path/to/another/checkout measures that code
with this script (an A/B at the same load). Not a test: figures go to docs/benchmarks.md.
Importing this module does nothing; `main()` sets the environment up.
"""

import datetime
import os
import sys
import time
from pathlib import Path


def _root() -> Path:
    """The checkout to measure: this one, or BENCH_ROOT (an A/B on the same machine and load)."""
    return Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parent.parent)


BEDS_PER_FACILITY = 50


def setup():
    """The benchmark's own environment (bench/env.py), Django, a migrated database, static files."""
    from bench import env as bench_env

    env = bench_env.prepare()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # DEBUG is off, as in production: pages need the collected static files' manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    return env


def build(total_beds: int):
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone
    from guardian.shortcuts import assign_perm

    from accounts.models import Organisation, User
    from cases.models import Client
    from privacy import vault
    from shelters.models import Bed, Facility, Room, Stay

    call_command("flush", interactive=False, verbosity=0)
    org = Organisation.objects.create(name="Bench", kind="foundation")
    staff = User.objects.create_user(username="bench", password="x" * 20, organisation=org)
    staff.groups.set([Group.objects.get(name="shelter_staff")])
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    year_ago = today - datetime.timedelta(days=365)
    facilities = []
    # One 60-bed facility to time the board on, then 50-bed ones up to the total.
    sizes = [60] + [BEDS_PER_FACILITY] * ((total_beds - 60) // BEDS_PER_FACILITY)
    beds = []
    for n, size in enumerate(sizes):
        facility = Facility.objects.create(organisation=org, name=f"F{n}", kind="shelter")
        facilities.append(facility)
        room = Room.objects.create(facility=facility, name="Sala", sex="any")
        beds += [
            Bed(facility=facility, room=room, label=str(b), available_from=year_ago)
            for b in range(size)
        ]
    Bed.objects.bulk_create(beds, batch_size=1000)
    assign_perm("shelters.operate_facility", staff, facilities[0])
    beds = list(Bed.objects.order_by("pk"))
    # One client per bed: a year of stays of ~90 nights, the last one open (90% of beds).
    clients = []
    for _bed in beds:
        subject = vault.subject_create(kind="client")
        clients.append(Client(subject=subject, first_name="Jan", surname="Benchowy", sex="male"))
    for client in clients:
        client.refresh_blind_indexes()
    Client.objects.bulk_create(clients, batch_size=1000)
    stays = []
    for n, (bed, client) in enumerate(zip(beds, clients, strict=True)):
        day = year_ago
        while day < today - datetime.timedelta(days=100):
            end = day + datetime.timedelta(days=90)
            stays.append(
                Stay(
                    client=client,
                    subject_id=client.pk,
                    facility_id=bed.facility_id,
                    bed=bed,
                    started_at=datetime.datetime.combine(day, datetime.time(15), tzinfo=tz),
                    ended_at=datetime.datetime.combine(end, datetime.time(10), tzinfo=tz),
                    night_of=day,
                    last_night=end - datetime.timedelta(days=1),
                    last_seen_on=end,
                    exit_destination="family",
                )
            )
            day = end + datetime.timedelta(days=1)
        if n % 10:
            stays.append(
                Stay(
                    client=client,
                    subject_id=client.pk,
                    facility_id=bed.facility_id,
                    bed=bed,
                    started_at=datetime.datetime.combine(day, datetime.time(15), tzinfo=tz),
                    night_of=day,
                    last_seen_on=today,
                )
            )
    Stay.objects.bulk_create(stays, batch_size=1000)
    # bulk_create sends no post_save: the episodes table (reports.Episode) built once.
    from reports.episodes import episodes_rebuild

    episodes_rebuild()
    # The planner's statistics, as autovacuum keeps them on a live database: without them a
    # freshly bulk-loaded table is planned as if empty (at 20,000 beds the board's open stays
    # took 2.4 ms by a bitmap of every open stay instead of 0.1 ms by the facility's index).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return staff, facilities, len(stays)


# Aims of issue 14 ("The fixed cost of a page"), in-process p50 wall time.
AIM_BOARD_MS, AIM_BOARD_LOGIN_RATIO = 25.0, 3.0
AIM_CITY_MS = 300.0  # 20,000 beds, both databases
AIM_OCCUPANCY_MS = 1000.0  # a year at 20,000 beds, SQLite too


def _p50(samples: list[float]) -> float:
    ordered = sorted(samples)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def timed(label, func, repeat=None, *, login=None, aim=None, ratio_aim=None):
    """Best and p50 wall time, best CPU time of `repeat` runs, and the queries of one run.

    With `login` (a GET of the sign-in page), each run is followed by one, and the line shows
    the page's p50 next to the sign-in page's p50 measured in the same minutes, and their ratio.
    Returns (p50 ms, login p50 ms or None).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    repeat = repeat or int(os.environ.get("BENCH_REPEAT", "9"))
    wall, cpu, logins = [], [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if login is not None:
            start = time.perf_counter()
            login()
            logins.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as captured:
        func()
    p50 = _p50(wall) * 1000
    line = (
        f"  {label:<34} p50 {p50:8.1f} ms, best {min(wall) * 1000:8.1f} ms wall "
        f"{min(cpu) * 1000:8.1f} ms cpu {len(captured):4d} queries"
    )
    login_p50 = _p50(logins) * 1000 if logins else None
    if aim is not None:
        line += f"  aim < {aim:.0f} ms: {'met' if p50 < aim else 'NOT met'}"
    if login_p50:
        ratio = p50 / login_p50
        line += f"; sign-in page p50 {login_p50:.1f} ms, ratio {ratio:.1f}×"
        if ratio_aim is not None:
            line += f" (aim ≤ {ratio_aim:.0f}×: {'met' if ratio <= ratio_aim else 'NOT met'})"
    print(line, flush=True)
    return p50, login_p50


def main() -> None:
    # Only when run: the code measured comes first on the path (importing this does nothing).
    sys.path.insert(0, str(_root()))
    from bench import env as bench_env

    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "200,2000,20000").split(",")]
    env = setup()
    print(
        f"{env.vendor}, load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} at the "
        f"start (1/5/15 min; 2 CPUs: above 2, other processes compete with the benchmark)"
    )
    try:
        for total in sizes:
            measure(total)
    finally:
        bench_env.cleanup(env)


def measure(total: int) -> None:
    from django.test import Client as HttpClient
    from django.urls import reverse
    from django.utils import timezone

    from privacy import vault
    from shelters import reports

    started = time.perf_counter()
    staff, facilities, stays = build(total)
    print(
        f"{total} beds, {len(facilities)} facilities, {stays} stays "
        f"(built in {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.1f})"
    )
    http = HttpClient()
    http.force_login(staff)
    anonymous = HttpClient()
    board = f"/shelters/{facilities[0].pk}/"
    vault.cache.clear()
    http.get(board)  # warm the key cache, as a board refreshed every 30 s would be
    login = reverse("accounts:login")
    if anonymous.get(login).status_code != 200:
        raise SystemExit(f"{login} did not answer 200")
    timed(
        "board, 60 beds (htmx refresh)",
        lambda: http.get(board, headers={"HX-Request": "true"}),
        login=lambda: anonymous.get(login),
        aim=AIM_BOARD_MS,
        ratio_aim=AIM_BOARD_LOGIN_RATIO,
    )
    timed("board, 60 beds (full page)", lambda: http.get(board), login=lambda: anonymous.get(login))
    timed(
        "city view (counts per facility)",
        lambda: http.get("/shelters/city/"),
        login=lambda: anonymous.get(login),
        aim=AIM_CITY_MS if total >= 20_000 else None,
    )
    timed("roll PDF, 60 beds", lambda: http.get(f"{board}roll.pdf"))
    timed(
        "check-in search (htmx, 'jan')",
        lambda: http.post(f"{board}check-in/search/", {"q": "jan"}, headers={"HX-Request": "true"}),
    )
    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)
    timed(
        "occupancy, a year by month",
        lambda: reports.bed_nights(facilities, year_ago, today, by="month"),
        repeat=int(os.environ.get("BENCH_REPEAT_OCCUPANCY", "3")),
        aim=AIM_OCCUPANCY_MS if total >= 20_000 else None,
    )


if __name__ == "__main__":
    main()
