"""Bed-board benchmark: server time and query count at 200, 2,000 and 20,000 beds.

Run on its own: `.venv/bin/python bench/bed_board.py [200,2000,20000]` (SQLite in a temporary
folder, removed at the end; BENCH_DATABASE_URL=postgres://user@host:5432/postgres uses a fresh
PostgreSQL database instead, see bench/env.py). For each size (beds across 4, 40 and 400
facilities of 50 beds, a year of stays, 90% occupied tonight) it prints the time and queries
of the board of one 60-bed facility, the city view (counts per facility), the roll PDF and a
year of occupancy (bed-nights per month).
Not a test: figures go to docs/architecture.md.
"""

import datetime
import sys
import time
from pathlib import Path

import django

if __name__ == "__main__":
    # Run as a script: the benchmark's own environment (bench/env.py), before Django is
    # imported. DEBUG on: the figures below were measured so (Django keeps the queries).
    # Imported as a module (tests), nothing happens here.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import env as bench_env

    ENV = bench_env.prepare(debug=True, prefix="przystan-bedbench-")
    django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from guardian.shortcuts import assign_perm  # noqa: E402

BEDS_PER_FACILITY = 50


def build(total_beds: int):
    from accounts.models import Organisation, User
    from cases.models import Client
    from privacy import vault
    from shelters.models import Bed, Facility, Room, Stay

    call_command("flush", interactive=False, verbosity=0)
    org = Organisation.objects.create(name="Bench", kind="foundation")
    staff = User.objects.create_user(username="bench", password="x" * 20, organisation=org)
    from django.contrib.auth.models import Group

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
    return staff, facilities, len(stays)


def timed(label, func, repeat=5):
    best, queries = None, 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            func()
            elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
        queries = len(captured)
    print(f"  {label:<34} {best * 1000:9.1f} ms  {queries:4d} queries")


def main() -> None:
    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "200,2000,20000").split(",")]
    call_command("migrate", verbosity=0)
    for total in sizes:
        measure(total)


def measure(total: int) -> None:
    from privacy import vault
    from shelters import reports

    started = time.perf_counter()
    staff, facilities, stays = build(total)
    print(
        f"{total} beds, {len(facilities)} facilities, {stays} stays "
        f"(built in {time.perf_counter() - started:.0f} s)"
    )
    http = HttpClient()
    http.force_login(staff)
    board = f"/shelters/{facilities[0].pk}/"
    vault.cache.clear()
    http.get(board)  # warm the key cache, as a board refreshed every 30 s would be
    timed("board, 60 beds (htmx refresh)", lambda: http.get(board, headers={"HX-Request": "true"}))
    timed("board, 60 beds (full page)", lambda: http.get(board))
    timed("city view (counts per facility)", lambda: http.get("/shelters/city/"))
    timed("roll PDF, 60 beds", lambda: http.get(f"{board}roll.pdf"))
    today = timezone.localdate()
    year_ago = today - datetime.timedelta(days=365)
    timed(
        "occupancy, a year by month",
        lambda: reports.bed_nights(facilities, year_ago, today, by="month"),
        repeat=2,
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        bench_env.cleanup(ENV)
