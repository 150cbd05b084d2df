"""Writes to the access log: the one function every view, search, export and print calls.

And its anchoring: the signed chain head written outside the database (audit/anchors.py).
"""

import contextlib
import ipaddress
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.sql import InsertQuery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import keys
from audit.anchors import BadAnchor, anchor_append, anchor_line, anchor_send_syslog
from audit.chain import SEALED_FIELDS, canonical_content, entry_mac
from audit.models import GENESIS_MAC, AccessLogEntry, ChainHead
from audit.purposes import Purpose
from audit.verify import Break, ChainVerification, access_log_verify


def access_log_write(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    subject_id: uuid.UUID | str | None = None,
    purpose: str = "",
    outcome: str = AccessLogEntry.Outcome.OK,
    request: HttpRequest | None = None,
    way: str = "",
) -> AccessLogEntry:
    """Append one row to the access log, sealed to the row before it in its chain.

    `actor` is a user (settings.AUTH_USER_MODEL, whose `role` is recorded) or None for system
    actions; `subject_id` is the data subject whose data was touched; `purpose` is a code of
    audit.purposes.Purpose (or empty), never a stated reason: a reason may name someone. The
    row goes to the first chain whose head is free (`_locked_head`); that head stays locked
    until the caller's transaction ends, so appends to one chain happen one at a time and no
    chain ever forks: inside a long transaction, call this late, since the head stays taken.
    `way` says how the access was granted (AccessLogEntry.Way), where the caller knows it (the
    access modules do).
    """
    entry = AccessLogEntry(
        actor=actor,
        actor_role=(actor.role or "") if actor is not None else "",
        subject_id=subject_id,
        action=action,
        purpose=purpose,
        request_id=getattr(request, "request_id", "") if request is not None else "",
        ip_address=_client_address(request),
        outcome=outcome,
        way=way,
    )
    _validate(entry)
    key = keys.audit_key()
    if _alone_on_postgresql() and _append_alone(entry, key):
        return entry
    with transaction.atomic():
        head = _locked_head()
        _seal(entry, key, head.pk, head.seq, head.mac)
        head.seq = entry.seq
        head.mac = entry.mac
        if connection.vendor == "postgresql":
            _insert_and_advance(entry)
        else:
            entry.save()
            head.save(update_fields=["seq", "mac"])
    return entry


def _seal(entry: AccessLogEntry, key: bytes, chain: int, seq: int, mac: str) -> None:
    """Set `entry`'s chain fields: the row after (`seq`, `mac`) of `chain`, under its lock."""
    entry.chain = chain
    entry.seq = seq + 1
    # The time is taken under the lock, so times follow the order of the chain.
    entry.at = timezone.now()
    entry.prev_mac = mac
    content = canonical_content(**{name: getattr(entry, name) for name in SEALED_FIELDS})
    entry.mac = entry_mac(key, entry.prev_mac, content)


def _insert_and_advance_sql(entry: AccessLogEntry) -> tuple[str, list]:
    """One statement: insert `entry`, move its chain's head to it, return the row's id.

    PostgreSQL only: the UPDATE reads the new row from the INSERT of its WITH clause, so the row
    is written first and the head's trigger (audit migrations 0002 and 0005: the head moves
    forward only, to an entry that exists with that MAC) sees it and checks it as before. If no
    head moved, the statement fails (a division by zero), so nothing of it can be committed.
    The statement is built by the ORM once per process (`_insert_statement`); each row's
    values are prepared as the ORM's INSERT prepares them.
    """
    sql, fields = _insert_statement()
    params = [
        field.get_db_prep_save(field.pre_save(entry, add=True), connection) for field in fields
    ]
    return sql, [*params, entry.chain]


_INSERT_STATEMENTS: dict[str, tuple[str, list]] = {}


