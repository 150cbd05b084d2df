"""Retention: what has outlived its period (privacy.models.RetentionPeriod), and its erasure.

A person's data goes through the vault's own erasure (`services._erase_one`: their key is
destroyed, their files shredded, the ledger and the access log say so) once everything of
theirs has expired: the case closed longer ago than the case-file period and no stay within the
stay period (nor an open one). Rows stay: the clear, non-identifying facts the reports count
(a stay's dates, facility, bed and exit destination; sex, year of birth) keep the figures whole.

A document of a case file whose period is shorter than the file's is shredded alone when the
case closed before the documents' period (its bytes deleted, its row kept and marked; the person
stays): apps name such files (`register_files`), the run shreds them after the erasures.

The access log is pruned behind a signed anchor (audit/prune.py): the entries older than its
period up to the newest anchor written before the cut-off go, and its verification starts from
that anchor (docs/privacy.md, "Retention").
"""

import datetime
import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from audit.anchors import Anchor
from audit.prune import PruneRefused, access_log_prune, access_log_prune_plan
from audit.purposes import Purpose
from privacy import vault
from privacy.models import ErasureReason, RetentionPeriod

Kind = RetentionPeriod.Kind


def _defaults() -> dict:
    return importlib.import_module("privacy.migrations.0005_retention_defaults").DEFAULTS


def retention_periods() -> dict[str, RetentionPeriod]:
    """{kind: period}; a kind missing from the table (a database built without the data
    migration) gets its default row."""
    periods = {p.kind: p for p in RetentionPeriod.objects.all()}
    for kind, (years, days, basis) in _defaults().items():
        if kind not in periods:
            periods[kind] = RetentionPeriod.objects.create(
                kind=kind, years=years, days=days, legal_basis=basis
            )
    return periods


def retention_period_set(
    *, by, period: RetentionPeriod, years: int, days: int, legal_basis: str
) -> RetentionPeriod:
    """The DPO changes one period and its legal basis; the history keeps who and what."""
    # The periods are the data protection officer's decision, and theirs only.
    if by is None or not by.has_role(Role.DPO):
        raise PermissionDenied(_("Only the data protection officer sets retention periods."))
    period.years, period.days, period.legal_basis = years, days, legal_basis.strip()
    period.full_clean()
    period._change_reason = "retention_period_set"
    period._history_user = by
    period.save()
    return period


@dataclass
class RetentionRun:
    """What a run found (and, unless a dry run, did). Ids only, never names."""

    today: datetime.date
    dry_run: bool
    case_closed_before: datetime.date
    stay_ended_before: datetime.date
    access_log_before: datetime.date
    documents_before: datetime.date | None = None
    subjects: list[uuid.UUID] = field(default_factory=list)
    erased: int = 0
    # Files expired on their own (documents), of people who stay: ids, then how many shredded.
    files: list[uuid.UUID] = field(default_factory=list)
    files_shredded: int = 0
    access_log_expired: int = 0
    # The newest signed anchor older than the cut-off (the prune goes up to it), how many
    # entries lie up to it (deleted unless a dry run), and why nothing was pruned, if refused.
    access_log_anchor: Anchor | None = None
    # Each chain's anchor the prune goes up to, by chain number (audit/prune.py: one per chain).
    access_log_anchors: tuple[tuple[int, Anchor], ...] = ()
    access_log_prunable: int = 0
    access_log_pruned: int = 0
    access_log_refused: str = ""


# What the domain apps say about retention (privacy imports no domain app); filled from their
# AppConfig.ready(). A candidate finder names the subjects whose records of that app have expired
# (cases: the case closed before the period); a keeper names the subjects of `candidates` that
# something of the app still keeps (shelters: an open stay, or one ended within the period).
_CANDIDATES: dict[str, Callable[[dict, datetime.date], set[uuid.UUID]]] = {}
_KEEPERS: dict[str, Callable[[dict, datetime.date, set[uuid.UUID]], set[uuid.UUID]]] = {}
# A file finder names the files (privacy.EncryptedFile ids) of people not erased whose own period
# has passed (cases: the documents of a case closed before the documents' period).
_FILES: dict[str, Callable[[dict, datetime.date], set[uuid.UUID]]] = {}


def register_candidates(name: str, finder) -> None:
    """`finder(periods, today) -> set of subject ids` whose records of app `name` expired."""
    _CANDIDATES[name] = finder


def register_keeper(name: str, keeper) -> None:
    """`keeper(periods, today, candidates) -> subject ids` that app `name` still keeps."""
    _KEEPERS[name] = keeper


