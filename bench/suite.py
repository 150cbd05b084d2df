"""The benchmark proper, once Django is set up: run each part per size and print the figures."""

import os
import sqlite3
import statistics
import sys
import time

import cryptography
import django
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bench import accesslog, data, fieldcost, rotation, search
from bench.measure import Stopwatch, percentile
from bench.report import count, heading, num, subheading, table
from privacy import vault

AIM_SEARCH_MS = 5.0
AIM_SCAN_RATIO = 1000
AIM_ROTATION_S = 10.0
AIM_LOG_MS = 2.0


def say(text: str = "") -> None:
    print(text, flush=True)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def _database(env) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            sync = cursor.fetchone()[0]
            return (
                f"PostgreSQL {version} (synchronous_commit {sync}), database {env.pg_name} "
                "(dropped at the end)"
            )
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cursor.fetchone()[0], "?")
    return (
        f"SQLite {sqlite3.sqlite_version} (journal_mode {journal}, synchronous {sync}), "
        f"file {env.sqlite_path} (deleted at the end)"
    )


def _header(env, *, sizes, auto_large, budget_1m, load, now, host) -> None:
    say(heading("Przystań: vault and access-log benchmarks"))
    planned = ", ".join(count(s) for s in sizes) + " clients"
    if auto_large:
        planned += f"; {count(auto_large)} skipped (estimated over {budget_1m} s, see the end)"
    rows = [
        ["date", now.strftime("%Y-%m-%d %H:%M UTC")],
        ["machine", f"{host}: {_cpu_model()}"],
        ["load", "load average at start {:.2f} / {:.2f} / {:.2f} (1/5/15 min)".format(*load)],
        [
            "software",
            f"Python {sys.version.split()[0]}, Django {django.get_version()}, "
            f"cryptography {cryptography.__version__}",
        ],
        ["database", _database(env)],
        [
            "settings",
            f"blind-index bits {settings.PRZYSTAN_BLIND_INDEX_BITS}, "
            f"DEK cache {settings.PRZYSTAN_DEK_CACHE_SECONDS} s / "
            f"{count(vault.cache.max_entries)} keys, DEBUG {settings.DEBUG}",
        ],
        ["sizes", planned],
    ]
    for name, value in rows:
        say(f"{name:<9} {value}")


def _print_fieldcost(results) -> None:
    say(subheading("1. One field value: seal and open (µs per call, best of 7 runs)"))
    say(
        table(
            [
                "value",
                "label",
                "plain B",
                "sealed B",
                "raw encrypt",
                "raw decrypt",
                "field seal",
                "field open",
                "open, cold key",
            ],
            [
                [
                    r.what,
                    r.label,
                    count(r.plain_bytes),
                    count(r.sealed_bytes),
                    num(r.raw_encrypt),
                    num(r.raw_decrypt),
                    num(r.seal),
                    num(r.open),
                    num(r.open_cold),
                ]
                for r in results
            ],
            align="llrrrrrrr",
        )
    )
    say(
        "  raw = privacy.crypto.encrypt/decrypt, key in hand; field seal = Field.pre_save "
        "(vault.encrypt_value, key cached);\n  field open = attribute of a loaded row (key "
        "cached); cold key = key cache cleared first (DataKey query + unwrap)."
    )


class Stage:
    """What one size's run measured, and how long its parts took (for the 1M estimate)."""

    def __init__(self, size: int):
        self.size = size
        self.load = os.getloadavg()[0]
        self.written = 0
        self.write_seconds = 0.0
        self.sanity = (0, 0)
        self.search = None
        self.search_seconds = 0.0
        self.rotation = None
        self.access = None
        self.access_seconds = 0.0


class Progress:
    """Short progress lines on stderr while the figures are gathered."""

    def __init__(self, started: float):
        self.started = started

    def __call__(self, text: str) -> None:
        elapsed = int(time.perf_counter() - self.started)
        print(f"[{elapsed // 60:3d}:{elapsed % 60:02d}] {text}", file=sys.stderr, flush=True)


