"""Pruning the access log: the entries older than its retention period go, behind a signed anchor.

The chain verifies from its first entry, so deleting the oldest entries needs another starting
point that nobody without the audit key can forge: a signed anchor (audit/anchors.py) naming
(seq, mac). A prune deletes the entries up to the newest anchor written before the cut-off
(every entry up to it was written before it, so every one of them has expired) and records a
prune point holding that anchor's line; verification (audit/verify.py) then starts after the
point, from the anchored MAC. Entries older than the cut-off but after that anchor stay until a
later anchor covers them. Without such an anchor nothing is pruned (PruneRefused).

On PostgreSQL the deletion goes through `audit_prune_through` (audit/migrations/0006), the one
door the application's role has; elsewhere (the SQLite demo) the model refuses deletions, so
the rows go by SQL here, the only place that deletes them.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit.anchors import Anchor, anchor_line, anchors_read
from audit.models import AccessLogEntry, PrunePoint
from audit.verify import Break, access_log_verify


class PruneRefused(RuntimeError):
    """The log has expired entries but may not be pruned (no anchor covers them, or broken)."""

    def __init__(self, message: str, broken: Break | None = None):
        super().__init__(message)
        self.broken = broken


@dataclass(frozen=True)
class PrunePlan:
    """What a prune finds (and, unless a dry run, does) for the cut-off `before`.

    `expired`: entries still in the log written before `before`; `anchor`: the newest signed
    anchor older than `before` beyond the last prune point (None: none); `entries`: how many
    entries lie up to it (deleted, when `pruned`); `pruned_through`: the prune point before.
    """

    before: datetime.datetime
    expired: int
    anchor: Anchor | None
    entries: int
    pruned_through: int
    pruned: bool = False


def access_log_prune_plan(
    *, before: datetime.datetime, anchor_files: Sequence[Path] | None = None
) -> PrunePlan:
    """What `access_log_prune` would delete for the cut-off `before`, without deleting."""
    paths = [settings.PRZYSTAN_ANCHOR_FILE] if anchor_files is None else list(anchor_files)
    done = PrunePoint.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    expired = AccessLogEntry.objects.filter(seq__gt=done, at__lt=before).count()
    anchors = anchors_read(paths)
    # Every entry up to an anchor was written before the anchor (its time is taken after the
    # head is read), so an anchor older than the cut-off covers expired entries only.
    behind = [
        kept[0]
        for seq, kept in anchors.by_seq.items()
        if seq > done and any(_time(a.at) < before for a in kept)
    ]
    anchor = max(behind, key=lambda a: a.seq, default=None)
    if anchor is not None:
        # Of the anchors of that seq, the one older than the cut-off.
        anchor = next(a for a in anchors.by_seq[anchor.seq] if _time(a.at) < before)
    entries = (
        AccessLogEntry.objects.filter(seq__gt=done, seq__lte=anchor.seq).count() if anchor else 0
    )
    return PrunePlan(
        before=before, expired=expired, anchor=anchor, entries=entries, pruned_through=done
    )


def access_log_prune(
    *, before: datetime.datetime, dry_run: bool = False, anchor_files: Sequence[Path] | None = None
) -> PrunePlan:
    """Delete the entries before `before` up to the newest signed anchor older than `before`.

    Refused (PruneRefused, nothing deleted) when entries have expired but no anchor covers
    them, when the chain does not verify (pruning would destroy the evidence of the damage),
    or when an entry up to the anchor is not older than the cut-off. With nothing expired it
    does nothing.
    """
    plan = access_log_prune_plan(before=before, anchor_files=anchor_files)
    if plan.anchor is None:
        if plan.expired and not dry_run:
            raise PruneRefused(
                f"{plan.expired} access-log entries are older than {before.isoformat()}, but "
                "no signed anchor older than that covers them: nothing was pruned (run "
                "anchor_access_log from its timer; they go once an anchor is old enough)"
            )
        return plan
    if dry_run:
        return plan
    verified = access_log_verify(anchor_files=anchor_files, retained_since=before)
    if verified.broken is not None:
        raise PruneRefused(
            f"the access log does not verify, so nothing was pruned: {verified.broken}",
            verified.broken,
        )
    anchor = plan.anchor
    with transaction.atomic():
        # The anchored entry must still be there with the anchored MAC, and every entry up to
        # it older than the cut-off (times follow the chain, so this is the anchored one's).
        row = AccessLogEntry.objects.filter(seq=anchor.seq).values("mac", "at").first()
        if row is None or row["mac"] != anchor.mac:
            raise PruneRefused(f"entry {anchor.seq} is not the one {anchor} names")
        youngest = AccessLogEntry.objects.filter(seq__lte=anchor.seq).aggregate(at=Max("at"))["at"]
        if youngest is not None and youngest >= before:
            raise PruneRefused(f"an entry up to seq {anchor.seq} is not older than the cut-off")
        # The anchor's own line (signing the same fields again gives the same signature).
        line = anchor_line(seq=anchor.seq, mac=anchor.mac, at=_time(anchor.at))
        deleted = _delete_through(anchor.seq, anchor.mac, line)
    return PrunePlan(
        before=before,
        expired=plan.expired,
        anchor=anchor,
        entries=deleted,
        pruned_through=plan.pruned_through,
        pruned=True,
    )


def _delete_through(seq: int, mac: str, line: str) -> int:
    """Record the prune point and delete every entry up to `seq`; how many went."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT audit_prune_through(%s, %s, %s)", [seq, mac, line])
            return cursor.fetchone()[0]
    table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
    count = AccessLogEntry.objects.filter(seq__lte=seq).count()
    PrunePoint.objects.create(
        seq=seq, mac=mac, anchor=line, pruned_at=timezone.now(), entries=count
    )
    with connection.cursor() as cursor:
        # The table's name comes from the model; the model itself refuses deletions.
        cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [seq])  # noqa: S608
        return cursor.rowcount


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)
