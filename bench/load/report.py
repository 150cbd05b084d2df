"""Print the load test's figures next to the aims of issue 14 (bench/load/run.sh runs it).

`python -m bench.load.report SUMMARY.json CPU.json USERS`: by kind of request, the count, the
50th, 95th and 99th percentiles, errors and requests a second; then the pages together (every
kind but the sign-in's Argon2 and second factor, done once a shift), the CPU of gunicorn and
PostgreSQL, and the machine's load. Exits 1 when any request failed.
"""

import json
import sys

# Issue 14: on this two-core machine, p95 of the pages under 300 ms for 60 users, under 600 ms
# for 100, and no errors.
AIMS = {60: 300, 100: 600}
SIGN_IN = {"sign-in (Argon2)", "second factor"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def line(name: str, times: list[float], errors: int, seconds: float) -> str:
    return (
        f"{name:<24} {len(times):>6} {percentile(times, 50):>7.0f} {percentile(times, 95):>7.0f}"
        f" {percentile(times, 99):>7.0f} {errors:>6} {len(times) / seconds:>7.2f}"
    )


def main(summary_path: str, cpu_path: str, users: int) -> int:
    with open(summary_path, encoding="utf-8") as handle:
        summary = json.load(handle)
    with open(cpu_path, encoding="utf-8") as handle:
        cpu = json.load(handle)
    times, failures = summary["times"], summary["failures"]
    seconds = cpu["seconds"]
    print(
        f"{'kind':<24} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'errors':>6} {'req/s':>7}"
    )
    for name in sorted(times):
        print(line(name, times[name], failures.get(name, 0), seconds))
    pages = [t for name, values in times.items() if name not in SIGN_IN for t in values]
    page_errors = sum(n for name, n in failures.items() if name not in SIGN_IN)
    everything = [t for values in times.values() for t in values]
    errors = sum(failures.values())
    print("-" * 64)
    print(line("pages (no sign-in)", pages, page_errors, seconds))
    print(line("all", everything, errors, seconds))
    print()
    print("outcomes:", ", ".join(f"{k} {v}" for k, v in sorted(summary["outcomes"].items())))
    requests = max(len(everything), 1)
    gunicorn, postgres = cpu["cpu_seconds"]["gunicorn"], cpu["cpu_seconds"]["postgres"]
    print(
        f"CPU over {seconds:.0f} s: gunicorn {gunicorn:.1f} s ({gunicorn / seconds:.2f} cores),"
        f" PostgreSQL {postgres:.1f} s ({postgres / seconds:.2f} cores);"
        f" {1000 * (gunicorn + postgres) / requests:.0f} ms of CPU a request"
    )
    print(
        f"machine: {cpu['cores']} cores {100 * cpu['machine_busy_share']:.0f}% busy (everyone's"
        f" work), load average {cpu['load_start'][0]:.1f} at the start, {cpu['load_end'][0]:.1f}"
        " at the end"
    )
    aim = AIMS.get(users)
    p95 = percentile(pages, 95)
    if aim is not None:
        verdict = "met" if p95 < aim and errors == 0 else "NOT met"
        print(
            f"aim for {users} users: pages p95 < {aim} ms, 0 errors: {verdict}"
            f" ({p95:.0f} ms, {errors} errors)"
        )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
