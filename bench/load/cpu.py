"""Sample the CPU of the servers under test until stopped (bench/load/run.sh runs it).

`python -m bench.load.cpu OUT.json DBNAME PID [PID ...]`: every second, the CPU seconds of each
gunicorn master PID and its workers, and of the PostgreSQL backends serving DBNAME (their
command line names the database); on SIGTERM or SIGINT writes the totals, the machine's busy
share of its cores (/proc/stat) and its load average at the start and the end, to OUT.json.
"""

import json
import os
import signal
import sys
import time

import psutil


def _machine_busy() -> tuple[float, float]:
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [float(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _ours(masters: list[int], database: str) -> dict[int, psutil.Process]:
    found = {}
    for pid in masters:
        try:
            master = psutil.Process(pid)
        except psutil.NoSuchProcess:
            continue
        found[pid] = ("gunicorn", master)
        for child in master.children(recursive=True):
            found[child.pid] = ("gunicorn", child)
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if process.info["name"] == "postgres" and f" {database} " in f"{cmdline} ":
            found[process.pid] = ("postgres", process)
    return found


def main(out: str, database: str, masters: list[int]) -> None:
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    first: dict[int, float] = {}
    last: dict[int, tuple[str, float]] = {}
    load_start = os.getloadavg()
    busy0, total0 = _machine_busy()
    started = time.monotonic()
    while not stop:
        for pid, (kind, process) in _ours(masters, database).items():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            used = times.user + times.system
            # A process seen first mid-run started mid-run (a new connection): count it all.
            first.setdefault(pid, used if time.monotonic() - started < 1.5 else 0.0)
            last[pid] = (kind, used)
        time.sleep(1)
    wall = time.monotonic() - started
    busy1, total1 = _machine_busy()
    cpu = {"gunicorn": 0.0, "postgres": 0.0}
    for pid, (kind, used) in last.items():
        cpu[kind] += used - first[pid]
    summary = {
        "seconds": wall,
        "cpu_seconds": cpu,
        "cores": os.cpu_count(),
        "machine_busy_share": (busy1 - busy0) / max(total1 - total0, 1),
        "load_start": load_start,
        "load_end": os.getloadavg(),
    }
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(summary, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], [int(pid) for pid in sys.argv[3:]])
