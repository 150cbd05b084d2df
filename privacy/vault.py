"""Data keys: create, find, cache, destroy. The only code that unwraps a subject's key.

Unwrapped keys live in a small per-process cache with a short lifetime (never Django's cache,
which may be shared or persisted). Erasure evicts the subject from this process's cache at once,
and moves the erasure epoch (models.VaultEpoch) in its own transaction. Every other process (app
servers on the same database) reads the epoch before trusting a key it cached before the current
request began, at most once per request (once a second outside requests), and forgets all its
keys when the epoch moved: an erased person is unreadable on every server from the next request
on. A key loaded from the database during the request needs no such check.
"""

import contextlib
import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from django.conf import settings
from django.db.models import F

from privacy import crypto, keys
from privacy.models import DataKey, Subject, VaultEpoch


class SubjectErased(Exception):
    """The subject's data key was destroyed: their data can no longer be read or written."""


ERASED_KEY = object()


class _KeyCache:
    """LRU of unwrapped data keys with a time-to-live, shared by the threads of one process.

    An entry is (key, subject id, expires at, loaded at), times on the monotonic clock; `loaded at`
    is taken before the query that read the key. `epoch` is the erasure epoch last read (None: not
    yet) and `checked_at` when that read began: every entry is known good as of the later of its
    own `loaded at` and `checked_at`. `generation` counts the flushes, so that a key read from the
    database before a flush is not put back after it (it may be the key of someone erased since).
    """

    def __init__(self, max_entries: int = 20_000):
        self._lock = threading.Lock()
        self._by_id: OrderedDict[int, tuple[object, uuid.UUID, float, float]] = OrderedDict()
        self._id_by_subject: dict[uuid.UUID, int] = {}
        self.max_entries = max_entries
        self.epoch: int | None = None
        self.checked_at = -math.inf
        self.generation = 0

    def get(self, key_id: int):
        with self._lock:
            entry = self._by_id.get(key_id)
            if entry is None:
                return None
            if entry[2] < time.monotonic():
                self._drop(key_id)
                return None
            self._by_id.move_to_end(key_id)
            return entry

    def key_id_for(self, subject_id: uuid.UUID) -> int | None:
        with self._lock:
            return self._id_by_subject.get(subject_id)

    def holds(self, subject_id: uuid.UUID) -> bool:
        """Whether a live (unexpired) key of `subject_id` is cached."""
        return self.loaded_at(subject_id) is not None

    def loaded_at(self, subject_id: uuid.UUID) -> float | None:
        """When the live cached key of `subject_id` was read, or None if none is cached."""
        with self._lock:
            key_id = self._id_by_subject.get(subject_id)
            entry = self._by_id.get(key_id) if key_id is not None else None
            if entry is None or entry[1] != subject_id or entry[2] < time.monotonic():
                return None
            return entry[3]

    def put(
        self,
        key_id: int,
        key,
        subject_id: uuid.UUID,
        *,
        loaded_at: float | None = None,
        generation: int | None = None,
    ) -> None:
        ttl = settings.PRZYSTAN_DEK_CACHE_SECONDS
        now = time.monotonic()
        with self._lock:
            # Read before a flush: the erasure that caused the flush may be this subject's.
            if generation is not None and generation != self.generation:
                return
            self._by_id[key_id] = (
                key,
                subject_id,
                now + ttl,
                now if loaded_at is None else loaded_at,
            )
            self._by_id.move_to_end(key_id)
            self._id_by_subject[subject_id] = key_id
            while len(self._by_id) > self.max_entries:
                oldest = next(iter(self._by_id))
                self._drop(oldest)

    def evict_subject(self, subject_id: uuid.UUID) -> None:
        with self._lock:
            key_id = self._id_by_subject.pop(subject_id, None)
            if key_id is not None:
                self._by_id.pop(key_id, None)

    def clear(self) -> None:
        with self._lock:
            self._clear()

    def reset(self, *, epoch: int | None = None) -> None:
        """Empty, with `epoch` as the last epoch read (None: as a new process; tests)."""
        with self._lock:
            self._clear()
            self.epoch = epoch
            self.checked_at = -math.inf

    def adopt_epoch(self, epoch: int, *, checked_at: float) -> None:
        """The epoch read by a query that began at `checked_at`; a moved epoch flushes all keys.

        Any difference flushes, a smaller number too: a database restored from a backup.
        """
        with self._lock:
            if epoch != self.epoch:
                self._clear()
                self.epoch = epoch
            self.checked_at = max(self.checked_at, checked_at)

    def _clear(self) -> None:
        self._by_id.clear()
        self._id_by_subject.clear()
        self.generation += 1

    def _drop(self, key_id: int) -> None:
        subject_id = self._by_id.pop(key_id)[1]
        if self._id_by_subject.get(subject_id) == key_id:
            del self._id_by_subject[subject_id]


