"""Small server-drawn SVG charts (no script, no inline style: the CSP stays strict)."""

from django.utils.html import format_html, format_html_join


def sparkline(points: list[int | None], *, width: int = 160, height: int = 40) -> str:
    """A polyline of scores 1..5 over time; gaps where a domain was not assessed."""
    values = [(i, v) for i, v in enumerate(points) if v is not None]
    if not values:
        return ""
    step = width / max(len(points) - 1, 1)

    def y(score: int) -> float:
        return height - 4 - (score - 1) * (height - 8) / 4

    coords = " ".join(f"{i * step:.1f},{y(v):.1f}" for i, v in values)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="2.5" fill="currentColor"></circle>',
        ((f"{i * step:.1f}", f"{y(v):.1f}") for i, v in values),
    )
    return format_html(
        '<svg class="spark" viewBox="-3 0 {} {}" width="{}" height="{}" aria-hidden="true">'
        '<polyline fill="none" stroke="currentColor" stroke-width="2" points="{}"></polyline>'
        "{}</svg>",
        width + 6,
        height,
        width,
        height,
        coords,
        dots,
    )
