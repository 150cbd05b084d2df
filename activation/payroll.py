"""The month's allowance list of a CIS for payroll: rows for the page, the CSV and the PDF.

An open month is computed now (activation.allowance, attendance aggregated in SQL); a closed one
is read as it was closed (AllowanceLine) with its logged corrections. Either way the list is
built in a constant number of queries whatever the number of participants. A month with a day
that has no rule in force raises allowance.MissingRule, naming the rule: never computed with
zero. The page or the download that shows the list writes the access-log row.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from activation.allowance import (
    DEDUCTION_LABELS,
    DEDUCTION_ORDER,
    allowances_for_cohort,
    allowances_for_programme,
)
from activation.dates import month_end, month_start
from activation.models import AllowanceBase, AllowanceMonth, Enrolment, Programme
from activation.pdf import build_landscape
from config.pdf import FONT, FONT_BOLD, para
from privacy import vault

ZERO = Decimal("0.00")


@dataclass
class Line:
    enrolment_id: int
    name: str
    sort: tuple
    participation_days: int
    base: Decimal | None
    percent: Decimal | None
    gross: Decimal
    # [(code, label, days, amount, source)]
    deductions: list
    bonus: Decimal
    amount: Decimal
    # Open month: what the bonus may be (0 in the trial month); the bonus as entered.
    bonus_cap: Decimal = ZERO
    bonus_entered: Decimal = ZERO
    forfeited: bool = False
    corrections: list = field(default_factory=list)
    # Open month: working days of participation up to yesterday nobody recorded (the amount is
    # as recorded so far; the month cannot be closed while any remain), and the cohort.
    unrecorded_days: int = 0
    cohort_id: int | None = None
    cohort_name: str = ""

    @property
    def corrections_total(self) -> Decimal:
        return sum((c.amount for c in self.corrections), ZERO)

    @property
    def to_pay(self) -> Decimal:
        return self.amount + self.corrections_total

    def deduction(self, code: str):
        for entry in self.deductions:
            if entry[0] == code:
                return entry
        return None


@dataclass
class Payroll:
    programme: Programme
    month: datetime.date
    closed: AllowanceMonth | None
    lines: list
    # The cohort the list is narrowed to (None: the whole programme).
    cohort: object = None

    @property
    def total(self) -> Decimal:
        return sum((line.to_pay for line in self.lines), ZERO)

    @property
    def codes(self) -> list[str]:
        """The deductions that occur in this month, in the list's order."""
        used = {entry[0] for line in self.lines for entry in line.deductions}
        return [code for code in DEDUCTION_ORDER if code in used]

    @property
    def unrecorded_participants(self) -> int:
        return sum(1 for line in self.lines if line.unrecorded_days)

    @property
    def unrecorded_by_cohort(self) -> list[dict]:
        """Each cohort with days to fill: its id (for the sheet's link), name, people, days."""
        found: dict[int, dict] = {}
        for line in self.lines:
            if line.unrecorded_days:
                entry = found.setdefault(
                    line.cohort_id,
                    {"id": line.cohort_id, "name": line.cohort_name, "people": 0, "days": 0},
                )
                entry["people"] += 1
                entry["days"] += line.unrecorded_days
        return sorted(found.values(), key=lambda entry: entry["name"])


def _people(enrolment_ids) -> dict[int, Enrolment]:
    enrolments = Enrolment.objects.filter(pk__in=list(enrolment_ids)).select_related(
        "client__subject", "cohort"
    )
    found = {e.pk: e for e in enrolments}
    vault.prefetch(e.client_id for e in found.values())
    return found


def _name(enrolment: Enrolment) -> tuple[str, tuple]:
    client = enrolment.client
    return client.full_name, (str(client.surname).casefold(), str(client.first_name).casefold())


def month_payroll(programme: Programme, month: datetime.date, *, cohort=None) -> Payroll:
    """The month's list: computed for an open month, as closed (with corrections) otherwise;
    of one cohort of the programme when `cohort` is given (a month is closed for the whole
    programme)."""
    first = month_start(month)
    closed = (
        AllowanceMonth.objects.filter(programme=programme, month=first)
        .select_related("closed_by")
        .first()
    )
    lines = _closed_lines(closed, cohort) if closed else _open_lines(programme, first, cohort)
    lines.sort(key=lambda line: line.sort)
    return Payroll(programme=programme, month=first, closed=closed, lines=lines, cohort=cohort)


def _open_lines(programme: Programme, first: datetime.date, cohort) -> list[Line]:
    if cohort is not None:
        computed = allowances_for_cohort(cohort, first)
    else:
        computed = allowances_for_programme(programme, first)
    breakdowns = [b for b in computed if b.participation_days]
    people = _people(b.enrolment_id for b in breakdowns)
    lines = []
    for b in breakdowns:
        enrolment = people[b.enrolment_id]
        name, sort = _name(enrolment)
        lines.append(
            Line(
                enrolment_id=b.enrolment_id,
                name=name,
                sort=sort,
                participation_days=b.participation_days,
                base=b.base,
                percent=b.percent,
                gross=b.gross,
                deductions=[(d.code, d.label, d.days, d.amount, d.source) for d in b.deductions],
                bonus=b.bonus,
                amount=b.amount,
                bonus_cap=b.bonus_cap,
                bonus_entered=b.bonus_entered,
                forfeited=b.forfeited,
                unrecorded_days=b.unrecorded_days,
                cohort_id=enrolment.cohort_id,
                cohort_name=enrolment.cohort.name,
            )
        )
    return lines


