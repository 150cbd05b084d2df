"""Writes of the vault: erasure, key rotation, index rebuilding. Each is resumable or atomic."""

import json
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import DPO_ROLES
from privacy import blind, crypto, keys, scope, vault
from privacy.files import files_shred_for_subject
from privacy.models import (
    DataKey,
    ErasureReason,
    ErasureRecord,
    RefusalGround,
    RefusedRequest,
    RequestRefusal,
    Subject,
)
from privacy.related import related_subjects

# Sent inside the erasure transaction; domain apps clear what they hold for the subject
# (blind indexes, caches). Receivers get `subject_id`.
subject_erased = Signal()


def _append_ledger(subject_id: uuid.UUID, erased_on) -> None:
    path = settings.PRZYSTAN_ERASURE_LEDGER
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"subject_id": str(subject_id), "erased_on": erased_on.isoformat()})
    with open(path, "a", encoding="utf-8") as ledger:
        ledger.write(line + "\n")


# Access-log purposes of erasure: the subject the DPO chose, and those erased with them.
PURPOSE_ERASURE = "erasure"
PURPOSE_ERASURE_RELATED = "erasure_related"
PURPOSE_REFUSAL = "dpo_refusal"
PURPOSE_REFUSAL_REVIEW = "dpo_refusal_review"
REFERENCE_MAX = 32
# Reasons the DPO chooses from; the others are the system's own.
CHOSEN_REASONS = [r for r in ErasureReason.values if r != ErasureReason.REAPPLIED]


def _clean_reason(reason: str, reference: str) -> tuple[str, str]:
    """A reason code of the closed list and a short, one-line reference (a letter's sign)."""
    if reason not in CHOSEN_REASONS:
        raise ValidationError(_("Choose the reason for the erasure."), code="reason")
    reference = _clean_reference(reference)
    if reason == ErasureReason.OTHER and not reference:
        raise ValidationError(
            _("For another reason, give the reference of the document that states it."),
            code="reference",
        )
    return reason, reference


def _erase_one(
    *,
    subject_id: uuid.UUID,
    by,
    reason: str,
    reference: str,
    purpose: str,
    erased_with: uuid.UUID | None = None,
    request=None,
) -> Subject:
    """Destroy one subject's key, clear what apps hold for them, shred their files, record it.

    Runs inside the caller's transaction, under locks on the subject's key and row.
    """
    from audit.services import access_log_write

    data_key = DataKey.objects.select_for_update().filter(subject_id=subject_id).first()
    subject = Subject.objects.select_for_update().get(pk=subject_id)
    if subject.erased_at is not None:
        raise ValidationError(_("This person's data has already been erased."), code="erased")
    now = timezone.now()
    if data_key is not None:
        data_key.wrapped = b""
        data_key.destroyed_at = now
        data_key.save(update_fields=["wrapped", "destroyed_at"])
        # Other app servers forget their cached keys before their next request uses one.
        vault.epoch_bump()
    subject.erased_at = now
    subject.save(update_fields=["erased_at"])
    subject_erased.send(sender=Subject, subject_id=subject.pk)
    files_shred_for_subject(subject.pk)
    # A data package waiting for download is a copy of the person's data under a password,
    # not under their key: it goes too.
    from privacy.exports import exports_discard_for_subject

    exports_discard_for_subject(subject.pk)
    ErasureRecord.objects.get_or_create(
        subject_id=subject.pk,
        defaults={
            "erased_on": now.date(),
            "reason": reason,
            "reference": reference,
            "erased_by": by,
            "erased_with": erased_with,
        },
    )
    access_log_write(
        actor=by, action="erase", subject_id=subject.pk, purpose=purpose, request=request
    )
    transaction.on_commit(lambda: _append_ledger(subject.pk, now.date()))
    return subject


