"""Check the access log's chains and name the first place where one is broken.

The log is several chains (audit/models.py), each checked alone exactly as the one chain was
before: its rows by its own seq from 1, sealed to its own predecessors, its tail pinned by its
own head and by the anchors naming it. Every chain that has a head, a prune point, an anchor
or a row is checked, so a chain deleted whole after an anchor named it is seen too (cut).

Each chain's walk goes in seq order, a chunk at a time (constant memory), recomputing each row's MAC
with the audit key. What each break means:

- missing: a seq is absent in the middle (a row was deleted or renumbered);
- link: a row's prev_mac is not the MAC of the row before it (rows reordered or replaced);
- changed: a row's MAC does not match its content (a field was changed);
- truncated: the newest rows named by the chain head are gone;
- head: the chain head does not match the newest row, or rows lie beyond it;
- anchor: an entry named by an anchor (audit/anchors.py) has another MAC now: the chain up to it
  was rewritten;
- cut: the chain ends before an entry an anchor names: the newest rows were deleted and the
  chain head moved back with them, which the chain alone cannot see;
- prune: the newest prune point (audit/prune.py) is not backed by a valid signed anchor naming
  its seq and MAC, lies beyond the head, or is newer than the retention period allows.

After a prune the walk starts at the entry after the newest prune point, sealed to the MAC its
signed anchor names: the first kept entry is authenticated by the anchor, and a gap, a changed
row or a cut tail after it is found as before. Deleting the prune point brings back the walk
from seq 1 (the pruned entries are then missing); pointing it at a later genuine anchor (to
delete more) fails the retention check when the caller gives `retained_since`.

Rows appended while the check runs are left for the next check: the anchors are read first, then
the head, and only the rows the head covers are checked (a row and its head are committed
together, and an anchor names a head that was committed before it was written).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from django.conf import settings

from audit import keys
from audit.anchors import Anchor, BadAnchor, ChainAnchors, anchor_parse, anchors_read
from audit.chain import SEALED_FIELDS, canonical_content, entry_mac
from audit.models import GENESIS_MAC, MAX_CHAINS, AccessLogEntry, ChainHead, PrunePoint


class Problem(StrEnum):
    MISSING = "missing"
    LINK = "link"
    CHANGED = "changed"
    TRUNCATED = "truncated"
    HEAD = "head"
    ANCHOR = "anchor"
    CUT = "cut"
    PRUNE = "prune"


@dataclass(frozen=True)
class Break:
    """The first break: the seq where a chain breaks, and the row there (None if it is gone)."""

    seq: int
    entry_id: int | None
    problem: Problem
    detail: str
    chain: int = 0

    def __str__(self) -> str:
        where = f"id {self.entry_id}" if self.entry_id is not None else "no such row"
        of_chain = f" of chain {self.chain}" if self.chain else ""
        return f"broken at seq {self.seq}{of_chain} ({where}): {self.problem}: {self.detail}"


@dataclass(frozen=True)
class ChainVerification:
    """How far one chain holds: from its start to seq `entries`, ending with the MAC `mac`.

    `has_head`: its head was there when the check began (the anchor timer anchors those).
    `pruned_through`: the chain was pruned up to this seq (0: never), behind `pruned_behind`.
    `anchored`: the newest valid anchor naming the chain (None: none read).
    """

    chain: int
    entries: int
    mac: str = GENESIS_MAC
    has_head: bool = False
    pruned_through: int = 0
    pruned_behind: Anchor | None = None
    anchored: Anchor | None = None


@dataclass(frozen=True)
class Verification:
    """How far the chains hold, the first break, and what the anchors said.

    `chains`: each chain checked, by number. `entries`: the sum of the chains' `entries` (with
    one chain: it holds from seq 1 to `entries`, or from an anchor on and up to it by the
    anchor's word), `mac` chain 0's last MAC. `anchors`: how many valid anchor lines were
    read; `latest_anchor` the one written last; `bad_anchors` the lines that are not valid
    anchors (forged, malformed). Intact means no break and no bad line.
    """

    entries: int
    broken: Break | None
    mac: str = GENESIS_MAC
    anchors: int = 0
    latest_anchor: Anchor | None = None
    bad_anchors: tuple[BadAnchor, ...] = ()
    # Chain 0 was pruned up to this seq (0: never), behind `pruned_behind` (other chains: `chains`).
    pruned_through: int = 0
    pruned_behind: Anchor | None = None
    chains: tuple[ChainVerification, ...] = ()

    @property
    def is_intact(self) -> bool:
        return self.broken is None and not self.bad_anchors


def access_log_verify(
    *,
    chunk_size: int = 2000,
    anchor_files: Sequence[Path] | None = None,
    since_newest_anchor: bool = False,
    retained_since: datetime.datetime | None = None,
) -> Verification:
    """Recompute every chain in seq order, check it against the anchors, return the first break.

    `anchor_files` default to PRZYSTAN_ANCHOR_FILE (a missing file has no anchors). Every
    anchored (chain, seq, mac) must still be in its chain, and each chain must reach its
    highest anchored seq. With `since_newest_anchor` each chain's walk starts at its newest
    anchor the head covers instead of its first entry (what the anchoring timer does: the rows
    before it were checked when it was written). The walk stops at the first break: what
    follows it cannot be trusted until it is explained. After a prune a chain's walk starts
    behind its newest prune point (see the module); with `retained_since` (the access log's
    retention cut-off) its anchor must be older than that, or more was deleted than retention
    allows. Chains are checked one after another, each alone, in the order of their numbers.
    """
    paths = [settings.PRZYSTAN_ANCHOR_FILE] if anchor_files is None else list(anchor_files)
    # The anchors first, then the heads: an anchor written meanwhile names a head we will see.
    anchors = anchors_read(paths)
    key = keys.audit_key()
    heads = {
        head["id"]: head for head in ChainHead.objects.order_by("id").values("id", "seq", "mac")
    }
    # The newest prune point of each chain (a few rows: one a prune run and chain).
    prunes: dict[int, dict] = {}
    for point in PrunePoint.objects.order_by("chain", "-seq").values(
        "chain", "seq", "mac", "anchor"
    ):
        prunes.setdefault(point["chain"], point)
    # Rows of chains without a head: an index probe a chain, none of which should find any.
    headless = [chain for chain in range(MAX_CHAINS) if chain not in heads]
    orphans = set(
        AccessLogEntry.objects.filter(chain__in=headless)
        .order_by()
        .values_list("chain", flat=True)
        .distinct()
    )
    chains = sorted({0, *heads, *prunes, *anchors.chains, *orphans})

    checked: list[ChainVerification] = []
    broken = None
    for chain in chains:
        verified, broken = _verify_chain(
            chain,
            head=heads.get(chain),
            prune=prunes.get(chain),
            anchors=anchors.of(chain),
            key=key,
            chunk_size=chunk_size,
            since_newest_anchor=since_newest_anchor,
            retained_since=retained_since,
        )
        checked.append(verified)
        if broken is not None:
            break
    first = checked[0]
    return Verification(
        entries=sum(c.entries for c in checked),
        broken=broken,
        mac=first.mac,
        anchors=anchors.count,
        latest_anchor=anchors.latest,
        bad_anchors=tuple(anchors.bad),
        pruned_through=first.pruned_through,
        pruned_behind=first.pruned_behind,
        chains=tuple(checked),
    )


def _verify_chain(
    chain: int,
    *,
    head: dict | None,
    prune: dict | None,
    anchors: ChainAnchors,
    key: bytes,
    chunk_size: int,
    since_newest_anchor: bool,
    retained_since: datetime.datetime | None,
) -> tuple[ChainVerification, Break | None]:
    """Check one chain (its head `head`, its newest prune point `prune`); its first break."""
    head_seq, head_mac = (head["seq"], head["mac"]) if head else (0, GENESIS_MAC)
    rows = (
        AccessLogEntry.objects.filter(chain=chain)
        .order_by("seq")
        .values("id", "prev_mac", "mac", *SEALED_FIELDS)
    )
    pruned_behind: Anchor | None = None

    def result(
        entries: int, broken: Break | None, mac: str
    ) -> tuple[ChainVerification, Break | None]:
        verified = ChainVerification(
            chain=chain,
            entries=entries,
            mac=mac,
            has_head=head is not None,
            pruned_through=prune["seq"] if prune else 0,
            pruned_behind=pruned_behind,
            anchored=anchors.newest,
        )
        return verified, replace(broken, chain=chain) if broken is not None else None

    expected_seq, prev_mac, prev_id = 1, GENESIS_MAC, None
    if prune is not None:
        checked = _check_prune_point(prune, head_seq, anchors, retained_since)
        if isinstance(checked, Break):
            return result(0, checked, GENESIS_MAC)
        pruned_behind = checked
        # The first kept entry must be sealed to the MAC the signed anchor names.
        expected_seq, prev_mac = prune["seq"] + 1, prune["mac"]
    start = anchors.at_or_below(head_seq) if since_newest_anchor else None
    if start is not None and start.seq >= expected_seq:
        row = rows.filter(seq=start.seq).values("id", "mac").first()
        if broken := _check_anchored_row(row, start, anchors):
            return result(start.seq - 1, broken, GENESIS_MAC)
        expected_seq, prev_mac, prev_id = start.seq + 1, start.mac, row["id"]

    while expected_seq <= head_seq:
        chunk = list(rows.filter(seq__gte=expected_seq, seq__lte=head_seq)[:chunk_size])
        if not chunk:
            break
        for row in chunk:
            broken = _check_row(row, expected_seq, prev_mac, key) or _check_anchored_row(
                row, None, anchors
            )
            if broken:
                return result(expected_seq - 1, broken, prev_mac)
            expected_seq, prev_mac, prev_id = row["seq"] + 1, row["mac"], row["id"]

    checked = expected_seq - 1
    broken = _check_end(
        chain, checked, prev_id, prev_mac, head_seq, head_mac, has_head=head is not None
    ) or _check_reaches_anchors(checked, prev_id, anchors)
    return result(checked, broken, prev_mac)


def _check_prune_point(
    prune: dict, head_seq: int, anchors: ChainAnchors, retained_since: datetime.datetime | None
) -> Anchor | Break:
    """The signed anchor behind the newest prune point, or what is wrong with the point."""

    def broken(detail: str, problem: Problem = Problem.PRUNE) -> Break:
        return Break(seq=prune["seq"], entry_id=None, problem=problem, detail=detail)

    anchor = anchor_parse(prune["anchor"], source="the prune point")
    # Only the audit key signs anchors: a prune point written by someone without it is forged.
    if isinstance(anchor, BadAnchor):
        return broken(
            f"the log was pruned up to seq {prune['seq']} behind an anchor that is "
            f"not valid ({anchor.reason})"
        )
    # A genuine anchor of another point (or of another chain), copied next to a seq it does not
    # name.
    if anchor.seq != prune["seq"] or anchor.mac != prune["mac"] or anchor.chain != prune["chain"]:
        return broken(
            f"the prune point names seq {prune['seq']}, its anchor seq {anchor.seq} "
            "with another MAC"
            + (f" of chain {anchor.chain}" if anchor.chain != prune["chain"] else "")
        )
    if prune["seq"] > head_seq:
        return broken(f"the prune point lies beyond the chain head (seq {head_seq})")
    # The anchors of the file saw another entry at that seq: the chain was rewritten.
    for other in anchors.by_seq.get(prune["seq"], ()):
        if other.mac != prune["mac"]:
            return broken(f"the prune point's MAC is not the one {other} names", Problem.ANCHOR)
    # Every pruned entry is older than the anchor; the anchor must be older than the period.
    if retained_since is not None and _time(anchor.at) >= retained_since:
        return broken(
            f"the log was pruned up to seq {prune['seq']} behind {anchor}, which is not older "
            f"than the retention cut-off {retained_since.isoformat()}: more was deleted than "
            "retention allows (or the period was lengthened after the prune)"
        )
    return anchor


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def _check_row(row: dict, expected_seq: int, prev_mac: str, key: bytes) -> Break | None:
    """What is wrong with `row` coming after a row sealed with `prev_mac`, or None."""
    # A gap: the rows before this one were deleted (or renumbered away).
    if row["seq"] != expected_seq:
        return Break(
            seq=expected_seq,
            entry_id=None,
            problem=Problem.MISSING,
            detail=f"{_entries(expected_seq, row['seq'] - 1)} missing before "
            f"seq {row['seq']} (id {row['id']})",
        )
    # Not linked to its predecessor: moved, replaced, or its predecessor was.
    if row["prev_mac"] != prev_mac:
        return Break(
            seq=row["seq"],
            entry_id=row["id"],
            problem=Problem.LINK,
            detail="its prev_mac is not the MAC of the entry before it",
        )
    # Content and MAC disagree: some field of this row was changed.
    content = canonical_content(**{name: row[name] for name in SEALED_FIELDS})
    if entry_mac(key, prev_mac, content) != row["mac"]:
        return Break(
            seq=row["seq"],
            entry_id=row["id"],
            problem=Problem.CHANGED,
            detail="its MAC does not match its content",
        )
    return None


def _check_anchored_row(
    row: dict | None, start: Anchor | None, anchors: ChainAnchors
) -> Break | None:
    """Whether `row` still has the MAC every anchor of its seq names (the walk's start: `start`)."""
    # The anchored entry the walk starts from is gone (deleted, or renumbered away).
    if row is None:
        return Break(
            seq=start.seq,
            entry_id=None,
            problem=Problem.MISSING,
            detail=f"entry {start.seq} is missing, which {start} names",
        )
    seq = start.seq if start is not None else row["seq"]
    for anchor in anchors.by_seq.get(seq, ()):
        # The entry is there, sealed to its predecessors, but not as it was when anchored:
        # the chain up to here was rewritten (by someone holding the audit key).
        if anchor.mac != row["mac"]:
            return Break(
                seq=seq,
                entry_id=row["id"],
                problem=Problem.ANCHOR,
                detail=f"its MAC is not the one {anchor} names: the chain up to it was rewritten",
            )
    return None


def _check_reaches_anchors(
    checked: int, last_id: int | None, anchors: ChainAnchors
) -> Break | None:
    """Whether the chain, intact up to seq `checked`, reaches the highest anchored seq."""
    anchor = anchors.beyond(checked)
    if anchor is None:
        return None
    # The chain and its head agree, yet an anchor saw the chain longer: the newest entries were
    # deleted and the head moved back with them (as a superuser with the triggers off could).
    after = (
        f"after seq {checked} (id {last_id})" if last_id is not None else "from the first entry on"
    )
    return Break(
        seq=checked + 1,
        entry_id=None,
        problem=Problem.CUT,
        detail=f"the tail was cut: {_entries(checked + 1, anchor.seq)} missing {after}, "
        f"but {anchor} names seq {anchor.seq}; the chain head was moved back to seq {checked}",
    )


def _check_end(
    chain: int,
    checked: int,
    last_id: int | None,
    last_mac: str,
    head_seq: int,
    head_mac: str,
    *,
    has_head: bool,
) -> Break | None:
    """What is wrong at the newest end of a chain checked up to seq `checked`, or None."""
    # The head names rows that are gone: the newest rows were deleted.
    if checked < head_seq:
        after = (
            f"after seq {checked} (id {last_id})"
            if last_id is not None
            else "from the first entry on"
        )
        return Break(
            seq=checked + 1,
            entry_id=None,
            problem=Problem.TRUNCATED,
            detail=f"{_entries(checked + 1, head_seq)} missing {after}; "
            f"the chain head names seq {head_seq}",
        )
    # The head names the newest row, but with another MAC.
    if last_mac != head_mac:
        return Break(
            seq=head_seq,
            entry_id=last_id,
            problem=Problem.HEAD,
            detail="the chain head's MAC is not the MAC of the newest entry",
        )
    # Rows the head does not cover: written outside the service, or the head was moved back.
    if beyond := _row_beyond_head(chain, head_seq):
        return Break(
            seq=beyond["seq"],
            entry_id=beyond["id"],
            problem=Problem.HEAD,
            detail=(
                f"it lies beyond the chain head (seq {head_seq}): written outside the log, "
                "or the head was moved back"
                if has_head
                else "the chain head is missing, so no entry is covered by it"
            ),
        )
    return None


def _entries(first: int, last: int) -> str:
    return f"entry {first} is" if first == last else f"entries {first} to {last} are"


def _row_beyond_head(chain: int, head_seq: int) -> dict | None:
    """A row of `chain` past its head that its head does not cover, or None.

    A row committed after the head was read is legitimate only if the head now covers it.
    """
    beyond = (
        AccessLogEntry.objects.filter(chain=chain, seq__gt=head_seq)
        .order_by("seq")
        .values("id", "seq")
    )
    row = beyond.first()
    if row is None:
        return None
    now = ChainHead.objects.filter(pk=chain).values_list("seq", flat=True).first() or 0
    return row if row["seq"] > now else None
