"""Small numbers hidden for roles that see aggregates only, with a second number of the row or
column wherever a total would give the first one back.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext as _

from .shapes import HIDDEN, SMALL_NUMBER, Figure


def _small(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 < v < SMALL_NUMBER


def _complement(shown: list[list], raw: list[list]) -> None:
    """Secondary suppression, in place. A column (and, with several columns, a row) with exactly
    one hidden count gives it back to anyone who knows the line's total, and the dashboard
    publishes the same persons by branch, direction, rank and medical category, so every column
    total is known. Such a line also hides its smallest other count above zero; repeated until no
    line has a single hidden count (or the line has nothing else to hide: the rest are zeros)."""
    height, width = len(shown), len(shown[0]) if shown else 0
    lines = [[(r, c) for r in range(height)] for c in range(width)]
    if width > 1:
        lines += [[(r, c) for c in range(width)] for r in range(height)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [(r, c) for r, c in line if shown[r][c] is None]
            if len(hidden) != 1:
                continue
            others = [(raw[r][c], r, c) for r, c in line if shown[r][c] is not None and _count(raw[r][c])]
            if others:
                _value, r, c = min(others)
                shown[r][c] = None
                changed = True


def _count(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def suppress(figure: Figure) -> Figure:
    """The figure for a role that sees aggregates only: counts of 1 to 4 persons become None
    (shown as "<5"), with a second count of their column or row where one alone could be worked
    back from a total (``_complement``); the money of a row of fewer than 5 persons too; a
    running total is recomputed from what is shown, so it cannot give a hidden cell back; no
    drill-downs."""
    rows = []
    for row in figure.rows:
        cells = list(row.cells)
        if figure.money:
            if _small(cells[0]):
                cells = [None] * len(cells)
        elif figure.line:
            cells = [None if _small(cells[0]) else cells[0], cells[1]]
        else:
            cells = [None if _small(v) else v for v in cells]
        rows.append(replace(row, cells=cells, drill=[None] * len(cells)))
    note = figure.note
    if not figure.money and not figure.line:
        # the counts only: a value paired with a count (a median) is hidden with it, below
        keep = [i for i in range(len(figure.columns)) if i not in figure.paired]
        grid, raw = [[r.cells[i] for i in keep] for r in rows], [[r.cells[i] for i in keep] for r in figure.rows]
        # the note's count (those without a known date, those still missing) belongs to the
        # column's total like a cell: it is hidden when small, and counts in the complement
        counted = "n" in figure.note_values and len(figure.columns) == 1
        if counted:
            n = figure.note_values["n"]
            grid, raw = [*grid, [None if _small(n) else n]], [*raw, [n]]
        _complement(grid, raw)
        for row, shown in zip(rows, grid, strict=False):  # the note's line, when counted, is last
            for j, i in enumerate(keep):
                row.cells[i] = shown[j]
        if counted and grid[-1][0] is None:
            note = figure.note_format % {**figure.note_values, "n": HIDDEN}
    for row in rows:
        for value_column, count_column in figure.paired.items():
            if row.cells[count_column] is None or _small(row.cells[count_column]):
                row.cells[value_column] = None
    if figure.line:
        total = 0
        for row in rows:
            total += row.cells[0] or 0
            row.cells[1] = total
    if figure.money and rows and rows[-1].label == _("Total"):
        shown = rows[:-1]
        rows[-1].cells = [sum((r.cells[i] or 0) for r in shown) if i == 0 else
                          sum((r.cells[i] or Decimal("0.00")) for r in shown) for i in range(4)]
    return replace(figure, rows=rows, suppressed=True, note=note)
