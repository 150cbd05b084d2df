"""Outcome statistics benchmark (issue 12): the import of past records, then a year's report.

Run on its own: `.venv/bin/python bench/outcomes.py [10000]` (clients; SQLite in a temporary
folder, BENCH_DATABASE_URL for PostgreSQL, see bench/env.py). It writes CSV files of synthetic
records (20 stays per client over 2021–2025 across 40 facilities of 60 beds, a fifth of the
clients with a placement and its follow-ups), times `import_records` of the folder, then the
full report of 2025 (every measure, raw and suppressed) and a cached dashboard computation.
Aims: import of 10,000 clients with 200,000 stays < 3 min on SQLite; the year's report < 5 s.
Not a test: figures go to docs/benchmarks.md. Importing this module does nothing.
"""

import csv
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

STAYS_PER_CLIENT = 20
FACILITIES = 40
BEDS = 60
EXITS = ["own_housing", "rented_room", "family", "hospital", "street", "unknown", "died"]


def write_csv(folder: Path, clients: int, seed: int = 12) -> int:
    """The synthetic records; returns the number of stays. Stays never overlap per client,
    and each facility's beds suffice (each client's stays stay in one facility's lane)."""
    rng = random.Random(seed)
    with (folder / "facilities.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["facility_ref", "name", "kind", "beds"])
        for n in range(FACILITIES):
            kind = "night_shelter" if n % 4 == 0 else "shelter"
            out.writerow([f"F{n}", f"Placówka {n}", kind, BEDS])
    stays = 0
    start = datetime.date(2021, 1, 1)
    with (
        (folder / "clients.csv").open("w", newline="", encoding="utf-8") as clients_file,
        (folder / "stays.csv").open("w", newline="", encoding="utf-8") as stays_file,
        (folder / "placements.csv").open("w", newline="", encoding="utf-8") as placements_file,
        (folder / "followups.csv").open("w", newline="", encoding="utf-8") as followups_file,
    ):
        people = csv.writer(clients_file)
        people.writerow(
            [
                "client_ref",
                "first_name",
                "surname",
                "birth_date",
                "sex",
                "pesel",
                "municipality_code",
            ]
        )
        nights = csv.writer(stays_file)
        nights.writerow(
            ["client_ref", "facility_ref", "started_on", "ended_on", "exit_destination"]
        )
        jobs = csv.writer(placements_file)
        jobs.writerow(
            [
                "placement_ref",
                "client_ref",
                "employer",
                "kind",
                "started_on",
                "ended_on",
                "end_reason",
            ]
        )
        answers = csv.writer(followups_file)
        answers.writerow(["placement_ref", "months", "answered_on", "answer"])
        # Clients take turns in lanes: lane = (facility, bed); a lane's stays follow each other.
        lanes_per_facility = BEDS
        for c in range(clients):
            birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 20000))
            people.writerow(
                [
                    f"c{c}",
                    "Imię",
                    f"Nazwisko{c}",
                    birth.isoformat(),
                    rng.choice(["female", "male", "not_known"]),
                    "",
                    rng.choice(["1465011", "0264011", "1261011", ""]),
                ]
            )
            lane = c % (FACILITIES * lanes_per_facility)
            facility = lane // lanes_per_facility
            # The clients sharing a lane split the five years between them.
            sharing = max(1, clients // (FACILITIES * lanes_per_facility))
            slot = c // (FACILITIES * lanes_per_facility)
            span = (5 * 365) // sharing
            day = start + datetime.timedelta(days=slot * span)
            per_stay = max(2, span // STAYS_PER_CLIENT)
            for _stay in range(STAYS_PER_CLIENT):
                length = rng.randint(1, per_stay - 1)
                ended = day + datetime.timedelta(days=length)
                nights.writerow(
                    [f"c{c}", f"F{facility}", day.isoformat(), ended.isoformat(), rng.choice(EXITS)]
                )
                stays += 1
                day += datetime.timedelta(days=per_stay)
            if c % 5 == 0:
                began = start + datetime.timedelta(days=rng.randrange(0, 4 * 365))
                jobs.writerow([f"p{c}", f"c{c}", "Firma", "open_market", began.isoformat(), "", ""])
                answers.writerow(
                    [f"p{c}", 3, (began + datetime.timedelta(days=95)).isoformat(), "employed_same"]
                )
    return stays


def timed(label: str, work, repeat: int = 1):
    """Best wall time and best CPU time of this process (SQLite runs in-process, so its work
    is included; on a shared machine the CPU time is the steadier figure)."""
    best, best_cpu, result = None, None, None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = work()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        best = elapsed if best is None else min(best, elapsed)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    print(f"  {label}: {best:.2f} s wall, {best_cpu:.2f} s CPU")
    return result


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import env as bench_env

    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    env = bench_env.prepare()
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from accounts.models import Organisation, User
        from reports.importing import import_records
        from reports.measures import outcome_report
        from reports.services import report_for
        from reports.sql import EVERYTHING

        print(f"{env.vendor}, load average {os.getloadavg()[0]:.1f} at the start")
        organisation = Organisation.objects.create(name="Fundacja", kind="foundation")
        user = User.objects.create(username="importer", organisation=organisation)
        with tempfile.TemporaryDirectory() as folder:
            stays = write_csv(Path(folder), clients)
            print(f"{clients:,} clients, {stays:,} stays")
            timed(
                "import_records",
                lambda: import_records(directory=Path(folder), by=user, organisation=organisation),
            )
        year = {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 12, 31)}
        report = timed("full report of 2025 (raw)", lambda: outcome_report(**year), repeat=3)
        print(f"  (bed-nights in 2025: {report['bed_nights']['total']:,})")
        from reports import measures
        from reports.sql import FAR, dialect

        d = dialect()
        values = {**year, "far": FAR, "using": "default"}
        for name in (
            "clients_served",
            "bed_nights",
            "occupancy",
            "episode_measures",  # length of stay, exits and returns: one statement
            "first_time",
            "programmes",
        ):
            timed(f"  {name}", lambda name=name: getattr(measures, name)(d, **values))
        timed("  employment", lambda: measures.employment(**values))
        timed("  assessment_change", lambda: measures.assessment_change(**values))
        timed("dashboard, first computation", lambda: report_for(**year, scope=EVERYTHING))
        timed("dashboard, cached", lambda: report_for(**year, scope=EVERYTHING), repeat=5)
    finally:
        bench_env.cleanup(env)


if __name__ == "__main__":
    main()
