"""Printable and downloadable documents: the roll (PDF), the night count (CSV and PDF).

reportlab's built-in fonts lack Polish letters: the shared config.pdf registers DejaVu Sans
(static/fonts, with its licence). Every string that comes from data is escaped before it reaches a
Paragraph (reportlab reads markup). No client's name goes into the PDF's metadata.
"""

import csv
import io
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from config.pdf import FONT, FONT_BOLD, register_fonts
from shelters.selectors import OCCUPIED

BOLD = FONT_BOLD


def _fonts() -> None:
    register_fonts()


def _styles():
    _fonts()
    return (
        ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20),
        ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13),
    )


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(rows, widths=None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTNAME", (0, 0), (-1, 0), BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _pdf(story, title: str) -> bytes:
    buffer = io.BytesIO()
    # Metadata carries the document's kind only, never a client's name.
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Przystań",
        subject="",
        creator="Przystań",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    doc.build(story)
    return buffer.getvalue()


def roll_pdf(board) -> bytes:
    """Who is in tonight, for the fire brigade: every person once, with their full name.

    Each occupied bed is one line (the occupant's full name and year of birth); each child of
    a house for single mothers is one line in the mother's room (children have no bed). The
    count at the end is the number of lines: people, not beds.
    """
    title_style, body = _styles()
    now = formats.date_format(timezone.localtime(board.at), "d.m.Y H:i")
    story = [
        _p(_("Who is in tonight: %(facility)s") % {"facility": board.facility.name}, title_style),
        _p(_("Printed %(when)s") % {"when": now}, body),
        Spacer(1, 5 * mm),
    ]
    # The cells are plain strings, not Paragraphs: reportlab draws them as they are (no markup
    # is read, so nothing needs escaping) and the roll builds in less time.
    rows = [[_("Room"), _("Bed"), _("Full name"), _("Year of birth"), _("Since")]]
    for row in board.beds:
        if row.state != OCCUPIED or row.person is None:
            continue
        rows.append(
            [
                _line(row.room_name),
                _line(row.label),
                _line(row.full_name),
                str(row.person.birth_year or "—"),
                _moment(row.started_at),
            ]
        )
    # Children of a house for single mothers have no bed of their own on the board, but a fire
    # evacuation must count them: one line each, in their mother's room.
    for household in board.households.values():
        for child in household.children:
            rows.append(
                [
                    _line(household.room_name),
                    "—",
                    _line(_("%(name)s (child)") % {"name": child.full_name}),
                    str(child.birth_year or "—"),
                    _moment(household.allocation.started_at),
                ]
            )
    count = len(rows) - 1
    story.append(_table(rows, [35 * mm, 18 * mm, 72 * mm, 22 * mm, 33 * mm]))
    story.append(Spacer(1, 5 * mm))
    story.append(_p(_("People in: %(count)d") % {"count": count}, body))
    return _pdf(story, str(_("Roll")))


def _line(text) -> str:
    """One line of a table cell: a stored value with its line breaks flattened."""
    return " ".join(str(text).split())


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M") if value else "—"


def night_count_csv(table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Facility type"), _("Women"), _("Men"), _("Sex not known"), _("Total")])
    for line in table:
        writer.writerow(
            [line["label"], line["female"], line["male"], line["not_known"], line["total"]]
        )
    return out.getvalue()


def night_count_pdf(table, night) -> bytes:
    title_style, body = _styles()
    story = [
        _p(
            _("Night count: %(night)s") % {"night": night.strftime("%d.%m.%Y")},
            title_style,
        ),
        Spacer(1, 5 * mm),
    ]
    rows = [
        [
            _p(h, body)
            for h in (_("Facility type"), _("Women"), _("Men"), _("Sex not known"), _("Total"))
        ]
    ]
    for line in table:
        rows.append(
            [_p(line["label"], body)]
            + [_p(line[k], body) for k in ("female", "male", "not_known", "total")]
        )
    story.append(_table(rows))
    return _pdf(story, str(_("Night count")))