def _insert_statement() -> tuple[str, list]:
    """The INSERT-and-move statement's text and the fields whose values it takes, in order."""
    if connection.alias not in _INSERT_STATEMENTS:
        fields = [f for f in AccessLogEntry._meta.local_concrete_fields if not f.primary_key]
        query = InsertQuery(AccessLogEntry)
        # A row of the model's own defaults: only the statement's text is kept.
        query.insert_values(fields, [AccessLogEntry()])
        [(insert_sql, params)] = query.get_compiler(using=connection.alias).as_sql()
        if len(params) != len(fields) or insert_sql.count("%s") != len(fields):
            raise RuntimeError("The access log's INSERT is not one placeholder a field.")
        head = connection.ops.quote_name(ChainHead._meta.db_table)
        # Names quoted from the models; every value is a parameter (the INSERT's own and the pk).
        sql = (
            f"WITH entry AS ({insert_sql} RETURNING id, seq, mac), "  # noqa: S608
            f"moved AS (UPDATE {head} SET seq = entry.seq, mac = entry.mac "
            f"FROM entry WHERE {head}.id = %s RETURNING entry.id) "
            "SELECT (SELECT id FROM moved), 1 / (SELECT COUNT(*) FROM moved)"
        )
        _INSERT_STATEMENTS[connection.alias] = (sql, fields)
    return _INSERT_STATEMENTS[connection.alias]


def _stored(entry: AccessLogEntry, pk: int) -> None:
    entry.pk = pk
    entry._state.adding = False
    entry._state.db = connection.alias


def _insert_and_advance(entry: AccessLogEntry) -> None:
    """Insert `entry` and move the chain head to it in one statement (one round trip, not two).

    The caller holds the head's lock and has set `entry`'s chain fields.
    """
    sql, params = _insert_and_advance_sql(entry)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        _stored(entry, cursor.fetchone()[0])


def _alone_on_postgresql() -> bool:
    """Whether an append here would be a transaction of its own, on PostgreSQL, through Django's
    client-binding cursor (the only one that takes several statements with values)."""
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict["OPTIONS"].get("server_side_binding") is not True
        and not connection.in_atomic_block
        and connection.get_autocommit()
    )


