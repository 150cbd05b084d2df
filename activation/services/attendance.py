"""A cohort's day of attendance, saved in one call by one of its coaches."""

import datetime
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from activation import access, selectors
from activation.models import Attendance, AttendanceStatus, Cohort
from activation.services._common import log, refuse_closed_month, refuse_future
from audit.purposes import Purpose


def attendance_save_day(
    *,
    by,
    cohort: Cohort,
    day: datetime.date,
    statuses: Mapping[int, str],
    seen: str | None,
    notes: Mapping[int, str] | None = None,
    request=None,
) -> list[Attendance]:
    """Save a whole group's day: `statuses` by enrolment id; everyone not given is present.

    Refused, with nothing saved: a day in the future, a day of a closed allowance month, a
    status for someone not taking part that day (before their start, after their end,
    suspended, or not of this cohort), "other" without a note, and a save made on stale values:
    `seen` is the token the form was drawn with (selectors.attendance_version), and if another
    coach saved the day since, the save is refused so that the newer values can be shown.
    The cohort row is locked for the save, so two coaches saving at once are serialised: one
    wins, the other is refused as stale. Saving again updates only what changed, with history.
    """
    notes = notes or {}
    if not access.may_take_attendance(by, cohort):
        raise PermissionDenied(_("You do not take this cohort's attendance."))
    refuse_future(day, _("Attendance cannot be recorded for a day in the future."))
    with transaction.atomic():
        cohort = (
            Cohort.objects.select_for_update(of=("self",))
            .select_related("programme")
            .get(pk=cohort.pk)
        )
        refuse_closed_month(cohort.programme, day)
        if seen is not None and seen != selectors.attendance_version(cohort, day):
            raise ValidationError(
                _(
                    "Someone else saved this day in the meantime: the newer values are shown. "
                    "Check them and save again."
                ),
                code="stale",
            )
        participants = {e.pk: e for e in selectors.participants_on(cohort, day)}
        outside = sorted(set(statuses) - set(participants))
        if outside:
            raise ValidationError(
                _(
                    "Some of the people marked do not take part on that day (before their "
                    "start, after their end, or suspended)."
                ),
                code="outside_enrolment",
                params={"enrolments": outside},
            )
        existing = {
            row.enrolment_id: row
            for row in Attendance.objects.filter(enrolment__in=list(participants), day=day)
        }
        saved, created = [], []
        for enrolment_id, enrolment in participants.items():
            status = statuses.get(enrolment_id, AttendanceStatus.PRESENT)
            note = (notes.get(enrolment_id) or "").strip()
            if status not in AttendanceStatus.values:
                raise ValidationError(
                    _("Choose each person's attendance from the list."), code="invalid_choice"
                )
            if status == AttendanceStatus.OTHER and not note:
                raise ValidationError(
                    _("“Other” needs a note saying what it was."), code="note_required"
                )
            row = existing.get(enrolment_id)
            if row is None:
                row = Attendance(
                    enrolment=enrolment,
                    client_id=enrolment.client_id,
                    day=day,
                    status=status,
                    note=note,
                    recorded_by=by,
                )
                _validate(row)
                created.append(row)
            elif row.status != status or row.note != note:
                row.status, row.note, row.recorded_by = status, note, by
                _validate(row)
                row._change_reason = "attendance_correct"
                row._history_user = by
                row.save()
            saved.append(row)
        # New rows in one insert (and one for their history), whatever the size of the group.
        if created:
            bulk_create_with_history(
                created, Attendance, default_user=by, default_change_reason="attendance_save"
            )
        # One row for the day (like the bed board): the history names every change and person.
        log(
            by=by,
            action="update",
            purpose=Purpose.ATTENDANCE,
            request=request,
        )
    return saved


def _validate(row: Attendance) -> None:
    """The row's own fields; the uniqueness of (enrolment, day) was checked under the lock and
    is the database's constraint, and the related rows were just loaded."""
    row.full_clean(
        exclude=["enrolment", "client", "recorded_by"],
        validate_unique=False,
        validate_constraints=False,
    )
