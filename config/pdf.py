"""Shared PDF plumbing (reportlab): a font with Polish letters, styles, and a safe paragraph.

reportlab's built-in Helvetica draws ł, ą, ż as boxes, so DejaVu Sans (free licence, shipped in
static/fonts) is registered once. Every user-supplied string is escaped before it reaches a
Paragraph, whose mini-markup would otherwise turn a note into a live link. No personal data goes
into the PDF's metadata.
"""

from functools import cache
from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"


@cache
def register_fonts() -> None:
    fonts = settings.BASE_DIR / "static" / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


@cache
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=FONT_BOLD, fontSize=16),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=FONT_BOLD, fontSize=12),
        "body": ParagraphStyle(
            "body", parent=base["BodyText"], fontName=FONT, fontSize=10, leading=13
        ),
        "small": ParagraphStyle(
            "small", parent=base["BodyText"], fontName=FONT, fontSize=8, leading=10
        ),
    }


def para(text, style: str = "body") -> Paragraph:
    """A paragraph of plain text: escaped, new lines kept."""
    safe = escape(str(text if text is not None else "")).replace("\n", "<br/>")
    return Paragraph(safe, styles()[style])


def text_width(text: str, *, size: float, bold: bool = False) -> float:
    """The width in points of `text` in our font: to size a column that must not wrap."""
    register_fonts()
    return pdfmetrics.stringWidth(text, FONT_BOLD if bold else FONT, size)


LEFT_MARGIN = RIGHT_MARGIN = 18 * mm


def _draw_header(header: str):
    """A page callback drawing `header` on top of the page, before the page's content."""

    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(LEFT_MARGIN, doc.pagesize[1] - 10 * mm, header)
        canvas.restoreState()

    return draw


class NumberedCanvas(pdfcanvas.Canvas):
    """A canvas that puts "Page n of m" at the foot of each page.

    The total is known only at the end, so each page's drawing is kept and the numbers are
    drawn on all of them when the document is saved (reportlab's usual recipe).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # reportlab's name, called once per page
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            width, _height = self._pagesize
            self.setFont(FONT, 8)
            label = _("Page %(page)s of %(pages)s") % {"page": self._pageNumber, "pages": total}
            self.drawCentredString(width / 2, 8 * mm, label)
            super().showPage()
        super().save()


def build(flowables, *, title: str, header: str = "", numbered: bool = False) -> bytes:
    """Render flowables to A4 PDF bytes; `title` must be generic (never a person's name).

    With `numbered`, each page carries `header` on top (e.g. the organisation's name, never a
    person's) and "Page n of m" at its foot.
    """
    register_fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="Przystań",
        subject="",
        creator="Przystań",
    )
    if numbered:
        draw = _draw_header(header)
        doc.build(flowables, onFirstPage=draw, onLaterPages=draw, canvasmaker=NumberedCanvas)
    else:
        doc.build(flowables)
    return buffer.getvalue()
