"""Small-number suppression for the leadership (reports/selectors.suppress): counts of 1-4 are
hidden, and so is a second count wherever one hidden count alone could be worked back from a
column's or a row's total (the dashboard publishes the same persons in several breakdowns)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.reports.selectors import Figure, Row, suppress


def figure(grid: list[list[int]], chart: str = "stacked") -> Figure:
    width = len(grid[0])
    return Figure("t", "test", "range", chart, "label", [f"c{i}" for i in range(width)],
                  [Row(f"r{i}", list(cells), drill=[None] * width) for i, cells in enumerate(grid)])


def shown(grid, chart="stacked"):
    return [r.cells for r in suppress(figure(grid, chart)).rows]


def test_a_column_with_one_small_count_hides_its_smallest_other_count():
    # one column (a histogram): 3 is hidden, and 9, the smallest other, with it; 40 and 0 shown
    assert shown([[40], [3], [9], [0]], "histogram") == [[40], [None], [None], [0]]


def test_two_small_counts_in_a_line_need_nothing_more():
    assert shown([[40], [3], [2], [9]], "histogram") == [[40], [None], [None], [9]]


def test_rows_are_complemented_too_when_there_are_several_columns():
    # column 0 hides 2, then 7 (its smallest other); row 0 then has 7 alone hidden -> 8; column 1
    # has 8 alone -> 6; row 1 has 2 and 6 hidden: done. 30, 50 and 60 stay.
    assert shown([[7, 8, 0], [2, 6, 30], [50, 60, 0]]) == [[None, None, 0], [None, None, 30], [50, 60, 0]]


def test_a_hidden_count_among_zeros_has_nothing_to_hide_with():
    assert shown([[0], [3], [0]], "histogram") == [[0], [None], [0]]


def test_a_figure_without_small_counts_is_unchanged():
    assert shown([[7, 8], [20, 6]]) == [[7, 8], [20, 6]]


grids = st.integers(1, 5).flatmap(lambda w: st.lists(
    st.lists(st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 200)), min_size=w, max_size=w),
    min_size=1, max_size=8))


@settings(max_examples=300, deadline=None)
@given(grids)
def test_no_line_gives_a_small_count_back(grid):
    result = shown(grid)
    width = len(grid[0])
    lines = [list(zip(*result, strict=False))[c] for c in range(width)]
    raw_lines = [list(zip(*grid, strict=False))[c] for c in range(width)]
    if width > 1:
        lines += result
        raw_lines += grid
    for line, raw in zip(lines, raw_lines, strict=False):
        hidden = [v for v in line if v is None]
        # one hidden count in a line only where every other count of the line is zero
        assert len(hidden) != 1 or all(r == 0 for v, r in zip(line, raw, strict=False) if v is not None)
    for row, raw_row in zip(result, grid, strict=False):
        for v, r in zip(row, raw_row, strict=False):
            assert v is None or v == r  # nothing shown is altered
            assert not (0 < r < 5) or v is None  # every small count is hidden
            assert r != 0 or v == 0  # a zero is never hidden


def noted(bins: list[int], unknown: int) -> Figure:
    fig = figure([[b] for b in bins], "histogram")
    fmt = "Without a known date of capture: %(n)s."
    return Figure(**{**fig.__dict__, "note": fmt % {"n": unknown}, "note_format": fmt,
                     "note_values": {"n": unknown}})


def test_the_note_count_is_a_cell_of_the_column():
    """Those without a known date belong to the column's total: a small one is hidden in the
    note, with the column's smallest bin; a large one stays while two bins hide each other."""
    out = suppress(noted([40, 9, 30], 2))
    assert [r.cells for r in out.rows] == [[40], [None], [30]]
    assert out.note == "Without a known date of capture: c."
    out = suppress(noted([40, 3, 8], 50))
    assert [r.cells for r in out.rows] == [[40], [None], [None]]
    assert out.note == "Without a known date of capture: 50."


def test_a_small_bin_may_be_complemented_by_the_note():
    out = suppress(noted([40, 3, 30], 6))  # 6 is the smallest other count of the column
    assert [r.cells for r in out.rows] == [[40], [None], [30]]
    assert out.note == "Without a known date of capture: c."
