"""Reads the activation pages and services share, in a constant number of queries.

They return personal data (participants' enrolments and clients) but write no access-log row:
the page that shows them writes it (as the bed board does), the services never show anything.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from activation.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    Enrolment,
    EnrolmentSuspension,
)


def participants_on(cohort: Cohort, day: datetime.date) -> QuerySet[Enrolment]:
    """Enrolments of the cohort taking part on `day`: started, not ended, not suspended."""
    suspended = EnrolmentSuspension.objects.filter(starts_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )
    return (
        Enrolment.objects.filter(cohort=cohort)
        .started_by(day)
        .exclude(pk__in=suspended.values("enrolment_id"))
        .select_related("client")
        .order_by("pk")
    )


def attendance_version(cohort: Cohort, day: datetime.date) -> str:
    """A token of the day's saved attendance: it changes whenever anyone saves the day.

    The form carries the token it was drawn with; a save whose token no longer matches was
    made on stale values and is refused (activation.services.attendance_save_day).
    """
    rows = (
        Attendance.objects.filter(enrolment__cohort=cohort, day=day)
        .order_by("enrolment_id")
        .values_list("enrolment_id", "status", "recorded_at")
    )
    digest = hashlib.sha256()
    for enrolment_id, status, recorded_at in rows:
        digest.update(f"{enrolment_id}|{status}|{recorded_at.isoformat()};".encode())
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class AttendanceRow:
    enrolment: Enrolment
    # None when the day has not been saved for this participant (the form shows "present").
    attendance: Attendance | None

    @property
    def status(self) -> str:
        return self.attendance.status if self.attendance else AttendanceStatus.PRESENT


@dataclass(frozen=True)
class AttendanceDay:
    cohort: Cohort
    day: datetime.date
    rows: tuple[AttendanceRow, ...]
    version: str


def attendance_day(cohort: Cohort, day: datetime.date) -> AttendanceDay:
    """The cohort's participants on `day` with what is saved for them, and the day's token.

    Three queries whatever the size of the group (participants with their clients, the saved
    rows, the token); a page that shows names unwraps the participants' keys at once
    (privacy.vault.prefetch) rather than one by one.
    """
    participants = list(participants_on(cohort, day).select_related("client__subject"))
    saved = {
        row.enrolment_id: row
        for row in Attendance.objects.filter(enrolment__in=[p.pk for p in participants], day=day)
    }
    return AttendanceDay(
        cohort=cohort,
        day=day,
        rows=tuple(AttendanceRow(enrolment=p, attendance=saved.get(p.pk)) for p in participants),
        version=attendance_version(cohort, day),
    )
