"""A job coach's attendance pages: the cohorts they coach and a group's day on a phone.

Thin, as every view: load the cohort through activation.access (404 alike for missing and
someone else's), read through activation.selectors, save through one service. The day's form
shows everyone taking part that day, each as saved or, when the day is not saved yet, present;
one tap (a radio button drawn as a big button, no JavaScript needed) changes a person, one POST
saves the day. The form carries the day's token: a save made on values someone else has changed
since is refused and the newer values are shown.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import Role
from activation import access, selectors, services, sheets
from activation.forms.attendance import DayForm, chosen_day, chosen_month
from activation.models import AttendanceStatus, Cohort
from activation.rows import attendance_rows_html as rows_html
from activation.services._common import month_is_closed
from audit.purposes import Purpose
from audit.services import access_log_write
from privacy import vault

# Short words for the big buttons (the full labels are the buttons' titles).
STATUS_BUTTONS = (
    (AttendanceStatus.PRESENT, pgettext_lazy("attendance button", "Present")),
    (AttendanceStatus.EXCUSED, pgettext_lazy("attendance button", "Excused")),
    (AttendanceStatus.UNEXCUSED, pgettext_lazy("attendance button", "Unexcused")),
    (AttendanceStatus.SICK, pgettext_lazy("attendance button", "Sick (L4)")),
    (AttendanceStatus.DAY_OFF, pgettext_lazy("attendance button", "Day off")),
    (AttendanceStatus.OTHER, pgettext_lazy("attendance button", "Other")),
)
NOTE_MAX = 1000


@require_GET
@role_required(Role.JOB_COACH)
def cohort_list(request):
    """The cohorts the coach takes attendance of: running ones first, each one tap from today."""
    today = timezone.localdate()
    cohorts = access.cohorts_coached_by(request.user).select_related("programme")
    running, other = [], []
    for cohort in cohorts.order_by("programme__name", "name"):
        is_running = cohort.starts_on <= today and (
            cohort.ends_on is None or cohort.ends_on >= today
        )
        (running if is_running else other).append(cohort)
    return render(
        request,
        "activation/attendance/cohort_list.html",
        {"running": running, "other": other, "today": today},
    )


@role_required(Role.JOB_COACH)
def day(request, cohort_id):
    """A group's day: GET shows the form (?day=ISO, default today), POST saves the day."""
    cohort = access.get_cohort_for_coach(request.user, cohort_id)
    if request.method == "POST":
        return _save(request, cohort)
    form, chosen = chosen_day(request.GET)
    return _page(request, cohort, chosen, form)


def _day_url(cohort: Cohort, day: datetime.date) -> str:
    return f"{reverse('activation:attendance-day', args=[cohort.pk])}?day={day.isoformat()}"


def _posted_marks(post) -> tuple[dict[int, str], dict[int, str]]:
    """(status, note) by enrolment id from the form's `status-<id>` and `note-<id>` fields."""
    statuses, notes = {}, {}
    for key, value in post.items():
        if not key.startswith("status-"):
            continue
        try:
            enrolment_id = int(key.removeprefix("status-"))
        except ValueError:
            continue
        statuses[enrolment_id] = value
        notes[enrolment_id] = post.get(f"note-{enrolment_id}", "")
    return statuses, notes


