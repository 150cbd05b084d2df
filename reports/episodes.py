# ruff: noqa: S608 - the SQL is assembled from fixed fragments; every value is a bound parameter.
"""The episodes table (reports.Episode), kept in step with the stays.

An episode is a client's stays chained across facilities (docs/measures.md). Chaining all the
stays by window functions costs seconds at two million stays, so the episodes of every client
are stored and the measures read them (reports.measures._episodes_sql). They are recomputed,
per client and set-based, by the very window SQL the measures used to run:

- `episodes_refresh(client_ids)`: DELETE the clients' episodes, INSERT … SELECT them again
  from their stays (pages of clients);
- a post_save / post_delete receiver on Stay collects the clients written in the transaction;
  `transaction.on_commit` refreshes them once it commits, and a report computed in the same
  transaction refreshes them first (`flush`), so no report reads stale episodes;
- bulk writes, which send no signal (the import, the demo's seed, the benchmarks' INSERT),
  call `episodes_refresh` or `episodes_rebuild` themselves;
- `manage.py rebuild_episodes` (and migration reports 0005) rebuild every client's episodes.

A refresh is idempotent: refreshing a client whose stays did not change (a transaction rolled
back) rewrites the same rows.
"""

import threading

from django.db import connections, transaction
from django.db.models.signals import post_delete, post_init, post_save

from reports.sql import dialect, for_clients, run

PAGE = 500
COLUMNS = "client_id, first_start, last_end, exit, next_start, stays"

_pending = threading.local()


def _episodes_select(using: str) -> str:
    """The episodes of the stays in `st`, as the rows of reports_episode."""
    from reports import measures

    token = measures._from_stays.set(True)
    try:
        episodes = measures._episodes_sql(dialect(using))
    finally:
        measures._from_stays.reset(token)
    # stays: how many rows of the client's stays (in order) since the previous episode's last.
    return f"""WITH {episodes}
        SELECT client_id, first_s, last_e, COALESCE(exit, ''), next_s,
            rn - COALESCE(LAG(rn) OVER (PARTITION BY client_id ORDER BY rn), 0)
        FROM episodes"""


def _insert(using: str) -> None:
    run(
        _episodes_select(using),
        using=using,
        prefix=f"INSERT INTO reports_episode ({COLUMNS}) ",
        far=_far(),
    )


def _far():
    from reports.sql import FAR

    return FAR


def episodes_refresh(client_ids, *, using: str = "default") -> None:
    """Recompute the episodes of these clients from their stays (set-based, pages of clients)."""
    from reports.models import Episode

    ids = sorted({str(client_id) for client_id in client_ids if client_id is not None})
    if not ids:
        return
    with transaction.atomic(using=using):
        for start in range(0, len(ids), PAGE):
            page = ids[start : start + PAGE]
            Episode.objects.using(using).filter(client_id__in=page).delete()
            with for_clients(page):
                _insert(using)


def episodes_rebuild(*, using: str = "default") -> None:
    """Every client's episodes again, from every stay: one DELETE and one INSERT … SELECT."""
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("DELETE FROM reports_episode")
        _insert(using)


def _waiting(using: str) -> set:
    waiting = getattr(_pending, using, None)
    if waiting is None:
        waiting = set()
        setattr(_pending, using, waiting)
    return waiting


def flush(using: str = "default") -> None:
    """Refresh the episodes of the clients whose stays were written and not refreshed yet."""
    waiting = _waiting(using)
    if not waiting:
        return
    ids = set(waiting)
    episodes_refresh(ids, using=using)
    waiting.difference_update(ids)


def stays_written(client_ids, *, using: str = "default") -> None:
    """These clients' stays changed: refresh their episodes when the transaction commits."""
    _waiting(using).update(client_ids)
    # Robust: a failed refresh must not fail a request whose stays are already committed; its
    # clients stay waiting and the next flush (a later write, any report) refreshes them.
    transaction.on_commit(lambda: flush(using), using=using, robust=True)


def _stay_loaded(sender, instance, **kwargs) -> None:
    # The client a stay had when read: a stay moved to another client changes both.
    instance._episodes_client_id = instance.__dict__.get("client_id")


def _stay_written(sender, instance, using, **kwargs) -> None:
    stays_written(
        {instance.client_id, getattr(instance, "_episodes_client_id", None)} - {None},
        using=using,
    )
    instance._episodes_client_id = instance.client_id


def connect() -> None:
    from shelters.models import Stay

    post_init.connect(_stay_loaded, sender=Stay, dispatch_uid="reports_episodes_init")
    post_save.connect(_stay_written, sender=Stay, dispatch_uid="reports_episodes_save")
    post_delete.connect(_stay_written, sender=Stay, dispatch_uid="reports_episodes_delete")
