"""Timing helpers: per-call costs of fast functions, and distributions of slower ones."""

import time
from collections.abc import Callable, Sequence


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between the nearest ranks."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def per_call_us(fn: Callable[[], object], *, calls: int, repeats: int = 7) -> float:
    """The best of `repeats` runs of the mean time of one call, in microseconds.

    The minimum (as timeit reports) is the figure least disturbed by other processes; on a
    shared machine the median of short runs moves with the neighbours' load.
    """
    fn()  # warm up (imports, caches)
    means = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for _ in range(calls):
            fn()
        means.append((time.perf_counter_ns() - start) / calls / 1000)
    return min(means)


def timed_ms(fn: Callable[[], object]) -> tuple[float, object]:
    """(milliseconds, result) of one call."""
    start = time.perf_counter_ns()
    result = fn()
    return (time.perf_counter_ns() - start) / 1e6, result


class Stopwatch:
    """with Stopwatch() as sw: ...; sw.seconds"""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
        return False
