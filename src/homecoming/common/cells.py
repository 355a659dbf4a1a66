"""Cells of exported spreadsheets and CSV files that no spreadsheet reads as a formula.

A spreadsheet evaluates a cell that starts with ``= + - @`` (or a tab or carriage return before
one). A leading apostrophe makes it text. That is not enough for a CSV: a spreadsheet may split
its lines on another delimiter than the file's own (Ukrainian Excel splits on ``;`` and does not
honour the quoting of a comma-separated file), so ``Тестовий;=1+1;`` becomes the cells
``Тестовий``, ``=1+1`` and an empty one. Every place where a delimiter (``; , | tab`` or a line
break), optionally followed by spaces or quotes, is followed by a formula character gets an
apostrophe there too, so that no piece of the cell starts a formula whatever the delimiter.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# a delimiter a spreadsheet may split on, then spaces or quotes, then the start of a formula
_AFTER_DELIMITER = re.compile(r"([;,|\t\r\n][\s\"]*)(?=[=+\-@])")


def neutralise(value) -> str:
    """A cell as safe text: never read as a formula by Excel, LibreOffice or Google Sheets, whole
    or split on any delimiter. Ordinary text is returned unchanged."""
    text = "" if value is None else str(value)
    text = _AFTER_DELIMITER.sub(r"\1'", text)
    if text.lstrip(" \"").startswith(FORMULA_START):
        return "'" + text
    return text
