"""A streaming reader of XLSX sheets, with limits, for files nobody vouches for.

openpyxl's reader trusts the ``<dimension>`` a sheet declares and widens every row to it: a 1.7 KB
workbook declaring ``A1:XFD1048576`` kept a server thread busy for an hour, and 10,000 real rows
took 1.4 GB. Here the sheet's XML is read as a stream of elements (``iterparse`` through
defusedxml: no DTD, no entity, nothing external), each row is built from the cells it really
has, and elements are dropped as soon as they are read, so memory follows the data, not what
the file claims. The declared dimension is never read.

Reading stops with a :class:`~homecoming.intake.parsing.FileProblem` naming the row and column at
the first limit passed (settings, docs/operations.md): rows (``IMPORT_MAX_ROWS``), columns
(``IMPORT_MAX_COLUMNS``), cells including empty ones (``IMPORT_MAX_CELLS``), bytes inflated
from the archive, counted as they are read (``IMPORT_MAX_UNCOMPRESSED``), and seconds
(``IMPORT_MAX_SECONDS``).

Values read as a person sees them in the sheet: shared and inline strings, numbers, dates (a
number whose style is a date format), booleans; a formula gives the value Excel stored with it,
never a computed one.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _

DAMAGED_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError,
                  ParseError, DefusedXmlException, KeyError, IndexError, OverflowError)
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# built-in number formats that are dates or times (ECMA-376 part 1, 18.8.30)
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46,
                              47, 50, 51, 52, 53, 54, 55, 56, 57, 58})
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cells: int
    inflated: int
    seconds: float


def column_letters(index: int) -> str:
    """1 -> A, 27 -> AA, 16384 -> XFD."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Budget:
    """Counts what the reading costs and stops it at the first limit passed."""

    def __init__(self, limits: Limits, problem):
        self.limits = limits
        self.problem = problem
        self.inflated = 0
        self.cells = 0
        self.deadline = time.monotonic() + limits.seconds

    def inflate(self, n: int) -> None:
        self.inflated += n
        if self.inflated > self.limits.inflated:
            raise self.problem(_("The workbook expands to more than %(limit)s MB when unpacked (a normal sheet "
                                 "compresses far less). It is refused as unsafe.")
                               % {"limit": f"{self.limits.inflated / 1024 / 1024:.1f}"})

    def clock(self, row: int | None = None) -> None:
        if time.monotonic() > self.deadline:
            raise self.problem(_("Reading the workbook took longer than %(n)s seconds, the most allowed; it stopped "
                                 "here. Save only the table as a new workbook or as CSV.")
                               % {"n": int(self.limits.seconds)}, row=row)

    def cell(self, row: int) -> None:
        self.cells += 1
        if self.cells > self.limits.cells:
            raise self.problem(_("The sheet has more than %(n)s cells (counting empty ones), the most read in one "
                                 "import. Delete what is outside the table, or split the file.")
                               % {"n": self.limits.cells}, row=row)
        if self.cells % 2000 == 0:
            self.clock(row)


class _Counted:
    """A member of the archive as a stream whose inflated bytes count against the budget."""

    def __init__(self, stream, budget: _Budget):
        self.stream, self.budget = stream, budget

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(65536 if n is None or n < 0 else min(n, 65536))
        self.budget.inflate(len(data))
        return data


def _elements(zf: zipfile.ZipFile, name: str, budget: _Budget, events=("end",)):
    with zf.open(name) as raw:
        yield from iterparse(_Counted(raw, budget), events=events, forbid_dtd=True, forbid_entities=True,
                             forbid_external=True)


def _member(names: dict[str, str], target: str, base: str = "xl/") -> str | None:
    path = target.lstrip("/") if target.startswith("/") else base + target
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return names.get("/".join(parts).lower())