def _append_alone(entry: AccessLogEntry, key: bytes) -> bool:
    """The append as a transaction of its own in two round trips (PostgreSQL, autocommit).

    `transaction.atomic()` costs four: BEGIN, the head's lock, the row with the head's move,
    COMMIT. Here the first trip is `BEGIN; SELECT … FOR UPDATE` and the second the row with the
    head's move, then `COMMIT`, each pair sent as one string (Django's psycopg cursor binds
    values on the client, so a string may hold several statements). It is the same transaction
    as `access_log_write`'s, statement for statement: the same lock, the same checks (the
    head's trigger; a head that does not move fails the statement, and the COMMIT after a failed
    statement commits nothing). A page's single log row is written this way (the board's
    refresh, every case file opened).

    Returns False, having changed nothing, where the usual path must decide: every chain busy,
    or a chain's first row (its head is created or checked for lost rows there).
    """
    chains = settings.PRZYSTAN_ACCESS_LOG_CHAINS
    head = connection.ops.quote_name(ChainHead._meta.db_table)
    # The same choice as _locked_head's: the lowest free head (or chain 0, waited for).
    which = (
        f"WHERE id = {ChainHead.PK} FOR UPDATE"
        if chains == 1
        else f"WHERE id < {int(chains)} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    with connection.cursor() as cursor:
        try:
            cursor.execute(f"BEGIN; SELECT id, seq, mac FROM {head} {which}")  # noqa: S608
            cursor.nextset()
            row = cursor.fetchone()
            if row is None or row[1] == 0:
                cursor.execute("ROLLBACK")
                return False
            chain, seq, mac = row
            _seal(entry, key, chain, seq, mac)
            sql, params = _insert_and_advance_sql(entry)
            cursor.execute(f"{sql}; COMMIT", params)
            _stored(entry, cursor.fetchone()[0])
        except BaseException:
            # Whatever failed (a statement, the COMMIT, this process), nothing stays open.
            with contextlib.suppress(Exception):
                cursor.execute("ROLLBACK")
            entry.pk = None
            raise
    return True


def access_log_write_many(
    *,
    actor: AbstractBaseUser,
    action: str,
    subject_ids,
    purpose: str,
    request: HttpRequest | None = None,
) -> int:
    """Append one row per subject of `subject_ids` (a list page's people), in a few queries.

    The rows are sealed one after another in one chain exactly as `access_log_write` seals
    them (the same lock of a chain head, the same MAC), and inserted together: a page listing
    200 people costs the same number of queries as one listing 2. Returns how many rows were
    written.
    """
    ids = list(subject_ids)
    if not ids:
        return 0
    request_id = getattr(request, "request_id", "") if request is not None else ""
    address = _client_address(request)
    key = keys.audit_key()
    with transaction.atomic():
        head = _locked_head()
        # One time for the page: the rows were read together, in the order of the chain.
        at = timezone.now()
        seq, mac = head.seq, head.mac
        entries = []
        for subject_id in ids:
            entry = AccessLogEntry(
                actor=actor,
                actor_role=actor.role or "",
                subject_id=subject_id,
                action=action,
                purpose=purpose,
                request_id=request_id,
                ip_address=address,
                outcome=AccessLogEntry.Outcome.OK,
            )
            _validate(entry)
            seq += 1
            entry.chain, entry.seq, entry.at, entry.prev_mac = head.pk, seq, at, mac
            content = canonical_content(**{name: getattr(entry, name) for name in SEALED_FIELDS})
            entry.mac = mac = entry_mac(key, entry.prev_mac, content)
            entries.append(entry)
        AccessLogEntry.objects.bulk_create(entries)
        head.seq, head.mac = seq, mac
        head.save(update_fields=["seq", "mac"])
    return len(entries)


def _validate(entry: AccessLogEntry) -> None:
    """Refuse a bad row before the lock is taken; normalise values as the database stores them."""
    # PostgreSQL cannot store NUL, and no purpose needs one: refused alike on every database.
    if "\x00" in entry.purpose:
        raise ValidationError({"purpose": _("The purpose may not contain a NUL character.")})
    # A closed list: free text here could carry a name into a log that is never erased (and
    # the refusal does not repeat it, since it may be such a text).
    if entry.purpose and entry.purpose not in Purpose.values:
        raise ValidationError({"purpose": _("The purpose is not one of the access log's codes.")})
    if entry.way and entry.way not in AccessLogEntry.Way.values:
        raise ValidationError({"way": _("The way is not one of the access log's codes.")})
    # The chain fields are set under the lock, and seq's uniqueness is the lock's (and the
    # database's) job; the actor is a loaded user. So: no validation queries here.
    entry.full_clean(
        exclude=["seq", "at", "prev_mac", "mac", "actor"],
        validate_unique=False,
        validate_constraints=False,
    )


def _locked_head() -> ChainHead:
    """A chain's head, locked until the transaction ends: the first free one, else one to wait on.

    With one chain (SQLite, or PRZYSTAN_ACCESS_LOG_CHAINS = 1) it is always chain 0. With more,
    `SKIP LOCKED` takes the lowest-numbered head no other transaction holds, so a writer waits
    only when every chain is busy (then for a chain drawn at random). A lone writer always
    writes chain 0. Heads are created on first need, one at a time (the next number when every
    existing head is busy); a head created anew must find its chain empty, or the old head was
    deleted and starting again from the beginning would hide that.
    """
    chains = settings.PRZYSTAN_ACCESS_LOG_CHAINS
    if chains == 1 or not connection.features.has_select_for_update_skip_locked:
        head = _head_waited_for(ChainHead.PK)
    else:
        free = ChainHead.objects.select_for_update(skip_locked=True).filter(pk__lt=chains)
        head = free.order_by("pk").first()
        if head is None and _create_head(chains):
            head = free.order_by("pk").first()
        if head is None:
            # Every chain is busy: queue behind one of them, drawn so the queues stay even.
            head = _head_waited_for(random.randrange(chains))  # noqa: S311 - not a secret
    # Each row is written together with its head: rows without a head mean the head was
    # deleted (a chain's first append only: the query runs while its head is at 0).
    if head.seq == 0 and AccessLogEntry.objects.filter(chain=head.pk).exists():
        raise RuntimeError(
            f"The access-log chain head is missing (chain {head.pk}) while its entries exist; "
            "run `manage.py verify_access_log`."
        )
    return head


def _head_waited_for(chain: int) -> ChainHead:
    """The head of `chain`, locked (waiting for whoever holds it); created if missing."""
    head = ChainHead.objects.select_for_update().filter(pk=chain).first()
    if head is None:
        # The first two writers may race here: the second insert waits for the first, then
        # does nothing, and the second writer takes the lock after the first one commits.
        ChainHead.objects.bulk_create([ChainHead(pk=chain)], ignore_conflicts=True)
        head = ChainHead.objects.select_for_update().get(pk=chain)
    return head


def _create_head(chains: int) -> bool:
    """Create the lowest-numbered missing head below `chains`; whether one was made.

    One at a time, as writers meet busy heads: a lone writer only ever has chain 0. One
    statement (PostgreSQL, the only database with more than one chain): the first append of a
    new log costs what it did with one chain. A head another writer creates meanwhile is left
    as it is (the insert does nothing).
    """
    head = connection.ops.quote_name(ChainHead._meta.db_table)
    with connection.cursor() as cursor:
        # The table's name comes from the model; the values are parameters.
        cursor.execute(
            f"INSERT INTO {head} (id, seq, mac) "  # noqa: S608
            "SELECT MIN(chain), 0, %s FROM generate_series(0, %s) AS chain "
            f"WHERE NOT EXISTS (SELECT 1 FROM {head} WHERE id = chain) "
            "HAVING MIN(chain) IS NOT NULL ON CONFLICT DO NOTHING",
            [GENESIS_MAC, chains - 1],
        )
        return cursor.rowcount > 0


def _client_address(request: HttpRequest | None) -> str | None:
    """The address the request came from (REMOTE_ADDR), or None when absent or malformed."""
    if request is None:
        return None
    # A zone index ("fe80::1%eth0") names our own interface, and the database refuses it.
    raw = (request.META.get("REMOTE_ADDR") or "").partition("%")[0]
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


class AnchorRefused(RuntimeError):
    """The chain is broken, so it is not anchored: an anchor would vouch for the damage."""

    def __init__(self, broken: Break):
        super().__init__(f"Access log {broken}")
        self.broken = broken


@dataclass(frozen=True)
class AnchorWritten:
    """The anchors written (chain 0's seq, MAC and line; every chain's line), where, and the bad
    lines met in the file."""

    seq: int
    mac: str
    line: str
    path: Path
    syslog: str
    bad_anchors: tuple[BadAnchor, ...]
    # One line a chain: chain 0's first.
    lines: tuple[str, ...] = ()


def _anchored_as_it_is(chain: ChainVerification) -> bool:
    """Whether the chain's newest anchor already names its head: an idle chain needs no new line
    (it would prove nothing more, and the file would grow by a line a chain each time)."""
    anchored = chain.anchored
    return anchored is not None and (anchored.seq, anchored.mac) == (chain.entries, chain.mac)


def access_log_anchor(*, path: Path | None = None, syslog: str | None = None) -> AnchorWritten:
    """Check the chains since their newest anchors, then append every signed head to the file.

    `path` defaults to PRZYSTAN_ANCHOR_FILE, `syslog` to PRZYSTAN_ANCHOR_SYSLOG ("" for none).
    One line a chain (chain 0 always, every other chain that has a head and moved since its
    newest anchor), all in one write, so a tail cut from any chain after this is found; an idle
    chain's newest anchor already names its head. A broken chain (a changed row, a cut tail)
    is refused with AnchorRefused and nothing is written. Bad lines in the file do not stop the
    anchor (they are returned, to be reported): one garbage line must not stop the anchoring.
    The file is written first and synced to disk, then the lines go to syslog; an OSError from
    either reaches the caller (saying, for syslog, that the file has the anchor).
    """
    path = settings.PRZYSTAN_ANCHOR_FILE if path is None else path
    syslog = settings.PRZYSTAN_ANCHOR_SYSLOG if syslog is None else syslog
    result = access_log_verify(anchor_files=[path], since_newest_anchor=True)
    if result.broken is not None:
        raise AnchorRefused(result.broken)
    # Taken after the heads were read: at this time each chain reached at least its entry.
    at = timezone.now()
    lines = tuple(
        anchor_line(seq=chain.entries, mac=chain.mac, at=at, chain=chain.chain)
        for chain in result.chains
        if chain.chain == 0 or (chain.has_head and not _anchored_as_it_is(chain))
    )
    anchor_append(path, "\n".join(lines))
    if syslog:
        try:
            for line in lines:
                anchor_send_syslog(syslog, line)
        except OSError as error:
            raise OSError(
                f"the anchor is in {path}, but syslog {syslog} did not take it "
                f"({error.strerror or type(error).__name__})"
            ) from None
    return AnchorWritten(
        seq=result.chains[0].entries,
        mac=result.chains[0].mac,
        line=lines[0],
        path=path,
        syslog=syslog,
        bad_anchors=result.bad_anchors,
        lines=lines,
    )