cache = _KeyCache()
# When the current request began (monotonic clock), set by the request_started signal; None
# outside requests (commands, jobs), where a cached key is trusted for EPOCH_RECHECK_SECONDS.
_request_began_at: ContextVar[float | None] = ContextVar("vault_request_began_at", default=None)
EPOCH_RECHECK_SECONDS = 1.0
# Keys made by subjects_create inside `holding_new_keys`, this thread only: {subject: (id, key)}.
_held = threading.local()


@contextlib.contextmanager
def holding_new_keys() -> Iterator[None]:
    """Within the block, keys that subjects_create makes in this thread are kept in hand.

    For a bulk import: sealing its rows right after creating their subjects then never reads a
    key back from the database, whatever the cache's size or time-to-live (a page of 2,000 keys
    of subjects created in the same transaction; forgotten when the block ends).
    """
    previous = getattr(_held, "keys", None)
    _held.keys = {}
    try:
        yield
    finally:
        _held.keys = previous


def request_began(**_kwargs) -> None:
    """Keys cached before now are checked against the erasure epoch before this request uses
    them (connected to request_started in privacy/apps.py)."""
    _request_began_at.set(time.monotonic())


def request_ended(**_kwargs) -> None:
    _request_began_at.set(None)


def epoch_bump() -> None:
    """Move the erasure epoch, in the caller's transaction (the erasure's): every app server
    forgets its cached keys before its next request uses one."""
    if not VaultEpoch.objects.filter(pk=1).update(value=F("value") + 1):
        VaultEpoch.objects.create(pk=1, value=1)


def epoch_seen(epoch: int | None, *, query_began_at: float) -> None:
    """The erasure epoch as read by a query on the default database that began at
    `query_began_at` (monotonic clock): cached keys are known good as of then, or flushed.
    The session's read brings it (privacy/sessions.py): a signed-in page needs no query for it."""
    cache.adopt_epoch(epoch or 0, checked_at=query_began_at)


def _trusted_since() -> float:
    """Cached keys must be known good as of this moment (monotonic clock) to be used."""
    began = _request_began_at.get()
    if began is not None:
        return began
    return time.monotonic() - EPOCH_RECHECK_SECONDS


def _check_epoch() -> None:
    """Read the erasure epoch (one primary-key lookup); flush the cache if it moved."""
    started = time.monotonic()
    epoch = VaultEpoch.objects.filter(pk=1).values_list("value", flat=True).first()
    cache.adopt_epoch(epoch or 0, checked_at=started)


def _cached(key_id: int):
    """The cache's entry under `key_id`, once it is known good as of _trusted_since(), or None."""
    entry = cache.get(key_id)
    if entry is None:
        return None
    since = _trusted_since()
    if entry[3] >= since or cache.checked_at >= since:
        return entry
    _check_epoch()
    return cache.get(key_id)


def _unwrap(data_key: DataKey) -> bytes:
    ring = keys.kek_ring()
    return crypto.unwrap_key(
        bytes(data_key.wrapped),
        kek=ring.get(data_key.kek_id),
        kek_id=data_key.kek_id,
        subject_id=data_key.subject_id,
    )


def subject_create(*, kind: str) -> Subject:
    """Create a data subject with a fresh random data key, wrapped by the current KEK."""
    subject = Subject.objects.create(kind=kind)
    ring = keys.kek_ring()
    dek = crypto.new_data_key()
    wrapped = crypto.wrap_key(
        dek, kek=ring.keys[ring.current], kek_id=ring.current, subject_id=subject.id
    )
    data_key = DataKey.objects.create(subject=subject, kek_id=ring.current, wrapped=wrapped)
    cache.put(data_key.pk, dek, subject.id)
    return subject


def subjects_create(*, kind: str, count: int) -> list[Subject]:
    """`count` data subjects with fresh keys, in two bulk inserts (an import of past records).

    The same keys as subject_create's, wrapped by the current KEK; the unwrapped keys go to the
    process's cache (past its size, later encryptions unwrap them again from the database).
    """
    if count <= 0:
        return []
    ring = keys.kek_ring()
    subjects = Subject.objects.bulk_create([Subject(kind=kind) for _ in range(count)])
    deks = [crypto.new_data_key() for _ in subjects]
    data_keys = DataKey.objects.bulk_create(
        [
            DataKey(
                subject=subject,
                kek_id=ring.current,
                wrapped=crypto.wrap_key(
                    dek, kek=ring.keys[ring.current], kek_id=ring.current, subject_id=subject.id
                ),
            )
            for subject, dek in zip(subjects, deks, strict=True)
        ]
    )
    held = getattr(_held, "keys", None)
    for data_key, dek, subject in zip(data_keys, deks, subjects, strict=True):
        cache.put(data_key.pk, dek, subject.id)
        if held is not None:
            held[subject.id] = (data_key.pk, dek)
    return subjects