def subject_erase(
    *,
    subject: Subject,
    by,
    reason: str,
    reference: str = "",
    decisions: Mapping[uuid.UUID, bool] | None = None,
    request=None,
) -> Subject:
    """Erase a data subject (GDPR art. 17) by destroying their data key, and with them the
    related subjects (a child of a household) the DPO decided to erase.

    Every ciphertext under the key, in live and history tables and in exports, becomes
    unreadable at once; blind indexes are cleared, the bytes of files deleted (their rows stay,
    marked), the erasure recorded in the ledger (subject id, date, reason code, reference) and in
    the access log (purpose `erasure`, and `erasure_related` for the others). Clear,
    non-identifying facts stay, so counts hold. `decisions` must answer for every related subject
    the registered providers name ({subject id: erase too?}): nobody goes, or stays, silently.
    """
    # Erasure is the data protection officer's decision, and theirs only.
    if by is None or not by.has_role(*DPO_ROLES):
        raise PermissionDenied(_("Only the data protection officer erases personal data."))
    # An organisation's DPO acts for its own data subjects only (privacy/scope.py).
    if not scope.dpo_reaches(by, subject.pk):
        raise PermissionDenied(_("This person is not one of your organisation's data subjects."))
    reason, reference = _clean_reason(reason, reference)
    decisions = dict(decisions or {})
    with transaction.atomic():
        related = related_subjects(subject)
        if set(decisions) != {r.subject_id for r in related}:
            raise ValidationError(
                _("Decide for each related person whether their data is erased too."),
                code="decisions",
            )
        erased = [
            _erase_one(
                subject_id=subject.pk,
                by=by,
                reason=reason,
                reference=reference,
                purpose=PURPOSE_ERASURE,
                request=request,
            )
        ]
        # In id order, so two erasures that share people lock them in the same order.
        for related_id in sorted(r for r, erase in decisions.items() if erase):
            erased.append(
                _erase_one(
                    subject_id=related_id,
                    by=by,
                    reason=reason,
                    reference=reference,
                    purpose=PURPOSE_ERASURE_RELATED,
                    erased_with=subject.pk,
                    request=request,
                )
            )
    for each in erased:
        vault.cache.evict_subject(each.pk)
    return erased[0]


def reapply_erasures(ledger_lines: list[str]) -> int:
    """After a restore from backup: erase again every subject the ledger names. Returns how many.

    Each line is one subject (those erased with a parent have their own line), so nothing about
    related people is decided here.
    """
    count = 0
    for line in ledger_lines:
        if not line.strip():
            continue
        subject_id = uuid.UUID(json.loads(line)["subject_id"])
        subject = Subject.objects.filter(pk=subject_id).first()
        if subject is None:
            continue
        if subject.erased_at is None:
            with transaction.atomic():
                _erase_one(
                    subject_id=subject_id,
                    by=None,
                    reason=ErasureReason.REAPPLIED,
                    reference="",
                    purpose=PURPOSE_ERASURE,
                )
            vault.cache.evict_subject(subject_id)
            count += 1
            continue
        # Marked erased, but the backup may have brought the wrapped key back: destroy it again.
        live = DataKey.objects.filter(subject_id=subject_id, destroyed_at__isnull=True)
        with transaction.atomic():
            destroyed = live.update(wrapped=b"", destroyed_at=timezone.now())
            if destroyed:
                vault.epoch_bump()
        if destroyed:
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


def encrypted_models() -> list:
    """Every model with encrypted fields, simple-history's HistoricalX tables included."""
    from privacy.fields import EncryptedField

    return [
        model
        for model in apps.get_models()
        if any(isinstance(f, EncryptedField) for f in model._meta.concrete_fields)
    ]


@dataclass
class BindReport:
    bound: int = 0
    erased: int = 0
    failed: list[str] = field(default_factory=list)


def ciphertexts_bind(*, batch_size: int = 500, report: BindReport | None = None) -> Iterator[int]:
    """Rewrite every version 1 field value (bound to field and subject) as version 2 (bound to
    its row as well), one committed batch of rows at a time; yields the values bound so far.

    The plaintext does not change, so no history row is written (like a KEK rotation); history
    rows are bound to the row they copy (its id, not their own). A run killed at any moment loses
    nothing and a rerun finds the values still in version 1. An erased person's values stay as
    they are (their key is gone); a value that does not open is listed in `report.failed`
    ("label:pk"), never rewritten.
    """
    from privacy.fields import EncryptedField, row_identity

    report = report if report is not None else BindReport()
    for model in encrypted_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        row_label, row_pk = row_identity(model)
        own_pk = model._meta.pk.attname
        subject_attnames = sorted({f"{f.subject_field}_id" for f in fields})
        names = [own_pk, row_pk, *subject_attnames, *(f.attname for f in fields)]
        table = connection.ops.quote_name(model._meta.db_table)
        pk_column = connection.ops.quote_name(model._meta.pk.column)
        last = None
        while True:
            with transaction.atomic():
                rows = model._base_manager.order_by(own_pk).select_for_update()
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                batch = [
                    dict(zip(names, r, strict=True)) for r in rows.values_list(*names)[:batch_size]
                ]
                if not batch:
                    break
                last = batch[-1][own_pk]
                vault.prefetch(row[name] for row in batch for name in subject_attnames)
                updates: dict[str, list] = {}
                for row in batch:
                    for each in fields:
                        sealed = _bind_one(each, row, row_label, row_pk, report)
                        if sealed is not None:
                            updates.setdefault(each.column, []).append((sealed, row[own_pk]))
                with connection.cursor() as cursor:
                    for column, params in updates.items():
                        column = connection.ops.quote_name(column)
                        cursor.executemany(
                            f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s",  # noqa: S608
                            params,
                        )
                report.bound += sum(len(p) for p in updates.values())
            yield report.bound


