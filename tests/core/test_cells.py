"""Formula neutralisation of exported cells (homecoming.common.cells), for every export.

A spreadsheet that opens a CSV may split lines on another delimiter than the file's own (Ukrainian
Excel splits on ``;``, ignoring the comma quoting), so a formula hidden after a delimiter inside a
cell becomes a cell of its own. The checks below split each exported file on every delimiter a
spreadsheet uses and look at the start of every piece."""

from __future__ import annotations

import re

import pytest

from homecoming.common.cells import neutralise

FORMULA = re.compile(r"^[=+\-@]")
HOSTILE = ["Тестовий;=1+1;", "Тестовий,=1+1", "a\t@SUM(A1)", "x; -2+3", "x;\"=cmd\"", "=1+1", "ok|+1",
           "рядок\n=2+2"]


def pieces(text: str):
    """Every piece a spreadsheet could make of the text, whichever delimiter it splits on."""
    for delimiter in (";", ",", "\t", "|", "\n", "\r"):
        for piece in text.split(delimiter):
            yield piece.strip().lstrip('" ')


def formula_pieces(text: str) -> list[str]:
    return [p for p in pieces(text) if FORMULA.match(p)]


@pytest.mark.parametrize("value", HOSTILE)
def test_no_piece_of_a_neutralised_cell_is_a_formula(value):
    assert formula_pieces(value)  # the value is hostile as it is
    assert not formula_pieces(neutralise(value)), neutralise(value)


@pytest.mark.parametrize("value", ["Петренко", "Коваль-Петренко", "2024-01-01", "", "0.93", "HC-000001",
                                   "Іванов Іван", "UA213223130000026007233566001"])
def test_ordinary_text_is_left_as_it_is(value):
    assert neutralise(value) == value
