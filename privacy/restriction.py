"""The restriction of processing (art. 18 GDPR): the one rule, and the DPO's two services.

While a restriction is in force the person's data is stored, not processed: their file is
read-only for everyone (the DPO keeps what the DPO does: the person's page, the export, the
erasure, the lifting). Every service that starts new processing of a person asks
`require_processing_allowed` (cases.access.require_change asks it for every change to a file,
activation's services for enrolments and placements), and the pages ask
`processing_allowed` to hide their forms: one rule, asked by both.

One exception is written down, not forgotten: a shelter check-in is never refused (a bed for
the night is a vital interest, art. 18(2) GDPR: "for the protection of the rights of another
natural person" and vital interests); the check-in page warns, and the access-log row of the
check-in records that legal basis (purpose CHECK_IN_RESTRICTED).
"""

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.record import record
from privacy.models import Restriction, Subject


def restriction_in_force(subject_id, *, on: datetime.date | None = None) -> Restriction | None:
    """The person's restriction in force today (or on `on`), or None (one query)."""
    return Restriction.objects.in_force(on).filter(subject_id=subject_id).first()


def processing_allowed(subject_id, *, on: datetime.date | None = None) -> bool:
    """Whether new processing of the person's data may start (no restriction in force)."""
    return not Restriction.objects.in_force(on).filter(subject_id=subject_id).exists()


def restricted_message() -> str:
    return _(
        "Processing of this person's data is restricted (GDPR art. 18): their file is kept "
        "but nothing new may be recorded. Ask the data protection officer."
    )


def require_processing_allowed(subject_id) -> None:
    """Refuse (ValidationError, with a translated message) new processing of a restricted
    person: the services ask this, as the pages ask `processing_allowed`."""
    if not processing_allowed(subject_id):
        raise ValidationError(restricted_message(), code="restricted")


def restricted_among(subject_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the ids are restricted today (one query; the search marks them)."""
    ids = list(subject_ids)
    if not ids:
        return set()
    found = Restriction.objects.in_force().filter(subject_id__in=ids)
    return set(found.values_list("subject_id", flat=True))


def restriction_set(
    *,
    by,
    subject: Subject,
    reason: str,
    restricted_on: datetime.date,
    note: str = "",
    request=None,
) -> Restriction:
    """Restrict processing of `subject` from `restricted_on` (the DPO, art. 18 GDPR).

    The reason is a code; the note is sealed under the person's key and never logged. A second
    restriction while one is in force is refused (lift it first).
    """
    if subject.is_erased:
        raise ValidationError(_("This person's data has been erased."))
    with transaction.atomic():
        # Locks the person's row: two DPOs restricting at once give one restriction.
        Subject.objects.select_for_update().get(pk=subject.pk)
        if Restriction.objects.filter(subject=subject, lifted_at__isnull=True).exists():
            raise ValidationError(_("Processing of this person's data is already restricted."))
        restriction = Restriction(
            subject=subject,
            reason=reason,
            note=note,
            restricted_on=restricted_on,
            restricted_by=by,
        )
        return record(
            restriction,
            by=by,
            reason="restriction_set",
            subject_id=subject.pk,
            action=AccessLogEntry.Action.UPDATE,
            purpose=Purpose.RESTRICTION_SET,
            request=request,
        )


def restriction_lift(*, by, restriction: Restriction, request=None) -> Restriction:
    """Lift a restriction (the DPO): processing may start again; the lifting is logged and
    kept in the restriction's history."""
    with transaction.atomic():
        locked = Restriction.objects.select_for_update().get(pk=restriction.pk)
        if locked.lifted_at is not None:
            raise ValidationError(_("This restriction has already been lifted."))
        locked.lifted_at = timezone.now()
        locked.lifted_by = by
        return record(
            locked,
            by=by,
            reason="restriction_lift",
            subject_id=locked.subject_id,
            action=AccessLogEntry.Action.UPDATE,
            purpose=Purpose.RESTRICTION_LIFT,
            request=request,
        )


class ProcessingRestricted(PermissionDenied):
    """A page refused a change because the person's processing is restricted (403, with the
    restriction's own explanation: config.views.permission_denied)."""

    def __init__(self):
        super().__init__(restricted_message())
