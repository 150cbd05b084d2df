"""Access-log appends a second with concurrent writers on PostgreSQL (issue 14, item 3).

Usage: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
       .venv/bin/python -m bench.accesslog_concurrent        (or `make bench-accesslog`)

Knobs: BENCH_WRITERS=1,2,4,8 (writers at each step), BENCH_SECONDS=10 (each step's length),
PRZYSTAN_ACCESS_LOG_CHAINS (the log's chains; 8 by default on PostgreSQL, 1 is the old log).

Each writer is a process of its own (as gunicorn's workers are) with its own connection, calling
audit.services.access_log_write in autocommit, as a view does: lock a free chain head, seal the
row to the one before it in that chain, insert it, move the head, commit. An append waits for a
head's lock (held until the commit, its WAL flush included) only when every chain is busy, so no
chain can fork; the figures show what that costs. At the end every chain is checked end to end
(access_log_verify), so a fast result that broke a chain would not count.

The database is the benchmark's own (bench/env.py): created, migrated (the audit app and what it
needs), dropped at the end.
"""

import multiprocessing
import os
import statistics
import time
import uuid

from bench import env as bench_env


def _writer(seconds: float, ready, results) -> None:
    import django
    from django.db import connection

    django.setup()
    from audit.services import access_log_write

    connection.ensure_connection()
    latencies = []
    # Every writer set up and connected before the clock starts (Django's start is slow).
    ready.wait()
    end = time.time() + seconds
    while (now := time.perf_counter()) and time.time() < end:
        access_log_write(actor=None, action="view", subject_id=uuid.uuid4(), purpose="")
        latencies.append((time.perf_counter() - now) * 1000)
    connection.close()
    results.put(latencies)


def _step(writers: int, seconds: float) -> tuple[float, float, float]:
    """(appends a second, median ms, p95 ms) with `writers` processes for `seconds`."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    ready = context.Barrier(writers)
    processes = [
        context.Process(target=_writer, args=(seconds, ready, results)) for _ in range(writers)
    ]
    for process in processes:
        process.start()
    latencies = [ms for _ in processes for ms in results.get()]
    for process in processes:
        process.join()
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return len(latencies) / seconds, statistics.median(latencies), p95


def main() -> None:
    if not os.environ.get("BENCH_DATABASE_URL"):
        raise SystemExit("Set BENCH_DATABASE_URL to a PostgreSQL server (see the docstring).")
    env = bench_env.prepare()
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", "audit", verbosity=0)
        from django.conf import settings
        from django.db import connection

        from audit.models import AccessLogEntry
        from audit.verify import access_log_verify

        connection.close()
        writers = [int(n) for n in os.environ.get("BENCH_WRITERS", "1,2,4,8").split(",")]
        seconds = float(os.environ.get("BENCH_SECONDS", "10"))
        load = os.getloadavg()[0]
        print(f"access-log appends on PostgreSQL, {seconds:.0f} s a step, load average {load:.1f}")
        print(f"{'writers':>8} {'appends/s':>10} {'median ms':>10} {'p95 ms':>8}")
        for count in writers:
            rate, median, p95 = _step(count, seconds)
            print(f"{count:>8} {rate:>10.0f} {median:>10.1f} {p95:>8.1f}")
        rows = AccessLogEntry.objects.count()
        verification = access_log_verify(anchor_files=[])
        state = "intact" if verification.is_intact else f"BROKEN: {verification.broken}"
        chains = settings.PRZYSTAN_ACCESS_LOG_CHAINS
        used = ", ".join(f"{c.chain}: {c.entries}" for c in verification.chains if c.entries)
        print(f"{chains} chain(s) allowed; rows by chain {used}")
        print(f"log of {rows} rows, {verification.entries} verified: {state}")
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        bench_env.cleanup(env)


if __name__ == "__main__":
    main()
