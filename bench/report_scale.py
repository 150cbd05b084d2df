# ruff: noqa: S608 - the SQL is assembled from the script's own constants; values are bound.
"""A year's outcome report at 100,000 clients / 2,000,000 stays on PostgreSQL (issue 12).

Run on its own (it refuses SQLite: the import path would take an hour there):

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports \
        .venv/bin/python bench/report_scale.py [100000]

The database named in BENCH_DATABASE_URL is created afresh and dropped at the end (bench/env.py).
The data are built by the fastest honest path:

- facilities (one of 50 beds per 100 clients: 1,000), clients, programmes, enrolments,
  placements and follow-ups go through `reports.importing.import_records`, the import of past
  records: clients are real rows, each a data subject with its own wrapped key and every
  personal column sealed by the vault;
- the 2,000,000 stays are inserted by one `INSERT … SELECT` over `generate_series` (20 stays per
  client, 2021–2026, about 10 million bed-nights in 2025). Their two encrypted columns (notes and
  the override's reason, empty) hold the empty text sealed under each client's own key, sealed
  once per client and shared by that client's stays (the measures never read them). No history
  rows are written for these stays. PostgreSQL's exclusion constraints (no two stays of a bed or
  of a client overlap) are dropped for the insert and added back afterwards, which checks every
  row at once (so are its foreign keys);
- pathway steps (three for a tenth of the clients) by one more `INSERT … SELECT`.

Then `ANALYZE`, and the full report of 2025 is timed (`outcome_report`, best of BENCH_REPEAT=2),
each measure alone, and the dashboard's computation (`report_for`: suppressed, then cached). It
prints wall time and this process's CPU time (on PostgreSQL the server's work is not in the CPU
time: the wall time is the figure), next to the aim of 5 s. BENCH_KEEP_DATABASE=1 keeps the
database at the end (for EXPLAIN ANALYZE; drop it by hand) and writes the run's random keys
(synthetic data only) to BENCH_KEYS_FILE (default /tmp/przystan-bench-report-keys.json);
BENCH_MEASURE_ONLY=1 then times the report again on that database, migrated (new indexes), with
those keys, without building anything; BENCH_RESUME=1 goes on after the import of a kept run.
Importing this module does nothing.
"""

import csv
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

# A facility of 50 beds per 100 clients: 1,000 facilities, 50,000 beds at 100,000 clients.
CLIENTS_PER_FACILITY = 100
BEDS = 50
STAYS_PER_CLIENT = 20
# Each client's k-th stay starts 91 days after their (k-1)-th; two clients share a bed, the
# second starting 45 days after the first, and a stay lasts 5 to 44 nights: a bed never holds two.
CYCLE = 91
SECOND = 45
EXITS = [
    "own_housing",
    "rented_room",
    "family",
    "other_facility",
    "hospital",
    "prison",
    "street",
    "unknown",
    "died",
]
PROGRAMME_KINDS = ["workshop", "cis", "kis", "course", "supported_employment"]
PLACEMENT_KINDS = ["supported", "cooperative", "subsidised", "open_market"]
ANSWERS = ["employed_same", "employed_other", "not_employed", "unreachable"]
STAGES = ["street", "emergency", "shelter", "training", "supported_work", "open_market"]
AIM_SECONDS = 5.0
# The vault's key cache holds this many keys (privacy.vault._KeyCache).
KEY_CACHE = 20_000


