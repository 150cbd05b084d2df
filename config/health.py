"""/healthz: is this app server fit to serve? For load balancers, monitors and systemd.

Three checks, each named in the answer and nothing else (no version, no host, no count, no
person): the database answers, the vault's keys are loaded and work, and every migration is
applied. The answer is 200 {"status": "ok"} or 503 {"status": "fail", "failed": [names]}.
It is public (a monitor has no account), reads no session, writes no access-log row, and is
cheap: one `SELECT 1` a call once the migrations were found applied (remembered per process).
"""

import logging
import os
import uuid

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.http import require_safe

from privacy import crypto, keys

logger = logging.getLogger(__name__)

# Set once this process saw no migration left to apply: migrations only change with a deploy,
# and a deploy restarts the processes. Until then each call loads the migration graph (~0.1 s).
_migrations_applied = False
# A subject id of zeros: the keys' round trip below binds to it and never meets a real one.
_PROBE_SUBJECT = uuid.UUID(int=0)


def database_reachable() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def keys_loaded() -> bool:
    """The KEKs, index key and audit key are configured and the current KEK wraps and unwraps."""
    if keys.check_all():
        return False
    try:
        ring = keys.kek_ring()
        kek = ring.get(ring.current)
        probe = os.urandom(32)
        wrapped = crypto.wrap_key(probe, kek=kek, kek_id=ring.current, subject_id=_PROBE_SUBJECT)
        unwrapped = crypto.unwrap_key(
            wrapped, kek=kek, kek_id=ring.current, subject_id=_PROBE_SUBJECT
        )
    except (ImproperlyConfigured, crypto.DecryptionError, ValueError):
        return False
    return unwrapped == probe


def migrations_applied() -> bool:
    global _migrations_applied
    if _migrations_applied:
        return True
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return False
    _migrations_applied = not plan
    return _migrations_applied


CHECKS = {
    "database": database_reachable,
    "keys": keys_loaded,
    "migrations": migrations_applied,
}


@require_safe
def healthz(request):
    failed = []
    for name, check in CHECKS.items():
        # The migrations cannot be read from a database that does not answer.
        if name == "migrations" and "database" in failed:
            failed.append(name)
            continue
        if not check():
            failed.append(name)
    if failed:
        # Names of checks only: what failed is for the server's own log, not the answer.
        logger.warning("Health check failed: %s", ", ".join(failed))
        return JsonResponse({"status": "fail", "failed": failed}, status=503)
    return JsonResponse({"status": "ok"})
