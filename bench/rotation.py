"""3. KEK rotation: privacy.services.kek_rotate rewraps every data key under a new KEK.

A new KEK is put first in PRZYSTAN_KEKS (the old ones stay, so they still unwrap) and the key
ring is reloaded, as an operator would do before `manage.py rotate_kek`. The run is timed whole;
the time of each committed batch (1,000 keys) is kept to show whether batches slow down as the
rotation advances. `keys_verify` (what `manage.py verify_keys` runs) is timed after it.
"""

import os
import statistics
import time
from dataclasses import dataclass

from privacy import keys
from privacy.services import kek_rotate, keys_verify

from .env import random_key
from .measure import Stopwatch


@dataclass
class RotationResult:
    size: int
    subjects: int
    seconds: float
    first_batches_ms: float  # median of the first 10 batches
    last_batches_ms: float  # median of the last 10 batches
    verify_seconds: float
    all_on_new_kek: bool

    @property
    def per_second(self) -> float:
        return self.subjects / self.seconds if self.seconds else float("nan")


def add_kek() -> str:
    """Put a fresh KEK first in PRZYSTAN_KEKS (the old ones stay) and reload the ring."""
    ring = keys.kek_ring()
    new_id = f"bench-{len(ring.keys) + 1}"
    os.environ["PRZYSTAN_KEKS"] = f"{new_id}:{random_key()},{os.environ['PRZYSTAN_KEKS']}"
    keys.reload()
    return new_id


def run(size: int) -> RotationResult:
    to = add_kek()
    batch_ms = []
    subjects = 0
    start = previous = time.perf_counter()
    for done in kek_rotate(to=to):
        subjects = done
        now = time.perf_counter()
        batch_ms.append((now - previous) * 1000)
        previous = now
    seconds = time.perf_counter() - start
    with Stopwatch() as verify:
        report = keys_verify()
    return RotationResult(
        size=size,
        subjects=subjects,
        seconds=seconds,
        first_batches_ms=statistics.median(batch_ms[:10]) if batch_ms else float("nan"),
        last_batches_ms=statistics.median(batch_ms[-10:]) if batch_ms else float("nan"),
        verify_seconds=verify.seconds,
        all_on_new_kek=report.ok and report.by_kek.get(to, 0) == size,
    )