def facilities_for(clients: int) -> int:
    return max(1, clients // CLIENTS_PER_FACILITY)


def write_csv(folder: Path, clients: int) -> dict[str, int]:
    """Everything but the stays, as the import's CSV files; the number of rows of each."""
    counts = {}

    def table(name: str, header: list[str], rows) -> None:
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(header)
            n = 0
            for row in rows:
                out.writerow(row)
                n += 1
        counts[name] = n

    table(
        "facilities.csv",
        ["facility_ref", "name", "kind", "beds"],
        (
            [f"F{n}", f"Placówka {n}", "night_shelter" if n % 4 == 0 else "shelter", BEDS]
            for n in range(facilities_for(clients))
        ),
    )
    table(
        "clients.csv",
        ["client_ref", "first_name", "surname", "birth_date", "sex", "pesel", "municipality_code"],
        (
            [
                f"c{c}",
                "Imię",
                f"Nazwisko{c}",
                str(datetime.date(1950, 1, 1) + datetime.timedelta(days=c * 7919 % 20000)),
                ("female", "male", "male", "not_known")[c % 4],
                "",
                ("1465011", "0264011", "1261011", "")[c % 4],
            ]
            for c in range(clients)
        ),
    )
    table(
        "programmes.csv",
        ["programme_ref", "name", "kind"],
        ([f"P{n}", f"Program {n}", kind] for n, kind in enumerate(PROGRAMME_KINDS * 4)),
    )

    def enrolments():
        # A tenth of the clients, one enrolment each in 2023–2025.
        for c in range(0, clients, 10):
            started = datetime.date(2023, 1, 1) + datetime.timedelta(days=(c * 31) % 1000)
            outcome = ("active", "completed", "dropped_out")[c % 3]
            ended = "" if outcome == "active" else (started + datetime.timedelta(days=120))
            yield [f"c{c}", f"P{c % 20}", started.isoformat(), str(ended), outcome]

    table(
        "enrolments.csv",
        ["client_ref", "programme_ref", "started_on", "ended_on", "outcome"],
        enrolments(),
    )
    placements = []
    for c in range(0, clients, 5):
        started = datetime.date(2022, 1, 1) + datetime.timedelta(days=(c * 13) % 1400)
        placements.append((f"p{c}", c, started))
    table(
        "placements.csv",
        ["placement_ref", "client_ref", "employer", "kind", "started_on", "ended_on", "end_reason"],
        (
            [ref, f"c{c}", "Firma", PLACEMENT_KINDS[c % 4], started.isoformat(), "", ""]
            for ref, c, started in placements
        ),
    )

    def followups():
        from activation.dates import add_months

        for ref, c, started in placements:
            for months in (3, 6, 12):
                due = add_months(started, months)
                if (c // 5 + months) % 7 == 0:
                    continue  # never answered
                answered = due + datetime.timedelta(days=3)
                yield [ref, months, answered.isoformat(), ANSWERS[(c + months) % 4]]

    table("followups.csv", ["placement_ref", "months", "answered_on", "answer"], followups())
    return counts


def split_for_import(folder: Path) -> list[Path]:
    """Folders to import one after another: the facilities and 20,000 clients, 20,000 clients
    more each, then the rest (which name clients imported before: the import knows their refs).

    One import of 100,000 clients used to outlive the vault's key cache (20,000 keys for
    PRZYSTAN_DEK_CACHE_SECONDS): each client's key was then read back from the database, one
    query per client. The import now seals each page under the keys it holds (reports/importing.py),
    so the steps are no longer needed for that; they are kept so the measured path stays the same.
    """
    with (folder / "clients.csv").open(encoding="utf-8") as handle:
        header, *people = list(csv.reader(handle))
    steps = []
    for n, first in enumerate(range(0, max(len(people), 1), KEY_CACHE)):
        step = folder / f"step{n}"
        step.mkdir()
        with (step / "clients.csv").open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(header)
            out.writerows(people[first : first + KEY_CACHE])
        if n == 0:
            (folder / "facilities.csv").rename(step / "facilities.csv")
        steps.append(step)
    rest = folder / "rest"
    rest.mkdir()
    for name in ("programmes.csv", "enrolments.csv", "placements.csv", "followups.csv"):
        (folder / name).rename(rest / name)
    (folder / "clients.csv").unlink()
    return [*steps, rest]


def seal_empty_notes(cursor) -> None:
    """`bench_seal(client_id, notes, override)`: the empty text sealed under each client's key."""
    from privacy import vault
    from shelters.models import Stay

    notes = Stay._meta.get_field("notes")
    override = Stay._meta.get_field("override_reason")
    cursor.execute(
        "CREATE TEMP TABLE bench_seal (client_id uuid PRIMARY KEY, notes bytea, override bytea)"
    )
    cursor.execute("SELECT subject_id FROM cases_client ORDER BY subject_id")
    ids = [row[0] for row in cursor.fetchall()]
    # Sealed before the COPY: fetching keys (past the cache's 20,000) on the connection while
    # its COPY is open would wait for the COPY forever.
    rows = []
    for first in range(0, len(ids), 1000):
        page = ids[first : first + 1000]
        vault.prefetch(page)  # the page's keys in one query
        rows += [
            (
                subject_id,
                vault.encrypt_value(notes.encode(""), label=notes.label, subject_id=subject_id),
                vault.encrypt_value(
                    override.encode(""), label=override.label, subject_id=subject_id
                ),
            )
            for subject_id in page
        ]
    with cursor.copy("COPY bench_seal (client_id, notes, override) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


STAYS_SQL = f"""
WITH c AS (
    SELECT substring(ref from 2)::int AS n, object_id::uuid AS client_id
    FROM reports_externalref WHERE kind = 'client'
),
b AS (SELECT id, facility_id, (row_number() OVER (ORDER BY id) - 1)::int AS i FROM shelters_bed),
g AS (
    SELECT c.client_id, b.id AS bed_id, b.facility_id, k,
        date '2021-01-01' + k * {CYCLE} + (c.n / %(beds)s) * {SECOND} + mod(b.i, {CYCLE})
            AS night_of,
        5 + mod(abs(hashtext(c.n::text || ':' || k)), 40) AS nights,
        mod(abs(hashtext(k::text || ':' || c.n)), {len(EXITS)}) AS exit_n
    FROM c JOIN b ON b.i = mod(c.n, %(beds)s)
    CROSS JOIN generate_series(0, {STAYS_PER_CLIENT - 1}) AS k
)
INSERT INTO shelters_stay (
    client_id, subject_id, facility_id, bed_id, started_at, ended_at, ended_on, night_of,
    last_night, last_seen_on, exit_destination, notes, override_reason, checked_in_by_id,
    checked_out_by_id
)
SELECT g.client_id, g.client_id, g.facility_id, g.bed_id,
    (g.night_of + time '18:00') AT TIME ZONE %(zone)s,
    (g.night_of + g.nights + time '08:00') AT TIME ZONE %(zone)s,
    g.night_of + g.nights, g.night_of, g.night_of + g.nights - 1, g.night_of + g.nights,
    (ARRAY{EXITS!r})[g.exit_n + 1], s.notes, s.override, %(user)s, %(user)s
FROM g JOIN bench_seal s ON s.client_id = g.client_id
"""

STEPS_SQL = f"""
INSERT INTO cases_pathwaystep (client_id, stage, "on", source, recorded_by_id)
SELECT object_id::uuid, (ARRAY{STAGES!r})[1 + mod(substring(ref from 2)::int / 10 + k, 6)],
    date '2023-01-01' + mod(substring(ref from 2)::int * 17 + k * 200, 1100), 'manual', %(user)s
FROM reports_externalref CROSS JOIN generate_series(0, 2) AS k
WHERE kind = 'client' AND mod(substring(ref from 2)::int, 10) = 0
"""


def timed(label: str, work, repeat: int = 1, aim: float | None = None):
    """Best wall time and best CPU time of this process over `repeat` runs."""
    best, best_cpu, result = None, None, None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = work()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        best = elapsed if best is None else min(best, elapsed)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    verdict = ""
    if aim is not None:
        verdict = f"   aim < {aim:g} s: {'met' if best < aim else 'MISSED'}"
    print(f"  {label}: {best:.2f} s wall, {best_cpu:.2f} s CPU{verdict}", flush=True)
    return result


def _checked_constraints(cursor) -> list[tuple[str, str]]:
    """The stays' exclusion constraints and foreign keys, checked row by row on insert."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'shelters_stay'::regclass AND contype IN ('x', 'f') ORDER BY contype"
    )
    return cursor.fetchall()


def build(clients: int, user, organisation, *, imported: bool = False) -> None:
    """The data; `imported`: the import's part was done by an earlier run (BENCH_RESUME)."""
    from django.conf import settings
    from django.db import connection, transaction

    from reports.importing import import_records

    if not imported:
        with tempfile.TemporaryDirectory() as folder:
            counts = write_csv(Path(folder), clients)
            print(
                "  files: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()), flush=True
            )
            steps = split_for_import(Path(folder))

            def import_all():
                for step in steps:
                    import_records(directory=step, by=user, organisation=organisation)

            timed(
                f"import_records in {len(steps)} steps (facilities, beds, clients, programmes, "
                "enrolments, placements, follow-ups)",
                import_all,
            )
    with transaction.atomic(), connection.cursor() as cursor:
        timed("empty notes sealed per client", lambda: seal_empty_notes(cursor))
        constraints = _checked_constraints(cursor)
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE shelters_stay DROP CONSTRAINT "{name}"')
        beds = facilities_for(clients) * BEDS
        values = {"beds": beds, "zone": settings.TIME_ZONE, "user": user.pk}
        timed("stays inserted", lambda: cursor.execute(STAYS_SQL, values))
        for name, definition in constraints:
            timed(
                f"constraint {name} added back (checks every stay)",
                lambda name=name, definition=definition: cursor.execute(
                    f'ALTER TABLE shelters_stay ADD CONSTRAINT "{name}" {definition}'
                ),
            )
        timed("pathway steps inserted", lambda: cursor.execute(STEPS_SQL, {"user": user.pk}))
        # The raw INSERT sends no signal: every client's episodes, built set-based.
        from reports.episodes import episodes_rebuild

        timed("episodes rebuilt (reports_episode)", episodes_rebuild)
    with connection.cursor() as cursor:
        # As autovacuum does after a bulk insert: the visibility map lets the report read its
        # covering index alone (shelters_stay_report).
        timed("VACUUM ANALYZE", lambda: cursor.execute("VACUUM ANALYZE"))
        cursor.execute("SELECT COUNT(*) FROM shelters_stay")
        print(f"  stays: {cursor.fetchone()[0]:,}", flush=True)


def measure(repeat: int) -> None:
    from reports import measures
    from reports.services import report_for
    from reports.sql import EVERYTHING, FAR, dialect

    year = {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 12, 31)}
    print(f"load average {os.getloadavg()[0]:.1f} before the report", flush=True)
    report = timed(
        "full report of 2025 (outcome_report, raw)",
        lambda: measures.outcome_report(**year),
        repeat=repeat,
        aim=AIM_SECONDS,
    )
    print(
        f"  (2025: {report['clients_served']['total']:,} clients served, "
        f"{report['bed_nights']['total']:,} bed-nights, "
        f"{report['length_of_stay']['count']:,} episodes ended)",
        flush=True,
    )
    d = dialect()
    values = {**year, "far": FAR, "using": "default"}

    def in_report(work):
        # Each measure alone, in the report's own session settings (work_mem, no JIT on
        # PostgreSQL), as outcome_report runs it.
        with measures._episodes_once(d, using="default"):
            return work()

    for name in (
        "clients_served",
        "bed_nights",
        "occupancy",
        "episode_measures",  # length of stay, exits and returns: one statement
        "first_time",
        "programmes",
    ):
        timed(
            f"  {name}",
            lambda name=name: in_report(lambda: getattr(measures, name)(d, **values)),
            repeat=repeat,
        )
    for name in ("employment", "ladder", "assessment_change"):
        timed(
            f"  {name}",
            lambda name=name: in_report(lambda: getattr(measures, name)(**values)),
            repeat=repeat,
        )
    timed("dashboard, first computation (suppressed)", lambda: report_for(**year, scope=EVERYTHING))
    timed("dashboard, cached", lambda: report_for(**year, scope=EVERYTHING), repeat=5)
    print(f"load average {os.getloadavg()[0]:.1f} at the end", flush=True)


KEPT = ("DATABASE_URL", "SECRET_KEY", "PRZYSTAN_KEKS", "PRZYSTAN_INDEX_KEY", "PRZYSTAN_AUDIT_KEY")


def _keys_file() -> Path:
    default = Path(tempfile.gettempdir()) / "przystan-bench-report-keys.json"
    return Path(os.environ.get("BENCH_KEYS_FILE", default))


def measure_again(repeat: int) -> None:
    """BENCH_MEASURE_ONLY: the kept database, migrated, measured with the kept run's keys."""
    from bench import env as bench_env

    env = bench_env.prepare_existing(json.loads(_keys_file().read_text()))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    # Migrations added since the kept run (reports 0005 builds the episodes of every stay).
    timed("migrate", lambda: call_command("migrate", verbosity=0))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM shelters_stay")
        stays = cursor.fetchone()[0]
        cursor.execute("VACUUM ANALYZE")
    print(f"{env.database_url}: {stays:,} stays, measured again", flush=True)
    measure(repeat)


def resume(clients: int, repeat: int) -> None:
    """BENCH_RESUME: a kept database whose import finished (the run stopped after it): the
    stays, the steps and the measures, with the kept run's keys."""
    from bench import env as bench_env

    bench_env.prepare_existing(json.loads(_keys_file().read_text()))
    import django

    django.setup()
    from accounts.models import User

    user = User.objects.get(username="importer")
    started = time.perf_counter()
    build(clients, user, user.organisation, imported=True)
    print(f"  data built (after the import) in {time.perf_counter() - started:.0f} s", flush=True)
    from django.core.management import call_command
    from django.db import connection

    # Migrations added since the kept run began (indexes), built over the stays now there.
    timed("migrate", lambda: call_command("migrate", verbosity=0))
    with connection.cursor() as cursor:
        timed("VACUUM ANALYZE", lambda: cursor.execute("VACUUM ANALYZE"))
    measure(repeat)


def main() -> None:
    from bench import env as bench_env

    if not os.environ.get("BENCH_DATABASE_URL", "").startswith(("postgres:", "postgresql:")):
        raise SystemExit("bench/report_scale.py runs on PostgreSQL: set BENCH_DATABASE_URL.")
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeat = int(os.environ.get("BENCH_REPEAT", "2"))
    if os.environ.get("BENCH_MEASURE_ONLY"):
        measure_again(repeat)
        return
    if os.environ.get("BENCH_RESUME"):
        resume(clients, repeat)
        return
    # Keys stay cached for an hour (the most the setting allows): see split_for_import.
    os.environ["PRZYSTAN_DEK_CACHE_SECONDS"] = "3600"
    env = bench_env.prepare()
    if os.environ.get("BENCH_KEEP_DATABASE"):
        _keys_file().write_text(json.dumps({name: os.environ[name] for name in KEPT}))
        _keys_file().chmod(0o600)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        from accounts.models import Organisation, User

        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        print(f"{version}, {clients:,} clients, load average {os.getloadavg()[0]:.1f}", flush=True)
        organisation = Organisation.objects.create(name="Fundacja", kind="foundation")
        user = User.objects.create(username="importer", organisation=organisation)
        started = time.perf_counter()
        build(clients, user, organisation)
        print(f"  data built in {time.perf_counter() - started:.0f} s", flush=True)
        measure(repeat)
    finally:
        if os.environ.get("BENCH_KEEP_DATABASE"):
            # For EXPLAIN ANALYZE afterwards (the keys die with the process: SQL only).
            print(f"kept: {env.database_url}")
        else:
            bench_env.cleanup(env)


if __name__ == "__main__":
    # Run as a script: the project on the path (imported as a module, nothing happens here).
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