def register_files(name: str, finder) -> None:
    """`finder(periods, today) -> set of file ids` of app `name` to shred alone."""
    _FILES[name] = finder


def expired_files(periods: dict, today: datetime.date) -> list[uuid.UUID]:
    """The files (not shredded yet, of people not erased) whose own period has passed."""
    found: set[uuid.UUID] = set()
    for name in sorted(_FILES):
        found |= set(_FILES[name](periods, today))
    return sorted(found)


def expired_subjects(periods: dict, today: datetime.date) -> list[uuid.UUID]:
    """The subjects whose every record has outlived its period (not erased yet), in id order."""
    from privacy.models import Subject

    candidates: set[uuid.UUID] = set()
    for name in sorted(_CANDIDATES):
        candidates |= set(_CANDIDATES[name](periods, today))
    for name in sorted(_KEEPERS):
        if not candidates:
            break
        candidates -= set(_KEEPERS[name](periods, today, candidates))
    erased = set(
        Subject.objects.filter(pk__in=list(candidates), erased_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    return sorted(candidates - erased)


def retention_apply(*, today: datetime.date, dry_run: bool) -> RetentionRun:
    """Erase (unless `dry_run`) every person whose records have all expired on `today`, then
    prune the access log behind a signed anchor.

    One transaction per person, so a run stopped halfway keeps what it did and a rerun goes on.
    A prune refused (no anchor old enough, a broken chain) is reported in the run, not raised:
    the erasures stand.
    """
    from privacy.services import _erase_one

    periods = retention_periods()
    run = RetentionRun(
        today=today,
        dry_run=dry_run,
        case_closed_before=periods[Kind.CASE_FILE].expired_before(today),
        stay_ended_before=periods[Kind.STAY].expired_before(today),
        access_log_before=periods[Kind.ACCESS_LOG].expired_before(today),
        documents_before=periods[Kind.DOCUMENT].expired_before(today),
    )
    run.subjects = expired_subjects(periods, today)
    if dry_run:
        # The people erased would take their files with them: not counted twice.
        erased = set(run.subjects)
        run.files = [
            file_id
            for file_id, subject_id in _files_with_subjects(expired_files(periods, today))
            if subject_id not in erased
        ]
        _prune_access_log(run, dry_run=True)
        return run
    for subject_id in run.subjects:
        with transaction.atomic():
            _erase_one(
                subject_id=subject_id,
                by=None,
                reason=ErasureReason.RETENTION,
                reference="",
                purpose=Purpose.RETENTION,
            )
        vault.cache.evict_subject(subject_id)
        run.erased += 1
    # After the erasures: what is left are files of people who stay.
    run.files = expired_files(periods, today)
    if run.files:
        run.files_shredded = _shred_files(run.files)
    _prune_access_log(run, dry_run=False)
    return run


def _files_with_subjects(file_ids: list[uuid.UUID]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    from privacy.models import EncryptedFile

    return list(
        EncryptedFile.objects.filter(pk__in=file_ids).order_by("pk").values_list("pk", "subject_id")
    )


def _shred_files(file_ids: list[uuid.UUID]) -> int:
    """Shred the files in one transaction, with an access-log row for each person concerned."""
    from audit.services import access_log_write
    from privacy.files import files_shred

    with transaction.atomic():
        shredded = files_shred(file_ids)
        for subject_id in sorted({subject for _file, subject in _files_with_subjects(file_ids)}):
            access_log_write(
                actor=None,
                action="erase",
                subject_id=subject_id,
                purpose=Purpose.RETENTION_DOCUMENTS,
            )
    return shredded


def access_log_retained_since(today: datetime.date) -> datetime.datetime:
    """The access log's cut-off on `today`: entries written before it have expired."""
    before = retention_periods()[Kind.ACCESS_LOG].expired_before(today)
    return timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))


def _prune_access_log(run: RetentionRun, *, dry_run: bool) -> None:
    cut_off = timezone.make_aware(
        datetime.datetime.combine(run.access_log_before, datetime.time.min)
    )
    plan = access_log_prune_plan(before=cut_off)
    run.access_log_expired = plan.expired
    run.access_log_anchor = plan.anchor
    run.access_log_anchors = tuple((c.chain, c.anchor) for c in plan.chains if c.anchor)
    run.access_log_prunable = plan.entries
    if dry_run:
        return
    try:
        done = access_log_prune(before=cut_off)
    except PruneRefused as refused:
        run.access_log_refused = str(refused)
        return
    run.access_log_pruned = done.entries if done.pruned else 0