def _save(request, cohort: Cohort):
    form = DayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the day with the calendar."))
        return redirect("activation:attendance-day", cohort_id=cohort.pk)
    chosen = form.cleaned_data["day"]
    statuses, notes = _posted_marks(request.POST)
    # A note the service would refuse is pointed at on its own row before anything is sent.
    missing = {
        pk
        for pk, status in statuses.items()
        if status == AttendanceStatus.OTHER and not notes[pk].strip()
    }
    too_long = {pk for pk, note in notes.items() if len(note) > NOTE_MAX}
    if missing or too_long:
        if missing:
            messages.error(request, _("“Other” needs a note saying what it was."))
        if too_long:
            messages.error(
                request, _("A note may be at most %(max)s characters long.") % {"max": NOTE_MAX}
            )
        return _page(
            request, cohort, chosen, form, submitted=(statuses, notes), flagged=missing | too_long
        )
    try:
        saved = services.attendance_save_day(
            by=request.user,
            cohort=cohort,
            day=chosen,
            statuses=statuses,
            notes=notes,
            # A form without its token is treated as drawn on stale values.
            seen=request.POST.get("seen", ""),
            request=request,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        if getattr(error, "code", None) == "stale":
            # Someone saved the day meanwhile: their values are shown, not ours.
            return _page(request, cohort, chosen, form)
        return _page(request, cohort, chosen, form, submitted=(statuses, notes))
    messages.success(
        request,
        ngettext(
            "Attendance saved: %(count)s person.",
            "Attendance saved: %(count)s people.",
            len(saved),
        )
        % {"count": len(saved)},
    )
    return redirect(_day_url(cohort, chosen))


def _page(request, cohort: Cohort, chosen, form, *, submitted=None, flagged=frozenset()):
    """The day's form: everyone taking part that day, in a constant number of queries."""
    today = timezone.localdate()
    data = selectors.attendance_day(cohort, chosen)
    # Every participant's key unwrapped at once, not one by one.
    vault.prefetch(row.enrolment.client_id for row in data.rows)
    statuses, notes = submitted or ({}, {})
    rows = []
    for row in data.rows:
        enrolment, client = row.enrolment, row.enrolment.client
        saved_note = row.attendance.note if row.attendance else ""
        rows.append(
            {
                "id": enrolment.pk,
                "name": client.full_name,
                "sort": (str(client.surname).casefold(), str(client.first_name).casefold()),
                "status": statuses.get(enrolment.pk, row.status),
                "note": notes.get(enrolment.pk, saved_note),
                "is_saved": row.attendance is not None,
                "flagged": enrolment.pk in flagged,
            }
        )
    rows.sort(key=lambda r: r["sort"])
    labels = {code: str(label) for code, label in AttendanceStatus.choices}
    is_future = chosen > today
    is_closed = month_is_closed(cohort.programme, chosen) if cohort.programme.is_cis else False
    can_save = bool(rows) and not is_future and not is_closed
    # The page shows the group's names: one access-log row for the render (as the bed board).
    access_log_write(actor=request.user, action="view", purpose=Purpose.ATTENDANCE, request=request)
    context = {
        "cohort": cohort,
        "day": chosen,
        "form": form,
        "rows": rows,
        "rows_html": rows_html(
            rows,
            # (code, the button's word, the full label as its title), looked up once per page.
            [(code, str(word), labels[code]) for code, word in STATUS_BUTTONS],
            can_save=can_save,
        ),
        "version": data.version,
        "is_saved": any(r["is_saved"] for r in rows),
        "is_future": is_future,
        "is_closed": is_closed,
        "can_save": can_save,
        "previous": chosen - datetime.timedelta(days=1),
        "next": chosen + datetime.timedelta(days=1) if chosen < today else None,
        "today": today,
    }
    return render(request, "activation/attendance/day.html", context)


SHEET_ROLES = (Role.JOB_COACH, Role.MANAGER)


def _sheet(request, cohort_id, *, action: str):
    cohort = access.get_cohort_for_sheet(request.user, cohort_id)
    form, month = chosen_month(request.GET, timezone.localdate())
    sheet = sheets.month_sheet(cohort, month)
    # The sheet names every participant: one access-log row for the render or the printout.
    access_log_write(
        actor=request.user, action=action, purpose=Purpose.ATTENDANCE_SHEET, request=request
    )
    return form, sheet


@require_GET
@role_required(*SHEET_ROLES)
def sheet(request, cohort_id):
    """The cohort's month: every participant × day with the totals per code (?month=YYYY-MM)."""
    form, data = _sheet(request, cohort_id, action="view")
    rows = [
        {
            "name": row.name,
            "cells": [sheets.symbol(c) for c in row.cells],
            "totals": [row.totals[code] for code in AttendanceStatus.values],
        }
        for row in data.rows
    ]
    context = {
        "cohort": data.cohort,
        "sheet": data,
        "rows": rows,
        "form": form,
        "legend": sheets.legend(),
        "codes": [(code, sheets.SYMBOLS[code], label) for code, label in AttendanceStatus.choices],
        "totals": [data.totals[code] for code in AttendanceStatus.values],
        "is_coach": access.coaches_cohort(request.user, data.cohort),
    }
    return render(request, "activation/attendance/sheet.html", context)


@require_GET
@role_required(*SHEET_ROLES)
def sheet_pdf(request, cohort_id):
    """The same month as a PDF for signature (landscape, page numbers)."""
    _form, data = _sheet(request, cohort_id, action="print")
    response = HttpResponse(sheets.sheet_pdf(data), content_type="application/pdf")
    # The file name carries ids and the month only, never a name.
    name = f"attendance-{data.cohort.pk}-{data.month:%Y-%m}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
