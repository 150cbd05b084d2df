"""PDF plumbing of activation's printouts: landscape A4, "page N of M" in the footer.

Fonts, styles and escaping come from config.pdf (DejaVu Sans, shipped in static/fonts). The
title in the metadata is generic: never a participant's name.
"""

from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import SimpleDocTemplate

from config.pdf import FONT, register_fonts


def _numbered_canvas(footer: str):
    """A canvas that writes "page N of M" on every page once the page count is known."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                width, _height = self._pagesize
                text = _("Page %(page)s of %(pages)s") % {
                    "page": self._pageNumber,
                    "pages": total,
                }
                self.drawRightString(width - 12 * mm, 7 * mm, text)
                if footer:
                    self.drawString(12 * mm, 7 * mm, footer)
                super().showPage()
            super().save()

    return NumberedCanvas


def build_landscape(flowables, *, title: str, footer: str = "") -> bytes:
    """Render flowables to landscape A4 PDF bytes, numbered; `title` must be generic."""
    register_fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=14 * mm,
        title=title,
        author="Przystań",
        subject="",
        creator="Przystań",
    )
    doc.build(flowables, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()
