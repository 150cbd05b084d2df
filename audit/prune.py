"""Pruning the access log: the entries older than its retention period go, behind a signed anchor.

Chain by chain (audit/models.py): each chain is pruned behind an anchor of its own, with a prune
point of its own, exactly as the one chain was.

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
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from audit.anchors import Anchor, ChainAnchors, anchor_line, anchors_read
from audit.models import AccessLogEntry, ChainHead, PrunePoint
from audit.verify import Break, access_log_verify


class PruneRefused(RuntimeError):
    """The log has expired entries but may not be pruned (no anchor covers them, or broken)."""

    def __init__(self, message: str, broken: Break | None = None):
        super().__init__(message)
        self.broken = broken


@dataclass(frozen=True)
class ChainPrunePlan:
    """What a prune finds for one chain: its expired entries, the newest signed anchor of it
    older than the cut-off beyond its last prune point (None: none), how many entries lie up
    to that anchor, and where the chain was pruned before (0: never)."""

    chain: int
    expired: int
    anchor: Anchor | None
    entries: int
    pruned_through: int


@dataclass(frozen=True)
class PrunePlan:
    """What a prune finds (and, unless a dry run, does) for the cut-off `before`.

    `chains`: each chain's plan (ChainPrunePlan), by number. The rest sums them up: `expired`
    entries still in the log written before `before`, `entries` that lie up to the anchors
    (deleted, when `pruned`); `anchor` is the first chain's anchor found (chain 0's when it has
    one; None: no chain has one), `pruned_through` chain 0's last prune point.
    """

    before: datetime.datetime
    expired: int
    anchor: Anchor | None
    entries: int
    pruned_through: int
    pruned: bool = False
    chains: tuple[ChainPrunePlan, ...] = ()


def access_log_prune_plan(
    *, before: datetime.datetime, anchor_files: Sequence[Path] | None = None
) -> PrunePlan:
    """What `access_log_prune` would delete for the cut-off `before`, without deleting."""
    paths = [settings.PRZYSTAN_ANCHOR_FILE] if anchor_files is None else list(anchor_files)
    done: dict[int, int] = {}
    for chain, seq in PrunePoint.objects.order_by("chain", "-seq").values_list("chain", "seq"):
        done.setdefault(chain, seq)
    anchors = anchors_read(paths)
    heads = set(ChainHead.objects.values_list("pk", flat=True))
    # Each chain's expired entries beyond its prune point, in one grouped query.
    beyond = ~Q(chain__in=list(done))
    for chain, seq in done.items():
        beyond |= Q(chain=chain, seq__gt=seq)
    expired = dict(
        AccessLogEntry.objects.filter(beyond, at__lt=before)
        .values("chain")
        .annotate(n=Count("id"))
        .values_list("chain", "n")
    )
    plans = []
    for chain in sorted({0, *heads, *done, *anchors.chains, *expired}):
        anchor = _anchor_behind(anchors.of(chain), before, done.get(chain, 0))
        entries = (
            AccessLogEntry.objects.filter(
                chain=chain, seq__gt=done.get(chain, 0), seq__lte=anchor.seq
            ).count()
            if anchor
            else 0
        )
        plans.append(
            ChainPrunePlan(
                chain=chain,
                expired=expired.get(chain, 0),
                anchor=anchor,
                entries=entries,
                pruned_through=done.get(chain, 0),
            )
        )
    return PrunePlan(
        before=before,
        expired=sum(p.expired for p in plans),
        anchor=next((p.anchor for p in plans if p.anchor), None),
        entries=sum(p.entries for p in plans),
        pruned_through=done.get(0, 0),
        chains=tuple(plans),
    )


def _anchor_behind(anchors: ChainAnchors, before: datetime.datetime, done: int) -> Anchor | None:
    """The newest anchor of a chain older than `before` beyond its prune point `done`, or None."""
    # Every entry up to an anchor was written before the anchor (its time is taken after the
    # head is read), so an anchor older than the cut-off covers expired entries only.
    behind = [
        kept[0]
        for seq, kept in anchors.by_seq.items()
        if seq > done and any(_time(a.at) < before for a in kept)
    ]
    anchor = max(behind, key=lambda a: a.seq, default=None)
    if anchor is None:
        return None
    # Of the anchors of that seq, the one older than the cut-off.
    return next(a for a in anchors.by_seq[anchor.seq] if _time(a.at) < before)


def access_log_prune(
    *, before: datetime.datetime, dry_run: bool = False, anchor_files: Sequence[Path] | None = None
) -> PrunePlan:
    """Delete each chain's entries before `before` up to its newest signed anchor older than it.

    Refused (PruneRefused, nothing deleted) when entries have expired but no chain's anchor
    covers them, when the log does not verify (pruning would destroy the evidence of the
    damage), or when an entry up to an anchor is not older than the cut-off. With nothing
    expired it does nothing. A chain without such an anchor keeps its entries until one is old
    enough.
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
    deleted = 0
    with transaction.atomic():
        for chain in plan.chains:
            if chain.anchor is not None:
                deleted += _prune_chain(chain.chain, chain.anchor, before)
    return replace(plan, entries=deleted, pruned=True)


def _prune_chain(chain: int, anchor: Anchor, before: datetime.datetime) -> int:
    """Prune `chain` up to the entry `anchor` names, after checking it; how many went."""
    entries = AccessLogEntry.objects.filter(chain=chain)
    # The anchored entry must still be there with the anchored MAC, and every entry up to
    # it older than the cut-off (times follow the chain, so this is the anchored one's).
    row = entries.filter(seq=anchor.seq).values("mac", "at").first()
    if row is None or row["mac"] != anchor.mac:
        raise PruneRefused(f"entry {anchor.seq} of chain {chain} is not the one {anchor} names")
    youngest = entries.filter(seq__lte=anchor.seq).aggregate(at=Max("at"))["at"]
    if youngest is not None and youngest >= before:
        raise PruneRefused(
            f"an entry up to seq {anchor.seq} of chain {chain} is not older than the cut-off"
        )
    # The anchor's own line (signing the same fields again gives the same signature).
    line = anchor_line(seq=anchor.seq, mac=anchor.mac, at=_time(anchor.at), chain=chain)
    return _delete_through(chain, anchor.seq, anchor.mac, line)


def _delete_through(chain: int, seq: int, mac: str, line: str) -> int:
    """Record the prune point and delete every entry of `chain` up to `seq`; how many went."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT audit_prune_through(%s, %s, %s, %s)", [chain, seq, mac, line])
            return cursor.fetchone()[0]
    table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
    count = AccessLogEntry.objects.filter(chain=chain, seq__lte=seq).count()
    PrunePoint.objects.create(
        chain=chain, seq=seq, mac=mac, anchor=line, pruned_at=timezone.now(), entries=count
    )
    with connection.cursor() as cursor:
        # The table's name comes from the model; the model itself refuses deletions.
        cursor.execute(
            f"DELETE FROM {table} WHERE chain = %s AND seq <= %s",  # noqa: S608
            [chain, seq],
        )
        return cursor.rowcount


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)