def _closed_lines(closed: AllowanceMonth, cohort) -> list[Line]:
    rows = closed.lines.all()
    corrections = closed.corrections.select_related("created_by")
    if cohort is not None:
        rows = rows.filter(enrolment__cohort=cohort)
        corrections = corrections.filter(enrolment__cohort=cohort)
    rows, corrections = list(rows), list(corrections)
    people = _people({row.enrolment_id for row in rows} | {c.enrolment_id for c in corrections})
    # The base in force on the month's last day (the lines keep amounts, not the base).
    base = (
        AllowanceBase.objects.filter(valid_from__lte=month_end(closed.month))
        .order_by("-valid_from")
        .values_list("amount", flat=True)
        .first()
    )
    lines = []
    for row in rows:
        name, sort = _name(people[row.enrolment_id])
        lines.append(
            Line(
                enrolment_id=row.enrolment_id,
                name=name,
                sort=sort,
                participation_days=row.participation_days,
                base=base,
                percent=None,
                gross=row.gross,
                deductions=[
                    (
                        d["code"],
                        str(DEDUCTION_LABELS.get(d["code"], d["code"])),
                        d["days"],
                        Decimal(d["amount"]),
                        d["source"],
                    )
                    for d in row.deductions
                ],
                bonus=row.bonus,
                amount=row.amount,
                forfeited=any(d["code"] == "forfeit" for d in row.deductions),
                corrections=[c for c in corrections if c.enrolment_id == row.enrolment_id],
            )
        )
    return lines


# --- CSV ------------------------------------------------------------------------------------------

# A cell a spreadsheet would read as a formula (or a command) starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value) -> str:
    """Text for a CSV cell that no spreadsheet runs: a leading formula character is quoted."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _money(value) -> str:
    """An amount as Polish spreadsheets read it (decimal comma, no grouping)."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def payroll_csv(payroll: Payroll) -> str:
    """The list for payroll as CSV (semicolons, decimal commas, UTF-8 with a BOM for Excel).

    Numbers are written by us; every text cell (names, labels) goes through `safe_cell`.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    codes = payroll.codes
    header = [_("Participant"), _("Days of participation"), _("Base amount"), _("Allowance")]
    for code in codes:
        label = str(DEDUCTION_LABELS[code])
        header += [f"{label}: {_('days')}", f"{label}: {_('amount')}"]
    header += [_("Motivation bonus"), _("Amount"), _("Corrections"), _("To pay")]
    writer.writerow([safe_cell(cell) for cell in header])
    for line in payroll.lines:
        row = [
            safe_cell(line.name),
            str(line.participation_days),
            _money(line.base),
            _money(line.gross),
        ]
        for code in codes:
            entry = line.deduction(code)
            row += [str(entry[2]), _money(entry[3])] if entry else ["", ""]
        row += [
            _money(line.bonus),
            _money(line.amount),
            _money(line.corrections_total) if line.corrections else "",
            _money(line.to_pay),
        ]
        writer.writerow(row)
    writer.writerow([safe_cell(_("Total"))] + [""] * (len(header) - 2) + [_money(payroll.total)])
    return buffer.getvalue()


# --- PDF ------------------------------------------------------------------------------------------


def _pln(value) -> str:
    return "" if value is None else formats.number_format(value, 2, force_grouping=True)


def payroll_pdf(payroll: Payroll) -> bytes:
    """The list for payroll (landscape, page numbers), with each deduction and its reason."""
    month_name = formats.date_format(payroll.month, "YEAR_MONTH_FORMAT")
    header = [
        _("Participant"),
        _("Days"),
        _("Base amount"),
        _("Allowance"),
        _("Deductions"),
        _("Bonus"),
        _("Amount"),
        _("Corrections"),
        _("To pay"),
    ]
    data = [[para(cell, "small") for cell in header]]
    for line in payroll.lines:
        deductions = "\n".join(
            f"{label} ({days}): −{_pln(amount)}"
            for _code, label, days, amount, _src in line.deductions
        )
        data.append(
            [
                para(line.name, "small"),
                str(line.participation_days),
                _pln(line.base),
                _pln(line.gross),
                para(deductions or "—", "small"),
                _pln(line.bonus),
                _pln(line.amount),
                _pln(line.corrections_total) if line.corrections else "",
                _pln(line.to_pay),
            ]
        )
    data.append([para(_("Total"), "small"), "", "", "", "", "", "", "", _pln(payroll.total)])
    widths = [50 * mm, 12 * mm, 22 * mm, 22 * mm, 85 * mm, 18 * mm, 22 * mm, 22 * mm, 22 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 1), (3, -1), "RIGHT"),
                ("ALIGN", (5, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
            ]
        )
    )
    if payroll.closed:
        state = _("Closed on %(date)s.") % {
            # In the local time the page shows, not UTC (the stored moment is aware).
            "date": formats.date_format(
                timezone.localtime(payroll.closed.closed_at), "SHORT_DATETIME_FORMAT"
            )
        }
    else:
        state = _("Draft: the month is not closed yet, the amounts may still change.")
    story = [
        para(_("Integration allowance: %(month)s") % {"month": month_name}, "title"),
        para(
            f"{payroll.programme.name}"
            + (f": {payroll.cohort.name}" if payroll.cohort is not None else "")
            + f". {state}"
        ),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 10 * mm),
        para(_("Prepared by:") + " " + "_" * 30),
        Spacer(1, 6 * mm),
        para(_("Approved by (head of the centre):") + " " + "_" * 30),
    ]
    footer = f"{payroll.programme.name}, {month_name}"
    if payroll.cohort is not None:
        footer = f"{payroll.programme.name}: {payroll.cohort.name}, {month_name}"
    return build_landscape(story, title=_("Integration allowance"), footer=footer)
