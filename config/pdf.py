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
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
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


def build(flowables, *, title: str) -> bytes:
    """Render flowables to A4 PDF bytes; `title` must be generic (never a person's name)."""
    register_fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="Przystań",
        subject="",
        creator="Przystań",
    )
    doc.build(flowables)
    return buffer.getvalue()
