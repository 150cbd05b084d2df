"""The monthly attendance sheet of a cohort: every participant × every day, with totals.

Read in a constant number of queries whatever the size of the group or the month (the
participants with their clients, their suspensions, the month's marks, the totals counted by
the database) and printed as a landscape PDF for signature. The page that shows it writes the
access-log row.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from activation.dates import month_end, month_start
from activation.models import Attendance, AttendanceStatus, Cohort, Enrolment
from activation.pdf import build_landscape
from config.pdf import FONT, FONT_BOLD, para, styles
from privacy import vault

# One or two letters per status: the sheet's cells and its legend.
SYMBOLS = {
    AttendanceStatus.PRESENT: pgettext_lazy("attendance sheet: present", "P"),
    AttendanceStatus.EXCUSED: pgettext_lazy("attendance sheet: excused", "E"),
    AttendanceStatus.UNEXCUSED: pgettext_lazy("attendance sheet: unexcused", "U"),
    AttendanceStatus.SICK: pgettext_lazy("attendance sheet: sick", "S"),
    AttendanceStatus.DAY_OFF: pgettext_lazy("attendance sheet: day off", "D"),
    AttendanceStatus.OTHER: pgettext_lazy("attendance sheet: other", "O"),
}
# A day outside someone's participation (before the start, after the end, suspended).
NOT_TAKING_PART = "–"


@dataclass
class SheetRow:
    enrolment_id: int
    name: str
    sort: tuple
    # Per day: a status code, "" (taking part, nothing saved) or None (not taking part).
    cells: list
    totals: dict = field(default_factory=dict)


@dataclass
class Sheet:
    cohort: Cohort
    month: datetime.date
    days: list
    rows: list
    totals: dict

    @property
    def statuses(self):
        return list(AttendanceStatus.values)


def month_sheet(cohort: Cohort, month: datetime.date) -> Sheet:
    """The cohort's month: who took part on which day, what was saved, the totals by code."""
    first, last = month_start(month), month_end(month)
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort, started_on__isnull=False, started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .select_related("client__subject")
        .prefetch_related("suspensions")
        .order_by("pk")
    )
    ids = [e.pk for e in enrolments]
    in_month = Attendance.objects.filter(enrolment_id__in=ids, day__gte=first, day__lte=last)
    marks = {
        (enrolment_id, day): status
        for enrolment_id, day, status in in_month.values_list("enrolment_id", "day", "status")
    }
    counted: dict[int, dict[str, int]] = {e: {} for e in ids}
    for row in in_month.order_by().values("enrolment_id", "status").annotate(days=Count("id")):
        counted[row["enrolment_id"]][row["status"]] = row["days"]
    vault.prefetch(e.client_id for e in enrolments)
    rows = []
    for enrolment in enrolments:
        suspensions = list(enrolment.suspensions.all())
        cells = []
        for day in days:
            taking_part = (
                day >= enrolment.started_on
                and (enrolment.ended_on is None or day <= enrolment.ended_on)
                and not any(s.covers(day) for s in suspensions)
            )
            cells.append(marks.get((enrolment.pk, day), "") if taking_part else None)
        client = enrolment.client
        rows.append(
            SheetRow(
                enrolment_id=enrolment.pk,
                name=client.full_name,
                sort=(str(client.surname).casefold(), str(client.first_name).casefold()),
                cells=cells,
                totals={s: counted[enrolment.pk].get(s, 0) for s in AttendanceStatus.values},
            )
        )
    rows.sort(key=lambda r: r.sort)
    totals = {s: sum(r.totals[s] for r in rows) for s in AttendanceStatus.values}
    return Sheet(cohort=cohort, month=first, days=days, rows=rows, totals=totals)


def symbol(code) -> str:
    if code is None:
        return NOT_TAKING_PART
    return str(SYMBOLS.get(code, "")) if code else ""


def legend() -> str:
    parts = [f"{SYMBOLS[code]} = {label}" for code, label in AttendanceStatus.choices]
    parts.append(f"{NOT_TAKING_PART} = {_('not taking part that day')}")
    return "; ".join(parts)


def sheet_pdf(sheet: Sheet) -> bytes:
    """The sheet for signature: landscape A4, a row a participant, a column a day, the totals,
    a column for the participant's signature, and lines for the coach's and the head's."""
    cell = styles()["small"]
    month_name = formats.date_format(sheet.month, "YEAR_MONTH_FORMAT")
    header = [Paragraph(_("Participant"), cell)]
    header += [str(day.day) for day in sheet.days]
    header += [str(SYMBOLS[code]) for code in AttendanceStatus.values]
    header.append(Paragraph(_("Signature"), cell))
    data = [header]
    for row in sheet.rows:
        data.append(
            [para(row.name, "small")]
            + [symbol(code) for code in row.cells]
            + [str(row.totals[code]) for code in AttendanceStatus.values]
            + [""]
        )
    data.append(
        [Paragraph(_("Total"), cell)]
        + [""] * len(sheet.days)
        + [str(sheet.totals[code]) for code in AttendanceStatus.values]
        + [""]
    )
    n_days = len(sheet.days)
    widths = [44 * mm] + [5.6 * mm] * n_days + [7 * mm] * len(AttendanceStatus.values) + [24 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("ALIGN", (1, 0), (-2, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("LEFTPADDING", (1, 0), (-2, -1), 1),
        ("RIGHTPADDING", (1, 0), (-2, -1), 1),
        ("BACKGROUND", (1 + n_days, 0), (-2, -1), colors.Color(0.93, 0.93, 0.93)),
    ]
    for index, day in enumerate(sheet.days, start=1):
        if day.weekday() >= 5:
            style.append(("BACKGROUND", (index, 0), (index, -1), colors.Color(0.85, 0.85, 0.85)))
    table.setStyle(TableStyle(style))
    cohort = sheet.cohort
    story = [
        para(_("Attendance list: %(month)s") % {"month": month_name}, "title"),
        para(
            f"{cohort.programme.name}: {cohort.name}"
            + (f", {cohort.place}" if cohort.place else "")
        ),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 3 * mm),
        para(legend(), "small"),
        Spacer(1, 10 * mm),
        para(_("Prepared by (job coach):") + " " + "_" * 30),
        Spacer(1, 6 * mm),
        para(_("Approved by (head of the centre):") + " " + "_" * 30),
    ]
    footer = f"{cohort.programme.name}: {cohort.name}, {month_name}"
    return build_landscape(story, title=_("Attendance list"), footer=footer)