def _write(stage: Stage, start: int, progress: Progress) -> None:
    size = stage.size
    last = [time.perf_counter()]

    def tick(done: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 30:
            progress(f"{count(size)}: {count(done)} clients written")
            last[0] = now

    with Stopwatch() as sw:
        data.write_clients(start, size, progress=tick)
    stage.written = size - start
    stage.write_seconds = sw.seconds
    stage.sanity = data.sanity_check(size)
    progress(
        f"{count(size)}: {count(stage.written)} clients written in {num(sw.seconds)} s; "
        f"sanity {stage.sanity[0]}/{stage.sanity[1]}"
    )


def _print_data(stages: dict) -> None:
    say(subheading("Synthetic data (Subject + DataKey + Client rows by bulk_create)"))
    rows = []
    for stage in stages.values():
        good, tried = stage.sanity
        rows.append(
            [
                count(stage.size),
                count(stage.written),
                num(stage.write_seconds),
                count(round(stage.written / stage.write_seconds)),
                f"{good}/{tried} {'ok' if good == tried else 'FAILED'}",
                f"{stage.load:.1f}",
            ]
        )
    say(
        table(
            ["clients", "added", "seconds", "clients/s", "sanity check", "load avg"],
            rows,
            align="rrrrlr",
        )
    )
    say(
        "  No history rows for the bulk data. Sanity check: random rows open to their generated"
        " values and\n  client_search finds them by PESEL and by surname + first name. load avg"
        " = 1-minute load\n  average when the size started (2 CPUs: above 2, other processes "
        "compete with the benchmark)."
    )


_KINDS = [("pesel", "PESEL"), ("name", "surname + first name")]


def _print_search(stages: dict, *, lookups: int, misses: int) -> None:
    say(subheading("2. Finding a person: cases.selectors.client_search (ms per lookup)"))
    rows = []
    for stage in stages.values():
        for kind, label in _KINDS:
            t = stage.search.by_kind[kind]
            rows.append(
                [
                    count(stage.size),
                    label,
                    count(len(t.cold)),
                    num(percentile(t.cold, 50)),
                    num(percentile(t.cold, 95)),
                    num(percentile(t.warm, 50)),
                    num(percentile(t.warm, 95)),
                    f"{num(statistics.fmean(t.candidates), 1)} / {max(t.candidates)}",
                    str(t.wrong),
                ]
            )
    say(
        table(
            [
                "clients",
                "by",
                "lookups",
                "p50 cold",
                "p95 cold",
                "p50 warm",
                "p95 warm",
                "candidates mean/max",
                "wrong",
            ],
            rows,
            align="rlrrrrrrr",
        )
    )
    say(
        f"  {lookups} existing people + {misses} absent ones per size and kind. cold = key cache "
        "cleared before the lookup;\n  warm = the same lookup again at once. candidates = rows "
        "sharing the blind-index value (all decrypted)."
    )
    rows = []
    for stage in stages.values():
        for kind, label in _KINDS:
            scans = stage.search.scan_ms[kind]
            scan = percentile(scans, 50)
            rows.append(
                [
                    count(stage.size),
                    label,
                    str(len(scans)),
                    num(scan),
                    num(max(scans)),
                    f"{num(scan / stage.search.p(kind, 'cold', 50))}×",
                    f"{num(scan / stage.search.p(kind, 'warm', 50))}×",
                ]
            )
    say("\n  Naive scan: every client loaded (.with_keys(), pages of 5,000), decrypted, compared")
    say(
        table(
            ["clients", "by", "runs", "p50 ms", "max ms", "scan/search cold", "scan/search warm"],
            rows,
            align="rlrrrrr",
        )
    )
    wrong = sum(stage.search.scan_wrong for stage in stages.values())
    if wrong:
        say(f"  WARNING: {wrong} scans missed their target")


def _print_rotation(stages: dict) -> None:
    say(subheading("3. KEK rotation: privacy.services.kek_rotate to a new KEK"))
    rows = []
    for stage in stages.values():
        r = stage.rotation
        if r is None:
            rows.append([count(stage.size), "not run", "", "", "", "", "", ""])
            continue
        rows.append(
            [
                count(stage.size),
                count(r.subjects),
                num(r.seconds),
                count(round(r.per_second)),
                num(r.first_batches_ms),
                num(r.last_batches_ms),
                num(r.verify_seconds),
                "yes" if r.all_on_new_kek else "NO",
            ]
        )
    say(
        table(
            [
                "clients",
                "rewrapped",
                "seconds",
                "subjects/s",
                "batch ms, first 10",
                "batch ms, last 10",
                "verify_keys s",
                "all on new KEK",
            ],
            rows,
            align="rrrrrrrl",
        )
    )
    say(
        "  Batches of 1,000 keys, each committed; batch ms = median time of one batch of the "
        "first / last ten.\n  Timed at sizes up to BENCH_ROTATION_MAX (default 100,000)."
    )


def _print_access(stages: dict) -> None:
    say(subheading("4. Access log: audit.services.access_log_write and a client page view (ms)"))
    rows = []
    for stage in stages.values():
        a = stage.access
        rows.append(
            [
                count(stage.size),
                num(percentile(a.write_ms, 50)),
                num(percentile(a.write_ms, 95)),
                num(percentile(a.view_ms_logged, 50)),
                num(percentile(a.view_ms_unlogged, 50)),
                num(a.share(50)),
                num(a.share(95)),
                f"{a.queries_logged} / {a.queries_unlogged}",
                num(percentile(a.fsync_ms, 50)),
            ]
        )
    say(
        table(
            [
                "clients",
                "write p50",
                "write p95",
                "view p50 logged",
                "view p50 no log",
                "log's share p50",
                "share p95",
                "SQL queries",
                "disk fsync p50",
            ],
            rows,
            align="rrrrrrrrr",
        )
    )
    stage = next(iter(stages.values()))
    say(
        f"  write: {len(stage.access.write_ms)} calls, each its own transaction (commit included)."
        f" view: GET /clients/<id>/\n  as a social worker, {len(stage.access.view_ms_logged)} "
        "views with the log and as many with cases.access.access_log_write\n  replaced by a "
        "no-op, alternating; log's share = percentile of (logged view - the unlogged view\n  "
        "next to it); SQL queries of one view with / without the log; disk fsync = one fsync"
        "\n  of 4 kB next to the data (a commit waits for fsyncs: this is the disk's part)."
    )


def _run_size(size: int, start: int, *, lookups, misses, scans, rotate, progress) -> Stage:
    stage = Stage(size)
    _write(stage, start, progress)
    with Stopwatch() as sw:
        stage.search = search.run(size, hits=lookups, misses=misses, scans=scans)
    stage.search_seconds = sw.seconds
    s = stage.search
    progress(
        f"{count(size)}: search p50 cold PESEL {num(s.p('pesel', 'cold', 50))} ms, name "
        f"{num(s.p('name', 'cold', 50))} ms; scan p50 "
        f"{num(percentile(s.scan_ms['pesel'] + s.scan_ms['name'], 50))} ms ({num(sw.seconds)} s)"
    )
    if rotate:
        stage.rotation = rotation.run(size)
        progress(f"{count(size)}: KEK rotation {num(stage.rotation.seconds)} s")
    with Stopwatch() as sw:
        stage.access = accesslog.run(size)
    stage.access_seconds = sw.seconds
    progress(
        f"{count(size)}: access log write p50 {num(percentile(stage.access.write_ms, 50))} ms, "
        f"view share {num(stage.access.share(50))} ms"
    )
    return stage


def _estimate(stage: Stage, target: int, scans: int, rotate: bool) -> dict:
    """Seconds the `target` size would take, extrapolated linearly from `stage`."""
    write_rate = stage.written / stage.write_seconds
    all_scans = stage.search.scan_ms["pesel"] + stage.search.scan_ms["name"]
    scan_per_row = statistics.median(all_scans) / 1000 / stage.size
    parts = {
        "writing": (target - stage.size) / write_rate,
        "scans": 2 * scans * scan_per_row * target,
        "rotation": stage.rotation.seconds / stage.size * target
        if rotate and stage.rotation
        else 0.0,
        "lookups and page views": stage.search_seconds
        - sum(all_scans) / 1000
        + stage.access_seconds,
    }
    parts["total"] = sum(parts.values())
    return parts


def _aims(stages: dict[int, Stage], skipped_note: str | None) -> None:
    say(heading('Aims (issue "The vault and the audit trail", "Numbers to reach")'))
    rows = []

    def search_row(size: int):
        stage = stages.get(size)
        if stage is None:
            return [f"search p50 < {num(AIM_SEARCH_MS)} ms at {count(size)}", "not run", "-"]
        figures, met_cold, met_warm = [], True, True
        for kind, label in (("pesel", "PESEL"), ("name", "name")):
            cold = stage.search.p(kind, "cold", 50)
            warm = stage.search.p(kind, "warm", 50)
            figures.append(f"{label} {num(cold)} cold / {num(warm)} warm")
            met_cold &= cold < AIM_SEARCH_MS
            met_warm &= warm < AIM_SEARCH_MS
        verdict = "yes" if met_cold else "warm only" if met_warm else "no"
        return [
            f"search p50 < {num(AIM_SEARCH_MS)} ms at {count(size)}",
            "; ".join(figures),
            verdict,
        ]

    rows.append(search_row(100_000))
    rows.append(search_row(1_000_000))

    largest = max(stages)
    stage = stages[largest]
    ratios = []
    for kind, label in (("pesel", "PESEL"), ("name", "name")):
        scan = percentile(stage.search.scan_ms[kind], 50)
        ratios.append((label, scan / stage.search.p(kind, "cold", 50)))
    text = ", ".join(f"{label} {num(r)}×" for label, r in ratios)
    if largest >= 1_000_000:
        verdict = "yes" if all(r >= AIM_SCAN_RATIO for _, r in ratios) else "no"
        rows.append([f"search ≥ {AIM_SCAN_RATIO}× faster than a scan at 1,000,000", text, verdict])
    else:
        rows.append(
            [
                f"search ≥ {AIM_SCAN_RATIO}× faster than a scan at 1,000,000",
                f"not run; at {count(largest)} (cold): {text}",
                "-",
            ]
        )

    if 100_000 in stages and stages[100_000].rotation:
        r = stages[100_000].rotation
        rows.append(
            [
                f"KEK rotation of 100,000 subjects < {num(AIM_ROTATION_S)} s",
                f"{num(r.seconds)} s ({count(round(r.per_second))} subjects/s)",
                "yes" if r.seconds < AIM_ROTATION_S else "no",
            ]
        )
    else:
        rows.append([f"KEK rotation of 100,000 subjects < {num(AIM_ROTATION_S)} s", "not run", "-"])

    for size, stage in stages.items():
        a = stage.access
        share = a.share(50)
        rows.append(
            [
                f"access log < {num(AIM_LOG_MS)} ms per view ({count(size)})",
                f"page view +{num(share)} ms (median paired difference); "
                f"access_log_write p50 {num(percentile(a.write_ms, 50))} ms",
                "yes" if share < AIM_LOG_MS else "no",
            ]
        )
    say(table(["aim", "measured", "met"], rows, align="lll"))
    if skipped_note:
        say(f"\n{skipped_note}")


def run(
    *,
    env,
    sizes,
    auto_large,
    budget_1m,
    lookups,
    misses,
    scans_for,
    rotation_max,
    load,
    started,
    host,
    now,
):
    progress = Progress(started)
    auto_large_requested = auto_large
    with Stopwatch() as sw:
        call_command("migrate", interactive=False, verbosity=0)
        # DEBUG is off, so pages need the hashed static files, as in production.
        call_command("collectstatic", interactive=False, verbosity=0)
    setup_seconds = sw.seconds
    progress(f"migrate and collectstatic in {num(setup_seconds)} s")

    # One client first, for the per-field costs (section 1).
    data.write_clients(0, 1)
    field_costs = fieldcost.run()
    progress("per-field costs measured")

    stages: dict[int, Stage] = {}
    written = 1
    plan = list(sizes)
    skipped_note = None
    while plan:
        size = plan.pop(0)
        stage = _run_size(
            size,
            written,
            lookups=lookups,
            misses=misses,
            scans=scans_for(size),
            rotate=size <= rotation_max,
            progress=progress,
        )
        written = size
        stages[size] = stage
        if not plan and auto_large and auto_large > size:
            estimate = _estimate(
                stage, auto_large, scans_for(auto_large), rotate=auto_large <= rotation_max
            )
            detail = ", ".join(
                f"{name} {num(seconds)} s" for name, seconds in estimate.items() if name != "total"
            )
            if estimate["total"] <= budget_1m:
                progress(
                    f"{count(auto_large)}: estimated {num(estimate['total'])} s ({detail}), "
                    f"within the {budget_1m} s budget: running it"
                )
                plan.append(auto_large)
            else:
                skipped_note = (
                    f"{count(auto_large)} clients: SKIPPED. Extrapolated linearly from "
                    f"{count(size)} on this machine it would take about "
                    f"{num(estimate['total'] / 60)} min\n({detail}),\nover the "
                    f"{budget_1m} s budget (BENCH_BUDGET_1M). "
                    "Force it with BENCH_SIZES=10000,100000,1000000 make bench."
                )
                progress(f"{count(auto_large)} skipped (estimated {num(estimate['total'])} s)")
            auto_large = None

    _header(
        env,
        sizes=list(stages),
        auto_large=auto_large_requested if auto_large_requested not in stages else None,
        budget_1m=budget_1m,
        load=load,
        now=now,
        host=host,
    )
    say(f"setup     migrate and collectstatic in {num(setup_seconds)} s")
    _print_fieldcost(field_costs)
    _print_data(stages)
    _print_search(stages, lookups=lookups, misses=misses)
    _print_rotation(stages)
    _print_access(stages)
    _aims(stages, skipped_note)
    say(f"\nwhole run {num((time.perf_counter() - started) / 60)} min")
    return 0