def key_for_subject(subject_id: uuid.UUID) -> tuple[int, bytes]:
    """(key id, key) to encrypt a new value for `subject_id`; SubjectErased if destroyed."""
    held = getattr(_held, "keys", None)
    if held and subject_id in held:
        return held[subject_id]
    key_id = cache.key_id_for(subject_id)
    if key_id is not None:
        entry = _cached(key_id)
        # The entry under that id must still be this subject's (see key_by_id).
        if entry is not None and entry[1] == subject_id:
            if entry[0] is ERASED_KEY:
                raise SubjectErased(str(subject_id))
            return key_id, entry[0]
    generation, loaded_at = cache.generation, time.monotonic()
    data_key = DataKey.objects.filter(subject_id=subject_id).first()
    if data_key is None or data_key.destroyed_at is not None:
        raise SubjectErased(str(subject_id))
    dek = _unwrap(data_key)
    cache.put(data_key.pk, dek, subject_id, loaded_at=loaded_at, generation=generation)
    return data_key.pk, dek


def key_by_id(key_id: int, subject_id: uuid.UUID):
    """The data key a ciphertext names, or ERASED_KEY if its subject was erased.

    Raises DecryptionError when the key belongs to another subject or is missing without an
    erasure: a ciphertext moved between people never opens.
    """
    entry = _cached(key_id)
    # An entry of another subject may be stale rather than an attack: SQLite gives the id of a
    # key created in a rolled-back transaction to the next key, while another process still
    # caches it. The database decides.
    if entry is None or entry[1] != subject_id:
        generation, loaded_at = cache.generation, time.monotonic()
        data_key = DataKey.objects.filter(pk=key_id).first()
        if data_key is None:
            raise crypto.DecryptionError("the data key a ciphertext names does not exist")
        key = ERASED_KEY if data_key.destroyed_at is not None else _unwrap(data_key)
        cache.put(key_id, key, data_key.subject_id, loaded_at=loaded_at, generation=generation)
        # Use what was loaded, not the cache: with a lifetime of 0 the entry is already expired.
        entry = (key, data_key.subject_id, None, loaded_at)
    key, owner = entry[0], entry[1]
    # The key id is in the clear part of the ciphertext: it must name this subject's own key.
    if owner != subject_id:
        raise crypto.DecryptionError("ciphertext names another subject's key")
    return key


def prefetch(subject_ids: Iterable[uuid.UUID]) -> None:
    """Unwrap the keys of many subjects, one query per 1,000 (a page stays constant in queries).

    Meant for a page of rows: the cache holds 20,000 keys, so larger jobs must page.
    """
    wanted = {s for s in subject_ids if s is not None}
    # A key cached before the request began is checked against the erasure epoch first (which
    # may flush the cache): otherwise each of its rows would then load its key alone.
    since = _trusted_since()
    if cache.checked_at < since:
        cached_at = [cache.loaded_at(s) for s in wanted]
        if any(at is not None and at < since for at in cached_at):
            _check_epoch()
    # An expired entry counts as missing, or each of its rows would then load its key alone.
    missing = [s for s in wanted if not cache.holds(s)]
    if not missing:
        return
    generation, loaded_at = cache.generation, time.monotonic()
    # In chunks: one IN (...) with tens of thousands of ids exceeds SQLite's variable limit.
    chunks = (missing[start : start + 1000] for start in range(0, len(missing), 1000))
    rows = (key for chunk in chunks for key in DataKey.objects.filter(subject_id__in=chunk))
    for data_key in rows:
        key = ERASED_KEY if data_key.destroyed_at is not None else _unwrap(data_key)
        cache.put(data_key.pk, key, data_key.subject_id, loaded_at=loaded_at, generation=generation)


def encrypt_value(
    plaintext: bytes, *, label: str, subject_id: uuid.UUID, row: bytes | None = None
) -> bytes:
    """Seal under the subject's key; bound to `row` (crypto.row_binding) when given."""
    key_id, key = key_for_subject(subject_id)
    return crypto.encrypt(
        plaintext, key=key, key_id=key_id, label=label, subject_id=subject_id, row=row
    )


def decrypt_value(blob: bytes, *, label: str, subject_id: uuid.UUID, row: bytes | None = None):
    """The plaintext bytes, or ERASED_KEY if the subject was erased; raises on any other failure."""
    key = key_by_id(crypto.key_id_of(blob), subject_id)
    if key is ERASED_KEY:
        return ERASED_KEY
    return crypto.decrypt(blob, key=key, label=label, subject_id=subject_id, row=row)
