"""Anchors of the access log: the signed chain head, kept outside the database.

The chain (audit/chain.py) shows any change to a row, and the chain head shows rows cut from the
end, but only as long as the head itself is honest: whoever controls the database (a superuser,
the tables' owner, a restored old backup) can delete the newest rows and move the head back, and
the shorter chain still verifies. An anchor is a line written elsewhere that says "at this time
the chain reached entry `seq`, whose MAC was `mac`"; a later check finds the cut because an
anchored entry is gone or different.

One anchor is one JSON line, appended by `manage.py anchor_access_log` (run by a timer):

    {"at":"2026-11-30T10:05:00.000000+00:00","mac":"<64 hex>","seq":1234,"sig":"<64 hex>","v":1}

`sig` is HMAC-SHA256 over the canonical JSON of the other four fields, under a key derived with
HKDF from the audit key (info "przystan/access-log/anchor"): no new secret to keep, and the
derived key can never be mistaken for the key that seals rows. The signature stops anyone who can
only append to the file or send to the log server from planting an anchor; what keeps the
existing anchors is where they live (an append-only file on the application server, a copy on
another machine), not the key: see docs/privacy.md.

The log has several chains (audit/models.py); an anchor names the head of one. The timer writes
one line for each chain's head, together, in one write: chain 0's line is the one above,
unchanged (version 1, so the anchors written before chains existed stay valid); another chain's
is version 2 and names it, signed with the rest:

    {"at":"…","chain":3,"mac":"<64 hex>","seq":87,"sig":"<64 hex>","v":2}

A line read back may carry a prefix before its `{` (a syslog server's time, host and tag), so an
extract of the remote log can be checked like the file.
"""

import datetime
import hashlib
import hmac
import json
import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from logging.handlers import SysLogHandler
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from audit import keys
from audit.models import GENESIS_MAC, MAX_CHAINS

VERSION = 1
# The version of a line naming a chain other than 0.
CHAIN_VERSION = 2
SYSLOG_TAG = "przystan-anchor"
# auth.notice: security messages, which syslog setups usually keep and forward.
SYSLOG_PRIORITY = SysLogHandler.LOG_AUTH * 8 + SysLogHandler.LOG_NOTICE
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FIELDS = {"v", "seq", "mac", "at", "sig"}
_CHAIN_FIELDS = {*_FIELDS, "chain"}
_HOST_PORT = re.compile(
    r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9.-]+)):(?P<port>\d{1,5})$"
)


def anchor_key() -> bytes:
    """The key that signs anchors, derived from the audit key (never stored)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"przystan/access-log/anchor")
    return hkdf.derive(keys.audit_key())


def _signature(*, seq: int, mac: str, at: str, chain: int = 0) -> str:
    signed = {"v": VERSION, "seq": seq, "mac": mac, "at": at}
    if chain:
        signed |= {"v": CHAIN_VERSION, "chain": chain}
    message = json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(anchor_key(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Anchor:
    """One valid anchor: `chain` reached `seq` with `mac` at `at`; where it was read."""

    seq: int
    mac: str
    at: str
    source: str = ""
    line: int = 0
    chain: int = 0

    def __str__(self) -> str:
        where = f" ({self.source} line {self.line})" if self.source else ""
        of_chain = f" of chain {self.chain}" if self.chain else ""
        return f"the anchor{of_chain} of {self.at}{where}"


@dataclass(frozen=True, slots=True)
class BadAnchor:
    """A line of an anchor file that is not a valid anchor, and why."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source} line {self.line}: {self.reason}"


@dataclass
class ChainAnchors:
    """The valid anchors of one chain, by seq.

    Only the first anchor of each (seq, mac) is kept: the timer anchors an idle log again and
    again with the same head, and those repeats prove nothing more.
    """

    by_seq: dict[int, list[Anchor]] = field(default_factory=dict)

    def add(self, anchor: Anchor) -> None:
        kept = self.by_seq.setdefault(anchor.seq, [])
        if all(other.mac != anchor.mac for other in kept):
            kept.append(anchor)

    @property
    def newest(self) -> Anchor | None:
        """The anchor of the highest seq (the first one read, if several name it)."""
        if not self.by_seq:
            return None
        return self.by_seq[max(self.by_seq)][0]

    def beyond(self, seq: int) -> Anchor | None:
        """The anchor of the highest seq above `seq`, or None."""
        newest = self.newest
        return newest if newest is not None and newest.seq > seq else None

    def at_or_below(self, seq: int) -> Anchor | None:
        """The anchor of the highest seq not above `seq`, or None."""
        below = [s for s in self.by_seq if s <= seq]
        return self.by_seq[max(below)][0] if below else None


@dataclass
class AnchorSet:
    """The valid anchors of one or more files, chain by chain, and the lines that are not."""

    chains: dict[int, ChainAnchors] = field(default_factory=dict)
    count: int = 0
    bad: list[BadAnchor] = field(default_factory=list)
    # The anchor written last (by its time): shows that the timer still runs.
    latest: Anchor | None = None

    def add(self, anchor: Anchor) -> None:
        self.count += 1
        self.chains.setdefault(anchor.chain, ChainAnchors()).add(anchor)
        if self.latest is None or _time(anchor.at) > _time(self.latest.at):
            self.latest = anchor

    def of(self, chain: int) -> ChainAnchors:
        """The anchors of `chain` (none: an empty set)."""
        return self.chains.get(chain, ChainAnchors())


