"""Data keys: create, find, cache, destroy. The only code that unwraps a subject's key.

Unwrapped keys live in a small per-process cache with a short lifetime (never Django's cache,
which may be shared or persisted). Erasure evicts the subject from this process's cache at once;
other processes forget it within PRZYSTAN_DEK_CACHE_SECONDS.
"""

import contextlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator

from django.conf import settings

from privacy import crypto, keys
from privacy.models import DataKey, Subject


class SubjectErased(Exception):
    """The subject's data key was destroyed: their data can no longer be read or written."""


ERASED_KEY = object()


class _KeyCache:
    """LRU of unwrapped data keys with a time-to-live, shared by the threads of one process."""

    def __init__(self, max_entries: int = 20_000):
        self._lock = threading.Lock()
        self._by_id: OrderedDict[int, tuple[object, uuid.UUID, float]] = OrderedDict()
        self._id_by_subject: dict[uuid.UUID, int] = {}
        self.max_entries = max_entries

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
        with self._lock:
            key_id = self._id_by_subject.get(subject_id)
            entry = self._by_id.get(key_id) if key_id is not None else None
            return entry is not None and entry[1] == subject_id and entry[2] >= time.monotonic()

    def put(self, key_id: int, key, subject_id: uuid.UUID) -> None:
        ttl = settings.PRZYSTAN_DEK_CACHE_SECONDS
        with self._lock:
            self._by_id[key_id] = (key, subject_id, time.monotonic() + ttl)
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
            self._by_id.clear()
            self._id_by_subject.clear()

    def _drop(self, key_id: int) -> None:
        _key, subject_id, _exp = self._by_id.pop(key_id)
        if self._id_by_subject.get(subject_id) == key_id:
            del self._id_by_subject[subject_id]


cache = _KeyCache()
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
        entry = cache.get(key_id)
        # The entry under that id must still be this subject's (see key_by_id).
        if entry is not None and entry[1] == subject_id:
            if entry[0] is ERASED_KEY:
                raise SubjectErased(str(subject_id))
            return key_id, entry[0]
    data_key = DataKey.objects.filter(subject_id=subject_id).first()
    if data_key is None or data_key.destroyed_at is not None:
        raise SubjectErased(str(subject_id))
    dek = _unwrap(data_key)
    cache.put(data_key.pk, dek, subject_id)
    return data_key.pk, dek


def key_by_id(key_id: int, subject_id: uuid.UUID):
    """The data key a ciphertext names, or ERASED_KEY if its subject was erased.

    Raises DecryptionError when the key belongs to another subject or is missing without an
    erasure: a ciphertext moved between people never opens.
    """
    entry = cache.get(key_id)
    # An entry of another subject may be stale rather than an attack: SQLite gives the id of a
    # key created in a rolled-back transaction to the next key, while another process still
    # caches it. The database decides.
    if entry is None or entry[1] != subject_id:
        data_key = DataKey.objects.filter(pk=key_id).first()
        if data_key is None:
            raise crypto.DecryptionError("the data key a ciphertext names does not exist")
        key = ERASED_KEY if data_key.destroyed_at is not None else _unwrap(data_key)
        cache.put(key_id, key, data_key.subject_id)
        # Use what was loaded, not the cache: with a lifetime of 0 the entry is already expired.
        entry = (key, data_key.subject_id, None)
    key, owner, _expires = entry
    # The key id is in the clear part of the ciphertext: it must name this subject's own key.
    if owner != subject_id:
        raise crypto.DecryptionError("ciphertext names another subject's key")
    return key


def prefetch(subject_ids: Iterable[uuid.UUID]) -> None:
    """Unwrap the keys of many subjects, one query per 1,000 (a page stays constant in queries).

    Meant for a page of rows: the cache holds 20,000 keys, so larger jobs must page.
    """
    # An expired entry counts as missing, or each of its rows would then load its key alone.
    missing = [s for s in set(subject_ids) if s is not None and not cache.holds(s)]
    if not missing:
        return
    # In chunks: one IN (...) with tens of thousands of ids exceeds SQLite's variable limit.
    chunks = (missing[start : start + 1000] for start in range(0, len(missing), 1000))
    rows = (key for chunk in chunks for key in DataKey.objects.filter(subject_id__in=chunk))
    for data_key in rows:
        if data_key.destroyed_at is not None:
            cache.put(data_key.pk, ERASED_KEY, data_key.subject_id)
        else:
            cache.put(data_key.pk, _unwrap(data_key), data_key.subject_id)


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