def _workbook(zf: zipfile.ZipFile, names: dict[str, str], budget: _Budget):
    """([(sheet name, member)], member of the shared strings or None, member of the styles or None,
    whether dates count from 1904)."""
    rels: dict[str, tuple[str, str]] = {}
    rels_name = names.get("xl/_rels/workbook.xml.rels")
    if rels_name:
        for _event, el in _elements(zf, rels_name, budget):
            if _local(el.tag) == "Relationship":
                rels[el.get("Id", "")] = (el.get("Type", "").rsplit("/", 1)[-1], el.get("Target", ""))
    sheets, date1904 = [], False
    for _event, el in _elements(zf, names["xl/workbook.xml"], budget):
        tag = _local(el.tag)
        if tag == "workbookPr":
            date1904 = el.get("date1904", "0").lower() in ("1", "true")
        elif tag == "sheet":
            rid = el.get(f"{{{_REL}}}id", "")
            kind, target = rels.get(rid, ("", ""))
            member = _member(names, target) if kind == "worksheet" else None
            sheets.append((el.get("name", ""), member))
    shared = styles = None
    for kind, target in rels.values():
        if kind == "sharedStrings":
            shared = _member(names, target)
        elif kind == "styles":
            styles = _member(names, target)
    return sheets, shared or names.get("xl/sharedstrings.xml"), styles or names.get("xl/styles.xml"), date1904


