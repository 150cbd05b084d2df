"""The password hasher: Argon2id at parameters chosen for our servers (docs/operations.md).

Django's default Argon2 (100 MiB, two passes, eight lanes) costs about 0.2 s of CPU spread over
eight threads on an idle two-core server, and 0.7 s of a worker's time when the cores are busy:
long enough for a burst of sign-ins to stall the bed board. We take OWASP's first recommended
setting instead: 46 MiB, one pass, one lane (about 50 ms of one core). One lane because a sign-in
spread over both cores slows every page being served at the same moment, and an attacker with many
cores gains nothing from our lanes anyway.

A hash made with other parameters still verifies; Django sees `must_update` and rewrites it with
these at the next successful sign-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PrzystanArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m=46 MiB, t=1, p=1 (OWASP's first option); the algorithm name stays `argon2`."""

    time_cost = 1
    memory_cost = 47104  # KiB: 46 MiB
    parallelism = 1
