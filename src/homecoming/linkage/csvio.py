"""Reading register and list CSV files with errors that name file, row and column."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable

from homecoming.names import normalize

from .dates import parse_partial_date, read_date
from .records import Record

__all__ = ["InputError", "Table", "read_records", "read_table", "write_atomic", "COLUMNS", "SYNONYMS"]

#: Columns read (any order; others are ignored).
COLUMNS = ("id", "last_name", "first_name", "patronymic", "full_name", "birth_date", "service_number",
           "tax_number")


class InputError(Exception):
    """A malformed input file.  ``str()`` is the message for the user."""

    def __init__(self, path: str, row: int | None, column: str | None, problem: str):
        self.path, self.row, self.column, self.problem = path, row, column, problem
        where = [f"{path}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(", ".join(where) + ": " + problem)


#: Other names of the columns (tolerant reading only): FEBRL's, and common English ones.
SYNONYMS = {"rec_id": "id", "record_id": "id", "surname": "last_name", "family_name": "last_name",
            "given_name": "first_name", "forename": "first_name", "middle_name": "patronymic",
            "name": "full_name", "date_of_birth": "birth_date", "dob": "birth_date", "born": "birth_date"}
_DELIMITERS = (",", ";", "\t")
#: Windows-1251 text that is a list of names: Cyrillic letters and the usual punctuation
_CP1251_OK = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґЎў№«»–—’‘“”„…•°\s]")


class Table:
    """What :func:`read_table` read: the records, and per record id the notes on how its row
    was read (tolerant reading: a date in another format or impossible, no name); ``how``
    says how the file was read (encoding, separator), or is empty."""

    def __init__(self, records: list[Record], notes: dict[str, list[str]], how: str = ""):
        self.records, self.notes, self.how = records, notes, how


def read_records(path: str) -> list[Record]:
    """:func:`read_table` with ``strict=True``: the records only."""
    return read_table(path, strict=True).records


def _decode(path: str, raw: bytes, strict: bool) -> tuple[str, str]:
    try:
        text = raw.decode("utf-8-sig")
        return text, ("UTF-8 with BOM" if raw.startswith(b"\xef\xbb\xbf") else "")
    except UnicodeDecodeError as exc:
        if not strict and b"\x00" not in raw[:65536]:
            try:
                text = raw.decode("cp1251")
            except UnicodeDecodeError:
                text = ""
            odd = [c for c in text if ord(c) > 127]
            if odd and sum(1 for c in odd if _CP1251_OK.match(c)) / len(odd) >= 0.95:
                return text, "Windows-1251"
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, line, None,
                         f"not UTF-8{'' if strict else ' or Windows-1251'} text (byte 0x{raw[exc.start]:02x}); "
                         "save the file as UTF-8") from None


def _sniff(text: str) -> str:
    """The separator that splits the first lines into the most columns, consistently."""
    lines = [x for x in text[:65536].splitlines()[:50] if x.strip()]
    best, best_score = ",", (False, 0.0, 0)
    for d in _DELIMITERS:
        try:
            recs = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=d))
        except csv.Error:
            continue
        if not recs:
            continue
        width = len(recs[0])
        score = (width > 1, sum(1 for r in recs if len(r) == width) / len(recs), width)
        if score > best_score:
            best, best_score = d, score
    return best


def read_table(path: str, strict: bool = False) -> Table:
    """Read a CSV with a header into records.

    Row numbers in messages count lines of the file as a spreadsheet shows them: the
    header is row 1, the first data row is row 2.  Raises :class:`InputError` (the file is
    not read) for what makes the file unreadable as a list: a missing or unreadable file,
    text that is neither UTF-8 nor Windows-1251, a NUL byte, no header, no ``id`` column or
    no name column, a column twice, a row with more fields than the header, an empty or
    repeated id.

    Otherwise, by default (tolerant reading), a cell that is wrong costs only that cell:
    the separator (``,`` ``;`` tab) and the encoding (UTF-8 with or without BOM,
    Windows-1251) are detected, FEBRL's and common English column names are understood
    (:data:`SYNONYMS`), dates are read by :func:`~homecoming.linkage.dates.read_date`
    (other formats, impossible dates kept as year and month), and a row without any name
    is kept (its date and identifiers may still place it); each such row gets a note in
    :attr:`Table.notes`.  ``strict=True`` is the reading before tolerant reading existed:
    UTF-8 and commas only, the columns by their names here, and every bad date or nameless
    row stops with an error."""
    text, how, delimiter = _read_text(path, strict)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    header, seen = _read_header(path, reader, strict)
    out: list[Record] = []
    notes: dict[str, list[str]] = {}
    ids: dict[str, int] = {}
    line = 1
    try:
        for line, fields in enumerate(reader, start=2):
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) > len(header):
                raise InputError(path, line, None,
                                 f"{len(fields)} fields but the header has {len(header)} columns (unquoted "
                                 f"{'comma' if delimiter == ',' else 'separator'}?)")
            record, row_notes = _read_row(path, line, fields, seen, ids, strict)
            if row_notes:
                notes[record.id] = row_notes
            out.append(record)
    except csv.Error as exc:
        raise InputError(path, line + 1, None, f"malformed CSV ({exc})") from None
    return Table(out, notes, how)


def _read_text(path: str, strict: bool) -> tuple[str, str, str]:
    """The file's text, how it was read (encoding, separator) and its separator."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise InputError(path, None, None, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, None, None, "is a directory, not a CSV file") from None
    except OSError as exc:
        raise InputError(path, None, None, f"cannot be read ({exc.strerror})") from None
    text, encoding = _decode(path, raw, strict)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(path, line, None, "contains a NUL byte; this is not a CSV text file")
    delimiter = "," if strict else _sniff(text)
    how = ", ".join(x for x in (encoding, {";": "semicolon-separated", "\t": "tab-separated"}.get(delimiter, ""))
                    if x)
    return text, how, delimiter


