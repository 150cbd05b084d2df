"""The report's downloads: CSV, XLSX (one sheet per measure) and a Polish PDF with charts.

They are drawn from the suppressed figures only (the dashboard's, or a saved report's), so a
download never shows more than the page. Text cells that a spreadsheet would run as a formula
(starting with =, +, -, @, a tab or a carriage return: a facility named "=HYPERLINK(...)") are
prefixed with an apostrophe.
"""

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from cases.models import PathwayStage
from config.pdf import FONT, build, para, register_fonts

MEASURES = {
    "clients_served": gettext_lazy("Clients served"),
    "bed_nights": gettext_lazy("Bed-nights"),
    "occupancy": gettext_lazy("Occupancy (%)"),
    "length_of_stay": gettext_lazy("Length of stay (episodes ended)"),
    "exits": gettext_lazy("Exits"),
    "returns": gettext_lazy("Returns to homelessness"),
    "first_time": gettext_lazy("First-time homeless"),
    "employment": gettext_lazy("Employment and retention"),
    "programmes": gettext_lazy("Programmes"),
    "ladder": gettext_lazy("Pathway moves"),
    "assessment_change": gettext_lazy("Assessment change"),
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The words of the report's keys on the page and in the PDF (the CSV and XLSX keep the keys).
KEY_LABELS = {
    "total": gettext_lazy("Total"),
    "by_sex": gettext_lazy("By sex"),
    "female": gettext_lazy("Women"),
    "male": gettext_lazy("Men"),
    "not_known": gettext_lazy("Sex not known"),
    "by_age_band": gettext_lazy("By age"),
    "under_18": gettext_lazy("Under 18"),
    "18_25": "18–25",
    "26_39": "26–39",
    "40_59": "40–59",
    "60_plus": gettext_lazy("60 and over"),
    "unknown": gettext_lazy("Unknown"),
    "by_facility": gettext_lazy("By facility"),
    "by_municipality": gettext_lazy("By municipality (TERYT)"),
    "count": gettext_lazy("Count"),
    "mean_days": gettext_lazy("Mean (days)"),
    "median_days": gettext_lazy("Median (days)"),
    "permanent": gettext_lazy("Permanent housing"),
    "temporary": gettext_lazy("Temporary (family, friends)"),
    "institution": gettext_lazy("Institution"),
    "street": gettext_lazy("Street"),
    "died": gettext_lazy("Died"),
    "cohort": gettext_lazy("Permanent exits two years earlier"),
    "days_0_180": gettext_lazy("Back within 180 days"),
    "days_181_365": gettext_lazy("Back in 181–365 days"),
    "days_366_730": gettext_lazy("Back in 366–730 days"),
    "started": gettext_lazy("Started"),
    "retention": gettext_lazy("Retention (months)"),
    "employed": gettext_lazy("Employed"),
    "not_employed": gettext_lazy("Not employed"),
    "unreachable": gettext_lazy("Could not be reached"),
    "not_answered": gettext_lazy("Not answered"),
    "completed": gettext_lazy("Completed"),
    "dropped_out": gettext_lazy("Dropped out"),
    "days_to_first_enrolment": gettext_lazy("Days from the first stay to the first enrolment"),
    "days_to_first_placement": gettext_lazy("Days from the first stay to the first job"),
    "clients": gettext_lazy("Clients compared"),
    "by_domain": gettext_lazy("By life domain"),
    "mean_change": gettext_lazy("Mean change"),
    # The ladder: the stages by their names, and the parts of its from -> to table.
    **{stage: label for stage, label in PathwayStage.choices if stage != "street"},
    "entry": gettext_lazy("First step (entry)"),
    "rows": gettext_lazy("From stage"),
    "row_totals": gettext_lazy("Moves from stage"),
    "column_totals": gettext_lazy("Moves to stage"),
}


def label_of(path: tuple) -> str:
    """A row's path in words: known keys translated, names and codes as they are."""
    return " / ".join(str(KEY_LABELS.get(part, part)) for part in path)


def neutralise(value):
    """A value safe in a spreadsheet cell: text that would start a formula gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def rows_of(value, path=()) -> list[tuple[tuple, object]]:
    """A nested figure flattened into (path of keys, value) rows, in the report's order."""
    if isinstance(value, dict):
        if not value:
            return []
        return [row for key, item in value.items() for row in rows_of(item, (*path, str(key)))]
    return [(path, value)]


def measure_rows(figures: dict):
    """(measure key, its title, its rows) for every measure of the report."""
    for key, title in MEASURES.items():
        value = figures.get(key)
        rows = rows_of(value) if isinstance(value, dict) else [((), value)]
        yield key, str(title), rows


def report_csv(figures: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Measure"), _("Item"), _("Value")])
    writer.writerow([_("Period"), figures["period"]["from"], figures["period"]["to"]])
    for _key, title, rows in measure_rows(figures):
        for path, value in rows:
            writer.writerow([neutralise(title), neutralise(" / ".join(path)), neutralise(value)])
    return out.getvalue()


def report_xlsx(figures: dict) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for key, title, rows in measure_rows(figures):
        # Sheet titles: at most 31 characters, and the key is stable across languages.
        sheet = book.create_sheet(key[:31])
        sheet.append([neutralise(title)])
        sheet.append([_("From"), figures["period"]["from"], _("To"), figures["period"]["to"]])
        for path, value in rows:
            sheet.append([neutralise(part) for part in path] + [neutralise(value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(rows) -> Table:
    table = Table([[para(label_of(path) or "—"), para(value)] for path, value in rows])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _occupancy_chart(months: dict[str, object]) -> Drawing:
    """Occupancy by month as bars (reportlab graphics, DejaVu labels); marks draw nothing."""
    register_fonts()
    drawing = Drawing(170 * mm, 55 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 10 * mm, 10 * mm
    chart.width, chart.height = 150 * mm, 40 * mm
    chart.data = [[v if isinstance(v, int | float) else 0 for v in months.values()]]
    chart.categoryAxis.categoryNames = [month[5:] for month in months]
    chart.categoryAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(100, *chart.data[0])
    chart.bars[0].fillColor = colors.HexColor("#4a6fa5")
    drawing.add(chart)
    return drawing


def report_pdf(figures: dict, *, heading: str) -> bytes:
    """The report in Polish, with the occupancy charts; a generic title, no names anywhere."""
    register_fonts()
    story = [
        para(heading, "title"),
        para(
            _("Period: %(start)s – %(end)s")
            % {"start": figures["period"]["from"], "end": figures["period"]["to"]}
        ),
        para(
            _(
                "Counts from 1 to %(limit)d are shown as %(small)s; %(hidden)s hides a count "
                "that would reveal one of them; %(none)s: too few values for a mean or median."
            )
            % {
                "limit": figures["suppression"]["threshold"] - 1,
                "small": figures["suppression"]["small"],
                "hidden": figures["suppression"]["hidden"],
                "none": figures["suppression"]["none"],
            },
            "small",
        ),
    ]
    for key, title, rows in measure_rows(figures):
        story += [Spacer(1, 4 * mm), para(title, "h2")]
        if key == "occupancy":
            for facility, months in figures["occupancy"].items():
                story += [para(facility), _occupancy_chart(months)]
        story.append(_table(rows) if rows else para(_("No figures yet.")))
    return build(story, title=heading)
