"""Writes of the vault: erasure, key rotation, index rebuilding. Each is resumable or atomic."""

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy import blind, crypto, keys, vault
from privacy.files import files_delete_for_subject
from privacy.models import DataKey, ErasureRecord, Subject

# Sent inside the erasure transaction; domain apps clear what they hold for the subject
# (blind indexes, caches). Receivers get `subject_id`.
subject_erased = Signal()


def _append_ledger(subject_id: uuid.UUID, erased_on) -> None:
    path = settings.PRZYSTAN_ERASURE_LEDGER
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"subject_id": str(subject_id), "erased_on": erased_on.isoformat()})
    with open(path, "a", encoding="utf-8") as ledger:
        ledger.write(line + "\n")


def subject_erase(*, subject: Subject, by, reason: str, request=None) -> Subject:
    """Erase a data subject (GDPR art. 17) by destroying their data key.

    Every ciphertext under the key, in live and history tables and in exports, becomes unreadable
    at once; blind indexes are cleared, files deleted, the erasure recorded in the ledger (subject
    id and date only) and in the access log. Clear, non-identifying facts stay, so counts hold.
    """
    from audit.services import access_log_write

    reason = (reason or "").strip()
    if not reason or len(reason) > 200 or "\x00" in reason:
        raise ValidationError(_("Give a reason for the erasure (at most 200 characters)."))
    with transaction.atomic():
        data_key = DataKey.objects.select_for_update().filter(subject_id=subject.pk).first()
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        if subject.erased_at is not None:
            raise ValidationError(_("This person's data has already been erased."))
        now = timezone.now()
        if data_key is not None:
            data_key.wrapped = b""
            data_key.destroyed_at = now
            data_key.save(update_fields=["wrapped", "destroyed_at"])
        subject.erased_at = now
        subject.save(update_fields=["erased_at"])
        subject_erased.send(sender=Subject, subject_id=subject.pk)
        files_delete_for_subject(subject.pk)
        ErasureRecord.objects.get_or_create(
            subject_id=subject.pk, defaults={"erased_on": now.date()}
        )
        access_log_write(
            actor=by, action="erase", subject_id=subject.pk, purpose="erasure", request=request
        )
        transaction.on_commit(lambda: _append_ledger(subject.pk, now.date()))
    vault.cache.evict_subject(subject.pk)
    return subject


def reapply_erasures(ledger_lines: list[str]) -> int:
    """After a restore from backup: erase again every subject the ledger names. Returns how many."""
    count = 0
    for line in ledger_lines:
        if not line.strip():
            continue
        subject_id = uuid.UUID(json.loads(line)["subject_id"])
        subject = Subject.objects.filter(pk=subject_id).first()
        if subject is None:
            continue
        if subject.erased_at is None:
            subject_erase(subject=subject, by=None, reason="reapplied from the erasure ledger")
            count += 1
            continue
        # Marked erased, but the backup may have brought the wrapped key back: destroy it again.
        live = DataKey.objects.filter(subject_id=subject_id, destroyed_at__isnull=True)
        if live.update(wrapped=b"", destroyed_at=timezone.now()):
            vault.cache.evict_subject(subject_id)
            count += 1
    return count


def _write_rewrapped(batch: list[DataKey]) -> None:
    """One UPDATE per key through executemany: Django's bulk_update builds a CASE expression per
    row and field, which made rotation ten times slower (docs/benchmarks.md)."""
    table = connection.ops.quote_name(DataKey._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET wrapped = %s, kek_id = %s WHERE id = %s",  # noqa: S608
            [(bytes(k.wrapped), k.kek_id, k.pk) for k in batch],
        )


def kek_rotate(*, to: str, batch_size: int = 1000) -> Iterator[int]:
    """Rewrap every live data key with KEK `to`, one committed batch at a time; yields progress.

    Data is never re-encrypted. A run killed at any moment loses nothing (a batch commits whole or
    not at all) and a rerun picks up the keys still wrapped by another KEK.
    """
    ring = keys.kek_ring()
    target = ring.get(to)
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                DataKey.objects.select_for_update()
                .filter(destroyed_at__isnull=True)
                .exclude(kek_id=to)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return
            for data_key in batch:
                dek = crypto.unwrap_key(
                    bytes(data_key.wrapped),
                    kek=ring.get(data_key.kek_id),
                    kek_id=data_key.kek_id,
                    subject_id=data_key.subject_id,
                )
                data_key.wrapped = crypto.wrap_key(
                    dek, kek=target, kek_id=to, subject_id=data_key.subject_id
                )
                data_key.kek_id = to
            _write_rewrapped(batch)
        done += len(batch)
        yield done


@dataclass
class KeyReport:
    by_kek: Counter = field(default_factory=Counter)
    destroyed: int = 0
    failed: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def keys_verify(*, chunk: int = 2000) -> KeyReport:
    """Unwrap every data key; count them per KEK, count destroyed ones, list the ids that fail."""
    ring = keys.kek_ring()
    report = KeyReport()
    last = 0
    while True:
        rows = list(DataKey.objects.filter(pk__gt=last).order_by("pk")[:chunk])
        if not rows:
            return report
        for data_key in rows:
            last = data_key.pk
            if data_key.destroyed_at is not None:
                report.destroyed += 1
                continue
            try:
                kek = ring.keys.get(data_key.kek_id)
                if kek is None:
                    raise crypto.DecryptionError("unknown KEK")
                crypto.unwrap_key(
                    bytes(data_key.wrapped),
                    kek=kek,
                    kek_id=data_key.kek_id,
                    subject_id=data_key.subject_id,
                )
                report.by_kek[data_key.kek_id] += 1
            except crypto.DecryptionError:
                report.failed.append(data_key.pk)


def blind_indexed_models() -> list:
    """Models with blind indexes: they declare BLIND_INDEX_FIELDS and refresh_blind_indexes()."""
    return [
        m
        for m in apps.get_models()
        if hasattr(m, "refresh_blind_indexes") and hasattr(m, "BLIND_INDEX_FIELDS")
    ]


def blind_indexes_rebuild(*, batch_size: int = 1000) -> int:
    """Recompute every blind index (after the index key or the truncation changed)."""
    blind.forget_keys()
    total = 0
    for model in blind_indexed_models():
        last = None
        while True:
            rows = model.objects.select_related("subject").order_by("pk").with_keys()
            if last is not None:
                rows = rows.filter(pk__gt=last)
            batch = list(rows[:batch_size])
            if not batch:
                break
            with transaction.atomic():
                for row in batch:
                    if not row.subject.is_erased:
                        row.refresh_blind_indexes()
                model.objects.bulk_update(batch, model.BLIND_INDEX_FIELDS)
            last = batch[-1].pk
            total += len(batch)
    return total
