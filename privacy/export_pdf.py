"""The person's data package as a PDF they can read: the same records as the JSON, in Polish.

Built from the JSON document (privacy.export.package_build), so the two list the same records.
Every value goes through config.pdf.para (escaped); the PDF's title is generic, never a name.
"""

import datetime

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from audit.models import AccessLogEntry
from audit.purposes import Purpose
from config import pdf
from privacy.export import Kind, Package, model_field, role_label
from privacy.models import ChildrenInExport, StaffNaming

TABLE_WIDTH = A4[0] - pdf.LEFT_MARGIN - pdf.RIGHT_MARGIN
# Names for fields whose models give none of their own (a foreign key's default name is its
# attribute's, in English): by the field's name, whatever the kind of record.
FIELD_LABELS = {
    "email": pgettext_lazy("export field", "e-mail"),
    "registered_by": pgettext_lazy("export field", "registered by"),
    "approved_by": pgettext_lazy("export field", "approved by"),
    "approved_at": pgettext_lazy("export field", "approved at"),
    "created_by": pgettext_lazy("export field", "created by"),
    "created_at": pgettext_lazy("export field", "created at"),
    "plan": pgettext_lazy("export field", "plan"),
    "position": pgettext_lazy("export field", "position"),
    "goal": pgettext_lazy("export field", "goal"),
    "reviewed_by": pgettext_lazy("export field", "reviewed by"),
    "author": pgettext_lazy("export field", "author"),
    "partner": pgettext_lazy("export field", "partner"),
    "recorded_by": pgettext_lazy("export field", "recorded by"),
    "uploaded_at": pgettext_lazy("export field", "uploaded at"),
    "uploaded_by": pgettext_lazy("export field", "uploaded by"),
    "taken_by": pgettext_lazy("export field", "taken by"),
    "facility": pgettext_lazy("export field", "facility"),
    "bed": pgettext_lazy("export field", "bed"),
    "room": pgettext_lazy("export field", "room"),
    "transferred_from": pgettext_lazy("export field", "transferred from"),
    "checked_in_by": pgettext_lazy("export field", "checked in by"),
    "checked_out_by": pgettext_lazy("export field", "checked out by"),
    "member": pgettext_lazy("export field", "member of the household"),
    "lifted_by": pgettext_lazy("export field", "lifted by"),
    "offered_hold": pgettext_lazy("export field", "offered hold"),
    "enrolled_by": pgettext_lazy("export field", "enrolled by"),
    "enrolment": pgettext_lazy("export field", "enrolment"),
    "participation_days": pgettext_lazy("export field", "participation days"),
    "gross": pgettext_lazy("export field", "gross amount"),
    "deductions": pgettext_lazy("export field", "deductions"),
    "bonus": pgettext_lazy("export field", "bonus"),
    "amount": pgettext_lazy("export field", "amount"),
    "granted_by": pgettext_lazy("export field", "granted by"),
    "granted_at": pgettext_lazy("export field", "granted at"),
    "placement": pgettext_lazy("export field", "placement"),
    "answered_by": pgettext_lazy("export field", "answered by"),
}
LABEL_WIDTH = 55 * mm
TABLE_STYLE = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _date(text: str) -> str:
    """An ISO date or time as a Polish reader writes it (27.11.2026, 27.11.2026 14:05)."""
    try:
        if "T" in text:
            return datetime.datetime.fromisoformat(text).strftime("%d.%m.%Y %H:%M")
        return datetime.date.fromisoformat(text).strftime("%d.%m.%Y")
    except ValueError:
        return text


def staff_shown(who: dict | None) -> str:
    """A member of staff as the package names them; "the system" for none."""
    if who is None:
        return _("the system")
    position = ", ".join(p for p in (role_label(who["role"]), who["organisation"]) if p)
    if who.get("name"):
        return f"{who['name']} ({position})" if position else who["name"]
    return position or _("a member of staff")


