"""The XLSX reader streams the sheet, ignores the dimension the file declares, and stops at its
limits (rows, columns, cells, bytes inflated, seconds) with a message naming the row and column.

A 1.7 KB workbook that declares ``A1:XFD1048576`` and has one cell in row 1,048,576 once kept a
server thread busy for about an hour: the old reader widened every row to 16,384 cells. Speed
and memory are measured in bench/intake (``python -m bench xlsx``), never timed here."""

from __future__ import annotations

import io
import zipfile

import pytest

from homecoming.intake import parsing

from .conftest import xlsx_bytes

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _with_sheet(sheet_xml: str, *, shared: list[str] | None = None, base: bytes | None = None) -> bytes:
    """A real workbook (written by openpyxl) with its first sheet's XML replaced."""
    base = base or xlsx_bytes([["Прізвище", "Ім'я"], ["Петренко", "Іван"]])
    zin = zipfile.ZipFile(io.BytesIO(base))
    files = {n: zin.read(n) for n in zin.namelist()}
    files["xl/worksheets/sheet1.xml"] = sheet_xml.encode("utf-8")
    if shared is not None:
        items = "".join(f"<si><t>{s}</t></si>" for s in shared)
        files["xl/sharedStrings.xml"] = (f'<sst xmlns="{MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">'
                                         f"{items}</sst>").encode()
        files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                         b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                                 b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/>'
                                 b"</Relationships>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _sheet(rows: str, dimension: str = "A1:B2") -> str:
    return f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER = f'<row r="1">{_inline("A1", "Прізвище")}{_inline("B1", "Ім&apos;я")}</row>'


def test_the_declared_dimension_is_ignored():
    rows = HEADER + f'<row r="2">{_inline("A2", "Петренко")}{_inline("B2", "Іван")}</row>'
    content = _with_sheet(_sheet(rows, dimension="A1:XFD1048576"))
    table = parsing.read_table(content, "wide.xlsx")
    assert table.headers == ["Прізвище", "Ім'я"]
    assert table.rows == [(2, ["Петренко", "Іван"])]  # two cells, not 16,384


def test_the_hostile_workbook_is_refused_naming_row_and_column():
    rows = HEADER + f'<row r="1048576">{_inline("XFD1048576", "x")}</row>'
    content = _with_sheet(_sheet(rows, dimension="A1:XFD1048576"))
    assert len(content) < 5 * 1024
    with pytest.raises(parsing.FileProblem) as err:
        parsing.read_table(content, "hostile.xlsx")
    assert err.value.row == 1048576 and err.value.column == "XFD"
    assert "XFD" in str(err.value) and "1048576" in str(err.value)


def test_a_far_away_cell_within_the_limits_is_one_row():
    rows = HEADER + f'<row r="900000">{_inline("A900000", "Коваль")}</row>'
    table = parsing.read_table(_with_sheet(_sheet(rows, dimension="A1:XFD1048576")), "far.xlsx")
    assert table.rows == [(900000, ["Коваль", ""])]


def test_column_limit(settings):
    settings.IMPORT_MAX_COLUMNS = 3
    rows = HEADER + '<row r="2"><c r="D2"><v>1</v></c></row>'
    with pytest.raises(parsing.FileProblem) as err:
        parsing.read_table(_with_sheet(_sheet(rows)), "cols.xlsx")
    assert (err.value.row, err.value.column) == (2, "D")


def test_cell_limit_counts_empty_cells_too(settings):
    settings.IMPORT_MAX_CELLS = 1000
    empties = "".join(f'<c r="A{r}"/>' for r in range(3, 2000))
    rows = HEADER + f'<row r="3">{empties}</row>'
    with pytest.raises(parsing.FileProblem, match="1000 cells"):
        parsing.read_table(_with_sheet(_sheet(rows)), "cells.xlsx")


def test_time_limit(settings):
    settings.IMPORT_MAX_SECONDS = 0
    with pytest.raises(parsing.FileProblem, match="seconds"):
        parsing.read_table(xlsx_bytes([["Прізвище", "Ім'я"]] + [["П", "І"]] * 3000), "slow.xlsx")


def test_inflated_bytes_are_counted_while_reading(settings):
    """The sizes a zip declares are checked first; what is really inflated is counted too."""
    big = xlsx_bytes([["Прізвище", "Ім'я"]] + [["Петренко" * 20, "Іван" * 20]] * 3000)
    settings.IMPORT_MAX_UNCOMPRESSED = 400_000
    with pytest.raises(parsing.FileProblem, match="unsafe"):
        parsing.read_table(big, "big.xlsx")


def test_shared_strings_numbers_dates_booleans_and_formulas():
    """What the sheet holds reads as a person sees it: shared strings, numbers, dates (by their
    style), booleans; a formula gives its stored value, never a computed one."""
    import datetime as dt

    base = xlsx_bytes([["Прізвище", "Ім'я", "Дата", "Число", "Так", "Формула"],
                       ["Петренко", "Іван", dt.datetime(1990, 5, 17), 12345, True, "=1+1"]])
    table = parsing.read_table(base, "types.xlsx")
    assert table.rows == [(2, ["Петренко", "Іван", "1990-05-17", "12345", "1", ""])]  # the formula: nothing
    sheet = _sheet(HEADER + '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>0</v></c></row>'
                   '<row r="3"><c r="A3" t="str"><f>A2</f><v>Коваль</v></c><c r="B3" t="b"><v>0</v></c></row>')
    table = parsing.read_table(_with_sheet(sheet, shared=["Олена", "Шевченко"]), "shared.xlsx")
    assert table.rows == [(2, ["Шевченко", "Олена"]), (3, ["Коваль", "0"])]


def test_a_shared_string_that_does_not_exist_is_a_clear_problem():
    sheet = _sheet(HEADER + '<row r="2"><c r="A2" t="s"><v>7</v></c></row>')
    with pytest.raises(parsing.FileProblem, match="damaged") as err:
        parsing.read_table(_with_sheet(sheet, shared=["x"]), "bad.xlsx")
    assert err.value.row == 2
