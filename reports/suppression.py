"""Small-cell suppression of the outcome figures (issue 12, section 3; docs/measures.md).

A count from 1 to threshold − 1 is shown as "<N" (primary suppression). A line of a table is
cells that add up to a total that is shown or can be worked out (a row with its row total, a
column with its column total, the totals with the grand total): when a line has exactly one
hidden value, the smallest other value of the line is hidden too (a count above zero if there
is one), shown as "*", and this repeats until no line has a lone hidden value. Means and medians
over fewer than threshold values are shown as "—". Zero is shown: it tells nobody anything.
"""

from collections.abc import Hashable, Iterable

from django.conf import settings

HIDDEN = "*"
NO_FIGURE = "—"


def threshold() -> int:
    return settings.PRZYSTAN_REPORT_THRESHOLD


def small(threshold_: int) -> str:
    return f"<{threshold_}"


def hidden_keys(
    values: dict[Hashable, int], lines: Iterable[list[Hashable]], threshold_: int
) -> tuple[set, set]:
    """(primary, secondary): the keys hidden for being small, and hidden to protect them."""
    lines = [list(line) for line in lines]
    primary = {key for key, value in values.items() if 0 < value < threshold_}
    hidden = set(primary)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(key in hidden for key in line) != 1:
                continue
            shown = [key for key in line if key not in hidden]
            if not shown:
                continue
            # The smallest count above zero; a zero only when nothing else is left.
            above_zero = [key for key in shown if values[key] > 0]
            choice = min(above_zero or shown, key=lambda key: (values[key], str(key)))
            hidden.add(choice)
            changed = True
    return primary, hidden - primary


def suppress_table(rows: dict[str, dict[str, int]], threshold_: int | None = None) -> dict:
    """A two-way table with row, column and grand totals, suppressed.

    Returns {"rows": {row: {column: shown}}, "row_totals": {row: shown},
    "column_totals": {column: shown}, "total": shown}, every value an int or a mark.
    """
    threshold_ = threshold_ or threshold()
    columns = sorted({column for cells in rows.values() for column in cells})
    values: dict = {}
    for row, cells in rows.items():
        for column in columns:
            values[("cell", row, column)] = cells.get(column, 0)
        values[("row", row)] = sum(cells.values())
    for column in columns:
        values[("column", column)] = sum(cells.get(column, 0) for cells in rows.values())
    values[("total",)] = sum(values[("row", row)] for row in rows)
    lines = [[("cell", row, column) for column in columns] + [("row", row)] for row in rows]
    lines += [[("cell", row, column) for row in rows] + [("column", column)] for column in columns]
    lines.append([("row", row) for row in rows] + [("total",)])
    lines.append([("column", column) for column in columns] + [("total",)])
    primary, secondary = hidden_keys(values, lines, threshold_)

    def shown(key):
        if key in primary:
            return small(threshold_)
        if key in secondary:
            return HIDDEN
        return values[key]

    return {
        "rows": {row: {column: shown(("cell", row, column)) for column in columns} for row in rows},
        "row_totals": {row: shown(("row", row)) for row in rows},
        "column_totals": {column: shown(("column", column)) for column in columns},
        "total": shown(("total",)),
    }


def suppress_line(
    cells: dict[str, int],
    total: int | None = None,
    threshold_: int | None = None,
    *,
    unshown: tuple[str, ...] = (),
) -> tuple[dict, object]:
    """One row of counts and its total (the sum, when None), suppressed: (cells, total).

    `unshown` names cells that take part in the sum but are not printed (a cohort's members
    who did not return): hiding one of them costs nothing.
    """
    threshold_ = threshold_ or threshold()
    total = sum(cells.values()) if total is None else total
    values = {**cells, "__total__": total}
    primary, secondary = hidden_keys(values, [list(values)], threshold_)

    def shown(key):
        if key in primary:
            return small(threshold_)
        if key in secondary:
            return HIDDEN
        return values[key]

    return {key: shown(key) for key in cells if key not in unshown}, shown("__total__")


def count(value: int, threshold_: int | None = None):
    threshold_ = threshold_ or threshold()
    return small(threshold_) if 0 < value < threshold_ else value


def average(value, over: int, threshold_: int | None = None):
    """A mean or a median over `over` values: shown only over threshold values or more."""
    threshold_ = threshold_ or threshold()
    return NO_FIGURE if over < threshold_ or value is None else value


def suppress_report(raw: dict, threshold_: int | None = None) -> dict:
    """The JSON report of reports.measures with every count and average protected."""
    t = threshold_ or threshold()
    served = raw["clients_served"]
    by_sex, total = suppress_line(served["by_sex"], served["total"], t)
    by_band, total_again = suppress_line(served["by_age_band"], served["total"], t)
    nights = raw["bed_nights"]
    by_facility, nights_total = suppress_line(nights["by_facility"], nights["total"], t)
    by_municipality, nights_total_again = suppress_line(
        nights["by_municipality"], nights["total"], t
    )
    stays = raw["length_of_stay"]
    exits, ended = suppress_line(raw["exits"], stays["count"], t)
    returns = raw["returns"]
    bands = {k: v for k, v in returns.items() if k != "cohort"}
    bands["__none__"] = returns["cohort"] - sum(bands.values())
    shown_bands, cohort = suppress_line(bands, returns["cohort"], t, unshown=("__none__",))
    employment = raw["employment"]
    started, _ = suppress_line(employment["started"], None, t)
    retention = {
        months: suppress_line(figures, None, t)[0]
        for months, figures in employment["retention"].items()
    }
    programmes = raw["programmes"]
    shown_programmes = {
        what: suppress_line(programmes[what], None, t)[0]
        for what in ("started", "completed", "dropped_out")
    }
    for key in ("days_to_first_enrolment", "days_to_first_placement"):
        figures = programmes[key]
        shown_programmes[key] = {
            "count": count(figures["count"], t),
            "median_days": average(figures["median_days"], figures["count"], t),
        }
    change = raw["assessment_change"]
    shown_change = {}
    if change:
        shown_change = {
            "clients": count(change["clients"], t),
            "by_domain": {
                domain: {
                    "count": count(figures["count"], t),
                    "mean_change": average(figures["mean_change"], figures["count"], t),
                }
                for domain, figures in change["by_domain"].items()
            },
        }
    return {
        **raw,
        "clients_served": {
            # The same total in both lines: hidden if either line hides it.
            "total": _either(total, total_again),
            "by_sex": by_sex,
            "by_age_band": by_band,
        },
        "bed_nights": {
            "total": _either(nights_total, nights_total_again),
            "by_facility": by_facility,
            "by_municipality": by_municipality,
        },
        "length_of_stay": {
            "count": ended,
            "mean_days": average(stays["mean_days"], stays["count"], t),
            "median_days": average(stays["median_days"], stays["count"], t),
        },
        "exits": exits,
        "returns": {"cohort": cohort, **shown_bands},
        "first_time": count(raw["first_time"], t),
        "employment": {"started": started, "retention": retention},
        "programmes": shown_programmes,
        "assessment_change": shown_change,
        # The from -> to table with its row, column and grand totals.
        "ladder": suppress_table(raw["ladder"]["moves"], t) if raw["ladder"]["moves"] else {},
        "suppression": {"threshold": t, "small": small(t), "hidden": HIDDEN, "none": NO_FIGURE},
    }


def _either(first, second):
    return first if isinstance(first, str) else second