def _shown(kind: Kind, path: str, value) -> str:
    """A value of a record as a person reads it: labels for codes, dates, yes/no."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    f = model_field(kind.model, path)
    if (
        f.is_relation
        and f.related_model is not None
        and f.related_model._meta.label == ("accounts.User")
    ):
        return staff_shown(value)
    if kind.shown is not None:
        text = kind.shown(path, value)
        if text is not None:
            return text
    if f.choices and not isinstance(value, list | dict):
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    dated = isinstance(f, models.DateField) or type(f).__name__ == "EncryptedDateField"
    if isinstance(value, str) and dated:
        return _date(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _label(kind: Kind, path: str) -> str:
    f = model_field(kind.model, path)
    text = str(FIELD_LABELS.get(f.name, f.verbose_name))
    if path.endswith("_id"):
        text = _("%(what)s (number)") % {"what": text}
    return text[:1].upper() + text[1:]


def _record_table(kind: Kind, record: dict) -> Table:
    rows = [[pdf.para(_("Number"), "small"), pdf.para(record["id"], "small")]]
    for path, value in record["values"].items():
        shown = _shown(kind, path, value)
        marks = []
        if path in record["sensitive_fields"]:
            marks.append(_("special category of data"))
        if path in record["rectified"]:
            marks.append(_("rectified on %(date)s") % {"date": _date(record["rectified"][path])})
        if marks:
            shown = f"{shown}  [{'; '.join(marks)}]"
        rows.append([pdf.para(_label(kind, path), "small"), pdf.para(shown, "small")])
    if "file" in record:
        rows.append(
            [
                pdf.para(_("File in the package"), "small"),
                pdf.para(record["file"] or _("no file (deleted)"), "small"),
            ]
        )
    table = Table(rows, colWidths=[LABEL_WIDTH, TABLE_WIDTH - LABEL_WIDTH])
    table.setStyle(TABLE_STYLE)
    return table


def _listing(header: list[str], lines: list[list[str]], widths: list[float]) -> Table:
    rows = [[pdf.para(h, "small") for h in header]]
    rows += [[pdf.para(cell, "small") for cell in line] for line in lines]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _change_label(code: str) -> str:
    return {"created": _("created"), "changed": _("changed"), "deleted": _("deleted")}[code]


def export_pdf(package: Package) -> bytes:
    """The package's records, who changed them and who read them, as a Polish PDF."""
    document = package.document
    options = document["options"]
    story = [
        pdf.para(_("Your data in Przystań"), "title"),
        pdf.para(
            _(
                "This document lists every record the foundation's system holds on you, as of "
                "%(date)s, who changed your data and who read it. The same records are in the "
                "file export.json of this package, in a form other systems can read (GDPR "
                "art. 15 and 20)."
            )
            % {"date": _date(document["generated_at"])}
        ),
        pdf.para(
            _("Your file identifier: %(id)s") % {"id": document["person"]["subject_id"]}, "small"
        ),
        pdf.para(
            _("Children's data: %(children)s. Staff named: %(naming)s.")
            % {
                "children": ChildrenInExport(options["children"]).label,
                "naming": StaffNaming(options["staff_naming"]).label,
            },
            "small",
        ),
        pdf.para(
            _(
                'A value marked "rectified" was corrected on the date given; "special '
                'category of data" marks health, addiction and other sensitive facts.'
            ),
            "small",
        ),
        Spacer(1, 3 * mm),
    ]
    titles = {kind.key: kind for kind in package.kinds}
    for key, records in document["sections"].items():
        kind = titles[key]
        story.append(pdf.para(f"{kind.title} ({len(records)})", "h2"))
        if not records:
            story.append(pdf.para(_("No records."), "small"))
        for record in records:
            if record["sensitive"]:
                story.append(pdf.para(_("A record of special category of data:"), "small"))
            story += [_record_table(kind, record), Spacer(1, 2 * mm)]

    story.append(pdf.para(_("Who changed your data"), "h2"))
    changes = [
        [
            _date(change["at"]),
            f"{titles[change['section']].title} {change['record_id']}",
            _change_label(change["change"]),
            staff_shown(change["by"]),
        ]
        for change in document["changes"]
    ]
    story.append(
        _listing(
            [_("When"), _("Record"), _("Kind of change"), _("Who")],
            changes,
            [28 * mm, 62 * mm, 22 * mm, TABLE_WIDTH - 112 * mm],
        )
        if changes
        else pdf.para(_("No changes."), "small")
    )

    story.append(pdf.para(_("Who read your data"), "h2"))
    accesses = []
    for access in document["accesses"]:
        purpose = access["purpose"]
        accesses.append(
            [
                _date(access["at"]),
                str(AccessLogEntry.Action(access["action"]).label),
                str(Purpose(purpose).label) if purpose in Purpose.values else purpose,
                staff_shown(access["by"]),
            ]
        )
    story.append(
        _listing(
            [_("When"), _("Action"), _("Purpose"), _("Who")],
            accesses,
            [28 * mm, 26 * mm, 60 * mm, TABLE_WIDTH - 114 * mm],
        )
        if accesses
        else pdf.para(_("No reads."), "small")
    )
    return pdf.build(story, title=_("Personal data package"), numbered=True, header="Przystań")
