"""4. What the access log costs: one append, and one client page view with and without it.

- access_log_write: one call in autocommit (its own transaction, as in a view): lock the chain
  head, compute the HMAC, insert the row, update the head, commit.
- the page: GET /clients/<id>/ through django.test.Client, logged in as a social worker whose
  caseload holds the client (all middleware, guardian's permission query, the template). The
  same views run with cases.access.access_log_write replaced by a no-op, alternating request by
  request, so drift on a busy machine hits both alike. The median of the paired differences
  (each logged view minus the unlogged view next to it) is the log's share of a page view.
- the disk: an fsync of 4 kB written to a file next to the data (PRZYSTAN_VAR_DIR), probed
  before the writes and before the views. A commit waits for fsyncs (SQLite in its default
  rollback-journal mode for several, PostgreSQL for its WAL), so on a shared disk the log's
  cost moves with the disk's latency.
"""

import os
import random
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

import cases.access
from accounts.models import Organisation, User
from accounts.roles import Role
from audit.services import access_log_write
from cases.models import Client

from .data import person
from .measure import percentile, timed_ms


@dataclass
class AccessLogResult:
    size: int
    write_ms: list[float]
    view_ms_logged: list[float]
    view_ms_unlogged: list[float]
    queries_logged: int
    queries_unlogged: int
    fsync_ms: list[float]

    def share(self, q: float = 50) -> float:
        """Percentile of the paired differences: each logged view minus its unlogged twin."""
        return percentile(
            [a - b for a, b in zip(self.view_ms_logged, self.view_ms_unlogged, strict=True)], q
        )


def fsync_probe(count: int = 20) -> list[float]:
    """Milliseconds of each fsync of 4 kB appended to a file in the var dir."""
    path = os.path.join(settings.VAR_DIR, "fsync-probe")
    found = []
    try:
        with open(path, "wb") as probe:
            for _ in range(count):
                probe.write(os.urandom(4096))
                probe.flush()
                start = time.perf_counter_ns()
                os.fsync(probe.fileno())
                found.append((time.perf_counter_ns() - start) / 1e6)
    finally:
        os.remove(path)
    return found


def _social_worker() -> User:
    user = User.objects.filter(username="bench-worker").first()
    if user is None:
        organisation, _ = Organisation.objects.get_or_create(
            name="Fundacja Benchmarkowa", defaults={"kind": Organisation.Kind.FOUNDATION}
        )
        user = User.objects.create_user(username="bench-worker", organisation=organisation)
        user.groups.set([Group.objects.get(name=Role.SOCIAL_WORKER)])
    return User.objects.get(pk=user.pk)


def _caseload(user: User, size: int, count: int) -> list[uuid.UUID]:
    """`count` random clients put in the worker's caseload (object permission to view)."""
    rng = random.Random(size)
    ids = [person(i).subject_id for i in rng.sample(range(size), min(count, size))]
    assign_perm("cases.view_client", user, Client.objects.filter(pk__in=ids))
    return ids


def run(size: int, *, writes: int = 300, views: int = 150) -> AccessLogResult:
    user = _social_worker()
    ids = _caseload(user, size, 50)

    fsyncs = fsync_probe()
    request = RequestFactory().get("/clients/")
    request.request_id = uuid.uuid4().hex
    write_ms = []
    for k in range(writes + 10):
        ms, _ = timed_ms(
            lambda k=k: access_log_write(
                actor=user, action="view", subject_id=ids[k % len(ids)], request=request
            )
        )
        if k >= 10:  # the first calls warm up
            write_ms.append(ms)

    fsyncs += fsync_probe()
    http = HttpClient()
    http.force_login(user)
    real = cases.access.access_log_write

    def no_log(**kwargs):
        return None

    def view(client_id, *, logged: bool) -> float:
        cases.access.access_log_write = real if logged else no_log
        try:
            ms, response = timed_ms(lambda: http.get(f"/clients/{client_id}/"))
        finally:
            cases.access.access_log_write = real
        if response.status_code != 200:
            raise RuntimeError(f"client page answered {response.status_code}")
        return ms

    for client_id in ids[:10]:  # warm up templates, URL resolvers, the session
        view(client_id, logged=True)
        view(client_id, logged=False)
    logged, unlogged = [], []
    for k in range(views):
        client_id = ids[k % len(ids)]
        first_logged = k % 2 == 0
        for is_logged in (first_logged, not first_logged):
            (logged if is_logged else unlogged).append(view(client_id, logged=is_logged))

    counts = {}
    for is_logged in (True, False):
        with CaptureQueriesContext(connection) as queries:
            view(ids[0], logged=is_logged)
        counts[is_logged] = len(queries)
    return AccessLogResult(
        size=size,
        write_ms=write_ms,
        view_ms_logged=logged,
        view_ms_unlogged=unlogged,
        queries_logged=counts[True],
        queries_unlogged=counts[False],
        fsync_ms=fsyncs,
    )