def _text_of(el) -> str:
    """The text of a shared or inline string: its plain text or its runs, without phonetic guides."""
    parts = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _shared_strings(zf: zipfile.ZipFile, member: str | None, budget: _Budget) -> list[str]:
    strings: list[str] = []
    if not member:
        return strings
    table = None
    for event, el in _elements(zf, member, budget, events=("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "sst":
                table = el
            continue
        if tag == "si":
            strings.append(_text_of(el))
            if table is not None:
                table.clear()  # what was read is dropped: memory follows the strings, not the XML
            budget.cell(0)  # a shared string costs like a cell
    return strings


def _is_date_code(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code.split(";")[0]).lower()
    return any(ch in code for ch in "dmyhs") and "general" not in code


def _date_styles(zf: zipfile.ZipFile, member: str | None, budget: _Budget) -> set[int]:
    """The indexes of the cell styles whose number format is a date or a time."""
    if not member:
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_xfs = False
    for event, el in _elements(zf, member, budget, events=("start", "end")):
        tag = _local(el.tag)
        if tag == "cellXfs":
            in_xfs = event == "start"
        elif event == "end" and tag == "numFmt":
            custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
        elif event == "end" and tag == "xf" and in_xfs:
            formats.append(int(el.get("numFmtId", "0")))
    return {i for i, f in enumerate(formats) if f in _DATE_FORMAT_IDS or (f in custom and _is_date_code(custom[f]))}


def _number_text(value: str) -> str:
    if re.fullmatch(r"-?\d+", value):
        return str(int(value))
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e16 else repr(number)


def _date_text(value: str, date1904: bool) -> str:
    number = float(value)
    moment = (_EPOCH_1904 if date1904 else _EPOCH_1900) + dt.timedelta(days=number)
    if not date1904 and number < 60:  # Excel's 1900 counts a 29 February that never was
        moment += dt.timedelta(days=1)
    moment = moment.replace(microsecond=0) + dt.timedelta(seconds=round(moment.microsecond / 1e6))
    if moment.time() == dt.time(0, 0):
        return moment.date().isoformat()
    return moment.isoformat(sep=" ")


def _choose_sheet(sheets: list, sheet: str | None, problem) -> tuple[str, str, list[str]]:
    """(title, member, all titles) of the sheet asked for, the first by default; a missing or
    unreadable sheet is refused with the names of those there are."""
    titles = [title for title, _member_name in sheets]
    if not sheets:
        raise problem(_("The workbook has no sheets."))
    if sheet:
        if sheet not in titles:
            raise problem(_("The workbook has no sheet named “%(sheet)s”; its sheets are: %(sheets)s.")
                          % {"sheet": sheet, "sheets": ", ".join(titles)})
        title, member = next(s for s in sheets if s[0] == sheet)
    else:
        title, member = sheets[0]
    if member is None:
        raise problem(_("The sheet “%(sheet)s” could not be read (it may be damaged). Save the workbook again "
                        "from Excel, or as CSV.") % {"sheet": title})
    return title, member, titles


def read_sheet(zf: zipfile.ZipFile, names: dict[str, str], sheet: str | None, limits: Limits, problem,
               progress=None):
    """(headers, rows, sheet title, sheet names) of the chosen sheet (the first by default).

    ``names`` maps each member's lower-case name to its real one; ``problem`` is the exception
    class to raise (FileProblem)."""
    budget = _Budget(limits, problem)
    sheets, shared_member, styles_member, date1904 = _workbook(zf, names, budget)
    title, member, titles = _choose_sheet(sheets, sheet, problem)
    shared = _shared_strings(zf, shared_member, budget)
    dates = _date_styles(zf, styles_member, budget)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    row_number = 0
    cells: dict[int, str] = {}
    column = 0
    data = None
    for event, el in _elements(zf, member, budget, events=("start", "end")):
        tag = _local(el.tag)
        if tag == "sheetData" and event == "start":
            data = el
        if tag == "row":
            if event == "start":
                given = el.get("r")
                row_number = int(given) if given and given.isdigit() else row_number + 1
                if row_number > 1_048_576:
                    raise problem(_("the sheet names a row past the last one Excel has."), row=row_number)
                cells, column = {}, 0
                continue
            if data is not None:
                data.clear()  # the rows read so far are dropped from the tree
            if not any(v.strip() for v in cells.values()):
                continue
            texts = [""] * max(max(cells), len(headers or ()))  # as wide as the table or its last value
            for index, value in cells.items():
                texts[index - 1] = value
            if headers is None:
                headers = [t.strip() for t in texts]
                continue
            rows.append((row_number, texts))
            if len(rows) > limits.rows:
                raise problem(_("The file has more than %(limit)s rows, the most accepted in one import. "
                                "Split it into smaller files.") % {"limit": limits.rows})
            if progress and len(rows) % 10000 == 0:
                progress(len(rows))
            continue
        if tag != "c" or event != "end":
            continue
        budget.cell(row_number)
        ref = _CELL_REF.match(el.get("r") or "")
        column = column_index(ref.group(1)) if ref else column + 1
        if column > limits.columns:
            letters = column_letters(column)
            raise problem(_("there is a value in column %(column)s (column number %(n)s); at most %(limit)s "
                            "columns are read. Delete what is right of the table, or save only the table.")
                          % {"column": letters, "n": column, "limit": limits.columns},
                          row=row_number, column=letters)
        try:
            value = _cell_value(el, shared, dates, date1904)
        except (IndexError, ValueError, OverflowError):
            letters = column_letters(column)
            raise problem(_("the cell %(cell)s is damaged (it points at a text or holds a number that is not "
                            "there). Save the workbook again from Excel, or as CSV.")
                          % {"cell": f"{letters}{row_number}"}, row=row_number, column=letters) from None
        el.clear()
        if value:
            cells[column] = value
    if headers is None:
        raise problem(_("The sheet “%(sheet)s” is empty.") % {"sheet": title})
    return headers, rows, title, titles


def _cell_value(el, shared: list[str], dates: set[int], date1904: bool) -> str:
    kind = el.get("t", "n")
    if kind == "inlineStr":
        return next((_text_of(c) for c in el if _local(c.tag) == "is"), "")
    raw = next((c.text or "" for c in el if _local(c.tag) == "v"), "")
    if raw == "":
        return ""
    if kind == "s":
        return shared[int(raw)]
    if kind == "b":
        return "1" if raw.strip() in ("1", "true") else "0"
    if kind in ("str", "e"):
        return raw
    if kind == "d":
        return raw.replace("T", " ").removesuffix(" 00:00:00")
    if int(el.get("s", "0") or 0) in dates:
        return _date_text(raw, date1904)
    return _number_text(raw)