def _read_header(path: str, reader, strict: bool) -> tuple[list[str], dict[str, int]]:
    """The header row and, per column read, its index (the first of a name repeated
    outside :data:`COLUMNS`)."""
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, None, None,
                         "empty file; expected a header row with at least 'id' and a name column") from None
    except csv.Error as exc:
        raise InputError(path, 1, None, f"not a valid CSV header ({exc})") from None
    cols = [normalize(h).strip().lower() for h in header]
    if not strict:
        cols = [SYNONYMS.get(c.replace(" ", "_"), c.replace(" ", "_")) for c in cols]
    seen: dict[str, int] = {}
    for i, c in enumerate(cols):
        if c in COLUMNS and c in seen:
            raise InputError(path, 1, c, "column appears twice in the header")
        seen.setdefault(c, i)
    if "id" not in seen:
        raise InputError(path, 1, "id", f"missing column; the header has {', '.join(header) or 'nothing'}")
    if not any(c in seen for c in ("last_name", "first_name", "full_name")):
        raise InputError(path, 1, "last_name",
                         "missing name columns; expected last_name/first_name/patronymic or full_name")
    return header, seen


def _read_row(path: str, line: int, fields: list[str], seen: dict[str, int], ids: dict[str, int],
              strict: bool) -> tuple[Record, list[str]]:
    """One data row as a record, and the notes on how it was read; ``ids`` (id -> line)
    grows by its id."""

    def get(name: str) -> str:
        i = seen.get(name)
        return fields[i].strip() if i is not None and i < len(fields) else ""

    rid = get("id")
    if not rid:
        raise InputError(path, line, "id", "empty id")
    if rid in ids:
        raise InputError(path, line, "id", f"id {rid!r} repeats row {ids[rid]}")
    ids[rid] = line
    row_notes: list[str] = []
    if not any(normalize(get(c)) for c in ("last_name", "first_name", "patronymic", "full_name")):
        if strict:
            raise InputError(path, line, "full_name",
                             "no name: last_name, first_name, patronymic and full_name are all empty")
        row_notes.append("no name: linked on the date of birth and identifiers only")
    if strict:
        try:
            bd = parse_partial_date(get("birth_date"))
        except ValueError as exc:
            raise InputError(path, line, "birth_date", str(exc)) from None
    else:
        bd, note = read_date(get("birth_date"))
        if note:
            row_notes.append(f"birth_date: {note}")
    record = Record(rid, get("last_name"), get("first_name"), get("patronymic"), get("full_name"),
                    bd, get("service_number"), get("tax_number"))
    return record, row_notes


def write_atomic(path: str, header: list[str], rows: Iterable[list[str]] | Callable[[], Iterable[list[str]]]) -> None:
    """Write a CSV next to ``path`` and rename it into place only when complete, so that
    a failure never leaves a partial output file."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError(path, None, None, f"output directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=".homecoming-", suffix=".csv.tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            for r in rows() if callable(rows) else rows:
                w.writerow(r)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
