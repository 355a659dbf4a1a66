"""Reading register and list CSV files with errors that name file, row and column."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable

from homecoming.names import normalize

from .dates import parse_partial_date
from .records import Record

__all__ = ["InputError", "read_records", "write_atomic", "COLUMNS"]

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


def read_records(path: str) -> list[Record]:
    """Read a UTF-8 CSV with a header into records.

    Row numbers in messages count lines of the file as a spreadsheet shows them: the
    header is row 1, the first data row is row 2.  Raises :class:`InputError` for a
    missing or unreadable file, a file that is not UTF-8, a missing header or ``id``
    column, no name column, a row with more fields than the header, an empty or
    repeated id, a row with no name at all, or a date of birth that is not a date.
    """
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise InputError(path, None, None, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, None, None, "is a directory, not a CSV file") from None
    except OSError as exc:
        raise InputError(path, None, None, f"cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, line, None,
                         f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(path, line, None, "contains a NUL byte; this is not a CSV text file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, None, None,
                         "empty file; expected a header row with at least 'id' and a name column") from None
    except csv.Error as exc:
        raise InputError(path, 1, None, f"not a valid CSV header ({exc})") from None
    cols = [normalize(h).strip().lower() for h in header]
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
    out: list[Record] = []
    ids: dict[str, int] = {}
    line = 1
    try:
        for line, fields in enumerate(reader, start=2):
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) > len(header):
                raise InputError(path, line, None,
                                 f"{len(fields)} fields but the header has {len(header)} columns (unquoted comma?)")

            def get(name: str, fields: list[str] = fields) -> str:
                i = seen.get(name)
                return fields[i].strip() if i is not None and i < len(fields) else ""

            rid = get("id")
            if not rid:
                raise InputError(path, line, "id", "empty id")
            if rid in ids:
                raise InputError(path, line, "id", f"id {rid!r} repeats row {ids[rid]}")
            ids[rid] = line
            if not any(normalize(get(c)) for c in ("last_name", "first_name", "patronymic", "full_name")):
                raise InputError(path, line, "full_name",
                                 "no name: last_name, first_name, patronymic and full_name are all empty")
            try:
                bd = parse_partial_date(get("birth_date"))
            except ValueError as exc:
                raise InputError(path, line, "birth_date", str(exc)) from None
            out.append(Record(rid, get("last_name"), get("first_name"), get("patronymic"), get("full_name"),
                              bd, get("service_number"), get("tax_number")))
    except csv.Error as exc:
        raise InputError(path, line + 1, None, f"malformed CSV ({exc})") from None
    return out


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
