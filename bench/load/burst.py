"""A burst of sign-ins beside the bed board (issue 14, item 2): does the board stall?

`python -m bench.load.burst BASE_URL` (bench/load/run.sh runs it with LOAD_CLIENT=burst, once per
gunicorn configuration of LOAD_BURST_CONFIGS). Nothing of Django is imported: this is a client.

Six shelter-staff sessions, signed in first, ask for the board as htmx does (one request, a
fifth of a second's pause, again), and one anonymous client asks for the sign-in page the same
way. After BURST_QUIET seconds of that alone, BURST_SIGN_INS people sign in at the same moment
(each its own session: the page, then the password, Argon2 on the server), then BURST_QUIET
seconds more. Printed: the board's and the sign-in page's times while quiet and during the
burst (from its first sign-in sent to its last answered), and the sign-ins' own times.
"""

import os
import re
import sys
import threading
import time

import requests

PASSWORD = "przystan-demo-2026"  # noqa: S105  (the published demo password, demo data only)
# Demo users without a required second factor (accounts/second_factor.py).
PEOPLE = ["schronisko", "pracownik", "pracownik2", "pracownik3", "trener"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(base: str, username: str) -> tuple[requests.Session, float]:
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=60)
    token = CSRF.search(page.text).group(1)
    started = time.perf_counter()
    response = session.post(
        f"{base}/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        timeout=60,
    )
    took = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or "/login/" in response.url:
        raise RuntimeError(f"{username} could not sign in ({response.status_code})")
    return session, took


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main(base: str) -> None:
    quiet = float(os.environ.get("BURST_QUIET", "10"))
    count = int(os.environ.get("BURST_SIGN_INS", "20"))
    pollers = int(os.environ.get("BURST_POLLERS", "6"))
    facility = os.environ.get("BURST_FACILITY", "2")
    samples: list[tuple[str, float, float]] = []  # (kind, sent at, ms)
    stop = threading.Event()

    def poll(session: requests.Session, path: str, kind: str, headers: dict) -> None:
        while not stop.is_set():
            sent = time.perf_counter()
            response = session.get(f"{base}{path}", headers=headers, timeout=60)
            samples.append((kind, sent, (time.perf_counter() - sent) * 1000))
            if response.status_code != 200:
                samples.append((f"{kind} errors", sent, 0.0))
            time.sleep(0.2)

    threads = []
    for n in range(pollers):
        session, _ = sign_in(base, "schronisko")
        path = f"/shelters/{facility}/"
        threads.append(
            threading.Thread(
                target=poll,
                args=(session, path, "board (htmx)", {"HX-Request": "true"}),
                name=f"p{n}",
            )
        )
    threads.append(
        threading.Thread(target=poll, args=(requests.Session(), "/login/", "sign-in page", {}))
    )
    for thread in threads:
        thread.start()
    time.sleep(quiet)

    sign_ins: list[float] = []
    failures: list[str] = []
    gate = threading.Barrier(count)

    def one(n: int) -> None:
        gate.wait()
        try:
            _, took = sign_in(base, PEOPLE[n % len(PEOPLE)])
            sign_ins.append(took)
        except (RuntimeError, requests.RequestException) as error:
            failures.append(str(error))

    burst = [threading.Thread(target=one, args=(n,)) for n in range(count)]
    burst_start = time.perf_counter()
    for thread in burst:
        thread.start()
    for thread in burst:
        thread.join()
    burst_end = time.perf_counter()
    time.sleep(quiet)
    stop.set()
    for thread in threads:
        thread.join()

    print(
        f"{count} sign-ins at once: the burst lasted {burst_end - burst_start:.1f} s;"
        f" each sign-in p50 {percentile(sign_ins, 50):.0f} ms, max {max(sign_ins or [0]):.0f} ms,"
        f" {len(failures)} failed"
    )
    print(f"{'':<14} {'when':<7} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for kind in ("board (htmx)", "sign-in page"):
        for when, inside in (("quiet", False), ("burst", True)):
            times = [
                ms
                for k, sent, ms in samples
                if k == kind and (burst_start <= sent <= burst_end) == inside
            ]
            print(
                f"{kind:<14} {when:<7} {len(times):>6} {percentile(times, 50):>7.0f}"
                f" {percentile(times, 95):>7.0f} {max(times or [0]):>7.0f}"
            )
    errors = sum(1 for k, _, _ in samples if k.endswith("errors")) + len(failures)
    print(f"errors: {errors}; load average {os.getloadavg()[0]:.1f}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main(sys.argv[1])
