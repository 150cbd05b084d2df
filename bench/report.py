"""Plain-text tables for the benchmark's output."""

import math


def num(value: float, digits: int = 2) -> str:
    """A figure with a sensible number of decimals (3 significant digits below 100)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}f}"


def count(value: int) -> str:
    return f"{value:,}"


def table(headers: list[str], rows: list[list[str]], *, align: str = "", indent: int = 2) -> str:
    """Columns padded to their widest cell. `align` has one letter per column, l or r; by
    default the first column is left-aligned and the others right-aligned (figures)."""
    align = align or "l" + "r" * (len(headers) - 1)
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for row in [headers, *rows]:
        cells = [
            str(cell).ljust(width) if how == "l" else str(cell).rjust(width)
            for cell, width, how in zip(row, widths, align, strict=True)
        ]
        lines.append(" " * indent + "  ".join(cells).rstrip())
    lines.insert(1, " " * indent + "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def heading(text: str) -> str:
    return f"\n{text}\n{'=' * len(text)}"


def subheading(text: str) -> str:
    return f"\n{text}\n{'-' * len(text)}"