def anchor_line(*, seq: int, mac: str, at: datetime.datetime, chain: int = 0) -> str:
    """The signed JSON line that anchors `chain` at (seq, mac) at the time `at`."""
    at_text = at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    signed = {
        "v": VERSION,
        "seq": seq,
        "mac": mac,
        "at": at_text,
        "sig": _signature(seq=seq, mac=mac, at=at_text, chain=chain),
    }
    if chain:
        signed |= {"v": CHAIN_VERSION, "chain": chain}
    return json.dumps(signed, sort_keys=True, separators=(",", ":"))


def anchor_parse(text: str, *, source: str = "", line: int = 0) -> Anchor | BadAnchor:
    """The anchor on one line, or why the line is not a valid one."""

    def bad(reason: str) -> BadAnchor:
        return BadAnchor(source=source, line=line, reason=reason)

    start = text.find("{")
    if start < 0:
        return bad("not an anchor (no JSON object on the line)")
    try:
        data = json.loads(text[start:])
    except ValueError:
        return bad("not an anchor (the JSON does not parse)")
    chained = isinstance(data, dict) and "chain" in data
    fields = _CHAIN_FIELDS if chained else _FIELDS
    if not isinstance(data, dict) or set(data) != fields:
        return bad(f"not an anchor (the fields must be {', '.join(sorted(fields))})")
    seq, mac, at, sig = data["seq"], data["mac"], data["at"], data["sig"]
    chain = data.get("chain", 0)
    # Each check names what is wrong (`type(...) is int`: JSON's true is no number here).
    if type(data["v"]) is not int or data["v"] != (CHAIN_VERSION if chained else VERSION):
        return bad(f"unknown anchor version {data['v']!r}")
    # Chain 0 is always written as version 1: a version 2 line naming it is not ours.
    if chained and (type(chain) is not int or not 1 <= chain < MAX_CHAINS):
        return bad(f"malformed anchor: chain is not a whole number from 1 to {MAX_CHAINS - 1}")
    if type(seq) is not int or seq < 0:
        return bad("malformed anchor: seq is not a whole number from 0")
    if not isinstance(mac, str) or not _HEX64.match(mac):
        return bad("malformed anchor: mac is not 64 hex characters")
    if not isinstance(sig, str) or not _HEX64.match(sig):
        return bad("malformed anchor: sig is not 64 hex characters")
    if not isinstance(at, str) or not _aware_time(at):
        return bad("malformed anchor: at is not a time with its offset")
    if not hmac.compare_digest(sig, _signature(seq=seq, mac=mac, at=at, chain=chain)):
        return bad("its signature does not verify: forged, or signed with another audit key")
    # Signed, yet impossible: before the first entry the chain has only the genesis MAC.
    if seq == 0 and mac != GENESIS_MAC:
        return bad("malformed anchor: seq 0 with a MAC other than the genesis MAC")
    return Anchor(seq=seq, mac=mac, at=at, source=source, line=line, chain=chain)


def _aware_time(text: str) -> bool:
    try:
        return datetime.datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def anchors_read(paths: Iterable[Path], *, missing_ok: bool = True) -> AnchorSet:
    """Every anchor of the files, in order; a missing file has none (unless not `missing_ok`)."""
    found = AnchorSet()
    for path in paths:
        try:
            handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
        except FileNotFoundError:
            if missing_ok:
                continue
            raise
        with handle:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                parsed = anchor_parse(text, source=str(path), line=number)
                if isinstance(parsed, BadAnchor):
                    found.bad.append(parsed)
                else:
                    found.add(parsed)
    return found


def anchor_append(path: Path, line: str) -> None:
    """Append one line (or several, joined by newlines) to the anchor file; wait until on disk.

    O_APPEND: every write lands at the end, whatever else appends, and one short write is never
    interleaved with another's (the lines of every chain go in one write). The file is created
    readable by its owner only; a new file's directory entry is synced too, or a crash could
    lose the file it names.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    data = (line + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        if os.write(fd, data) != len(data):
            raise OSError(f"short write to {path}")
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def syslog_address(text: str) -> str | tuple[str, int]:
    """`/path` of a local syslog socket (/dev/log), or (host, port) for UDP; else ValueError."""
    if text.startswith("/"):
        return text
    match = _HOST_PORT.match(text)
    if not match or not 1 <= int(match["port"]) <= 65535:
        raise ValueError(
            f"{text!r} is neither the path of a syslog socket (/dev/log) nor host:port for UDP"
        )
    return (match["v6"] or match["host"], int(match["port"]))


def anchor_send_syslog(address: str, line: str) -> None:
    """Send the anchor line to syslog (a local socket or a UDP server); OSError if it cannot."""
    message = f"<{SYSLOG_PRIORITY}>{SYSLOG_TAG}: {line}".encode()
    target = syslog_address(address)
    if isinstance(target, str):
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(target)
            sock.send(message)
        return
    host, port = target
    family, kind, proto, _name, sockaddr = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    with socket.socket(family, kind, proto) as sock:
        sock.sendto(message, sockaddr)
