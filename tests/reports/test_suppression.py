"""Small cells: "<5", and complementary suppression so that no hidden count can be worked out."""

from reports.suppression import average, suppress_line, suppress_table


def test_one_small_cell_in_a_row_hides_two_cells_and_the_totals_protect_them():
    table = suppress_table(
        {
            "Noclegownia A": {"permanent": 3, "street": 20, "unknown": 12},
            "Schronisko B": {"permanent": 30, "street": 8, "unknown": 15},
        },
        5,
    )
    # The 3 is small; the next smallest of its row (12) is hidden too, or 35 − 20 − 12 gives it.
    assert table["rows"]["Noclegownia A"] == {"permanent": "<5", "street": 20, "unknown": "*"}
    # Its columns then each have one hidden cell: the next smallest of each column goes too.
    assert table["rows"]["Schronisko B"] == {"permanent": "*", "street": 8, "unknown": "*"}
    # Totals stay: no line has a lone hidden value, so nothing hidden can be recovered.
    assert table["row_totals"] == {"Noclegownia A": 35, "Schronisko B": 53}
    assert table["column_totals"] == {"permanent": 33, "street": 28, "unknown": 27}
    assert table["total"] == 88


def test_a_small_total_hides_its_cells():
    table = suppress_table({"A": {"x": 2, "y": 1}, "B": {"x": 10, "y": 10}}, 5)
    assert table["row_totals"]["A"] == "<5"
    assert table["rows"]["A"] == {"x": "<5", "y": "<5"}
    # Column x has one hidden cell (A's 2): B's x is hidden to protect it, and so is B's y.
    assert table["rows"]["B"] == {"x": "*", "y": "*"}
    # And B's total: shown, it would give A's as the grand total minus it.
    assert table["row_totals"]["B"] == "*"


def test_zero_is_shown_and_a_line_hides_its_next_smallest_count():
    cells, total = suppress_line({"female": 0, "male": 12, "not_known": 1}, 13, 5)
    assert cells == {"female": 0, "male": "*", "not_known": "<5"}
    assert total == 13


def test_a_hidden_count_needing_no_partner_when_another_is_small():
    cells, total = suppress_line({"a": 2, "b": 3, "c": 40}, 45, 5)
    assert cells == {"a": "<5", "b": "<5", "c": 40}
    assert total == 45


def test_means_and_medians_over_few_values_are_not_shown():
    assert average(12.5, 4, 5) == "—"
    assert average(12.5, 5, 5) == 12.5