def _bind_one(each, row: dict, row_label: str, row_pk: str, report: BindReport) -> bytes | None:
    """The version 2 ciphertext of one version 1 value, or None when it stays as it is."""
    blob = row[each.attname]
    subject_id = row[f"{each.subject_field}_id"]
    if blob is None or subject_id is None:
        return None
    blob = bytes(blob)
    try:
        if crypto.version_of(blob) != crypto.VERSION:
            return None
        plaintext = vault.decrypt_value(blob, label=each.label, subject_id=subject_id)
    except crypto.DecryptionError:
        report.failed.append(f"{each.label}:{row[row_pk]}")
        return None
    if plaintext is vault.ERASED_KEY:
        report.erased += 1
        return None
    return vault.encrypt_value(
        plaintext,
        label=each.label,
        subject_id=subject_id,
        row=crypto.row_binding(row_label, row[row_pk]),
    )


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


def _clean_reference(reference: str) -> str:
    """A short, one-line reference with a digit (a letter's sign), or nothing."""
    reference = (reference or "").strip()
    if len(reference) > REFERENCE_MAX or not reference.isprintable():
        raise ValidationError(
            _("The reference is one line of at most %(max)s characters.") % {"max": REFERENCE_MAX},
            code="reference",
        )
    if reference and not any(ch.isdigit() for ch in reference):
        raise ValidationError(
            _("A reference is a case or letter number: it contains at least one digit."),
            code="reference",
        )
    return reference


def request_refuse(
    *,
    subject: Subject,
    by,
    request_kind: str,
    ground: str,
    review_on,
    reference: str = "",
    refused_on=None,
    request=None,
) -> RequestRefusal:
    """Record that the DPO refused a person's erasure or objection (art. 17(3), 21(1) GDPR).

    The ground is a code of the closed list, the reference a short sign; the day to look at it
    again comes to the DPO's to-do. The access log gets the purpose code only.
    """
    from audit.services import access_log_write

    if by is None or not by.has_role(*DPO_ROLES):
        raise PermissionDenied(_("Only the data protection officer decides on these requests."))
    if not scope.dpo_reaches(by, subject.pk):
        raise PermissionDenied(_("This person is not one of your organisation's data subjects."))
    if request_kind not in RefusedRequest.values:
        raise ValidationError(_("Choose what the person asked for."), code="request")
    if ground not in RefusalGround.values:
        raise ValidationError(_("Choose the ground of the refusal."), code="ground")
    refused_on = refused_on or timezone.localdate()
    if review_on is None or review_on <= refused_on:
        raise ValidationError(
            _("The review date comes after the day of the refusal."), code="review_on"
        )
    refusal = RequestRefusal(
        subject=subject,
        request=request_kind,
        ground=ground,
        reference=_clean_reference(reference),
        refused_on=refused_on,
        review_on=review_on,
        decided_by=by,
    )
    with transaction.atomic():
        refusal.full_clean()
        refusal._change_reason = "request refused"
        refusal.save()
        access_log_write(
            actor=by,
            action="create",
            subject_id=subject.pk,
            purpose=PURPOSE_REFUSAL,
            request=request,
        )
    return refusal


def refusal_review(*, refusal: RequestRefusal, by, next_review_on=None, request=None):
    """The DPO looked at a refusal again: it stays (a new refusal with the same ground and the
    next review date) or it ends (no next date: the request is to be granted or has lapsed)."""
    from audit.services import access_log_write

    if by is None or not by.has_role(*DPO_ROLES):
        raise PermissionDenied(_("Only the data protection officer decides on these requests."))
    if not scope.dpo_reaches(by, refusal.subject_id):
        raise PermissionDenied(_("This person is not one of your organisation's data subjects."))
    if refusal.reviewed_on is not None:
        raise ValidationError(_("This refusal has been reviewed already."), code="reviewed")
    today = timezone.localdate()
    if next_review_on is not None and next_review_on <= today:
        raise ValidationError(
            _("The review date comes after the day of the refusal."), code="review_on"
        )
    with transaction.atomic():
        refusal.reviewed_on = today
        refusal._change_reason = "refusal reviewed"
        refusal.save(update_fields=["reviewed_on"])
        renewed = None
        if next_review_on is not None:
            renewed = RequestRefusal(
                subject_id=refusal.subject_id,
                request=refusal.request,
                ground=refusal.ground,
                reference=refusal.reference,
                refused_on=today,
                review_on=next_review_on,
                decided_by=by,
            )
            renewed.full_clean()
            renewed._change_reason = "refusal renewed"
            renewed.save()
        access_log_write(
            actor=by,
            action="update",
            subject_id=refusal.subject_id,
            purpose=PURPOSE_REFUSAL_REVIEW,
            request=request,
        )
    return renewed


def refusals_due(*, on=None):
    """Refusals whose review day has come and that nobody has reviewed yet."""
    on = on or timezone.localdate()
    return RequestRefusal.objects.filter(reviewed_on__isnull=True, review_on__lte=on)
