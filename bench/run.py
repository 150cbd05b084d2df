"""`make bench`: figures for the vault and the access log on synthetic clients.

Usage: .venv/bin/python -m bench.run   (from the repository root; `make bench` does this)

Environment knobs (all optional):
  BENCH_SIZES=10000,100000,1000000  sizes to run, exactly (default: 10,000 and 100,000, then
                                    1,000,000 only if the estimate fits BENCH_BUDGET_1M)
  BENCH_BUDGET_1M=360               seconds the automatic 1,000,000 step may take (estimated)
  BENCH_LOOKUPS=200                 existing people looked up per size and per kind of search
  BENCH_MISSES=20                   absent people looked up per size and per kind
  BENCH_SCANS=n                     naive scans per kind (default 5 up to 10,000, then 3)
  BENCH_ROTATION_MAX=100000         KEK rotation is timed at sizes up to this
  BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_przystan
                                    run on PostgreSQL; the database is created and dropped

The runner sets its own environment before Django is imported (fresh random keys, a temporary
SQLite file or the PostgreSQL database above, DEBUG off), migrates, writes the data, prints the
figures and deletes everything it made. docs/benchmarks.md explains each figure.
"""

import os
import platform
import sys
import time
from datetime import UTC, datetime

from bench import env as bench_env

AUTO_LARGE = 1_000_000
DEFAULT_SIZES = [10_000, 100_000]


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value.replace("_", ""))
    except ValueError:
        raise SystemExit(f"{name}={value!r} is not a whole number.") from None


def _sizes() -> tuple[list[int], bool]:
    """(sizes to run, whether 1,000,000 is added automatically when it fits)."""
    raw = os.environ.get("BENCH_SIZES", "").strip()
    if not raw:
        return DEFAULT_SIZES, True
    try:
        sizes = sorted({int(part.replace("_", "")) for part in raw.split(",") if part.strip()})
    except ValueError:
        raise SystemExit(f"BENCH_SIZES={raw!r}: give sizes like 10000,100000,1000000") from None
    if not sizes or sizes[0] < 100:
        raise SystemExit("BENCH_SIZES: each size must be at least 100 clients.")
    return sizes, False


def _scans_for(size: int) -> int:
    forced = _int_env("BENCH_SCANS", 0)
    if forced:
        return forced
    return 5 if size <= 10_000 else 3


def main() -> int:
    started = time.perf_counter()
    sizes, auto_large = _sizes()
    lookups = _int_env("BENCH_LOOKUPS", 200)
    misses = _int_env("BENCH_MISSES", 20)
    budget_1m = _int_env("BENCH_BUDGET_1M", 360)
    rotation_max = _int_env("BENCH_ROTATION_MAX", 100_000)
    load = os.getloadavg()
    env = bench_env.prepare()
    try:
        import django

        django.setup()
        from bench import suite

        return suite.run(
            env=env,
            sizes=sizes,
            auto_large=AUTO_LARGE if auto_large else None,
            budget_1m=budget_1m,
            lookups=lookups,
            misses=misses,
            scans_for=_scans_for,
            rotation_max=rotation_max,
            load=load,
            started=started,
            host=f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()})",
            now=datetime.now(UTC),
        )
    finally:
        bench_env.cleanup(env)


if __name__ == "__main__":
    sys.exit(main())
