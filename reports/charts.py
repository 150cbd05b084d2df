"""Server-drawn SVG bar charts: no script, no style attribute, so the strict CSP holds.

A value that is a mark ("<5", "*", "—") draws no bar: the mark is written where the figure
would be, so a chart never shows more than the table beside it.
"""

from django.utils.html import format_html, format_html_join

ROW = 22
LABEL_WIDTH = 150
BAR_WIDTH = 260
VALUE_WIDTH = 60


def bar_chart(items: list[tuple[str, object]], *, title: str, maximum: float | None = None) -> str:
    """Horizontal bars, one per (label, value); `maximum` fixes the scale (100 for per cent)."""
    numbers = [value for _label, value in items if isinstance(value, int | float)]
    top = maximum or max(numbers, default=0) or 1
    height = ROW * len(items) + 4
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH

    def bar(index: int, label: str, value) -> tuple:
        y = index * ROW + 2
        length = BAR_WIDTH * min(float(value), top) / top if isinstance(value, int | float) else 0
        return (
            y + 15,
            label,
            LABEL_WIDTH,
            y + 3,
            f"{length:.1f}",
            LABEL_WIDTH + length + 4,
            y + 15,
            value,
        )

    bars = format_html_join(
        "",
        '<text x="0" y="{}" font-size="12" fill="currentColor">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="15" fill="currentColor" opacity="0.6"></rect>'
        '<text x="{}" y="{}" font-size="12" fill="currentColor">{}</text>',
        (bar(index, str(label), value) for index, (label, value) in enumerate(items)),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}">{}</svg>',
        width,
        height,
        width,
        height,
        title,
        bars,
    )
