"""Reading the files people really send: CSV (UTF-8 with or without BOM, or Windows-1251; comma,
semicolon or tab separated, detected without asking) and XLSX (first sheet or a chosen one).

Nothing here touches the database. Every problem is a :class:`FileProblem` whose message says
what is wrong and what is expected, for a person to read. Safety:

* size and row limits (``IMPORT_MAX_BYTES``, ``IMPORT_MAX_ROWS``) before and while reading;
* XLSX is read by :mod:`homecoming.intake.xlsx`, a streaming reader that ignores the dimension a
  sheet declares and stops at limits of rows, columns, cells, bytes inflated and seconds; formulas
  are never evaluated (a cell holding a formula gives the value Excel stored with it, or nothing);
  workbooks with macros (``.xlsm``, a ``vbaProject.bin``) are refused; the zip is checked for its
  declared uncompressed size (``IMPORT_MAX_UNCOMPRESSED``) and compression ratio first (zip
  bombs), and what is really inflated is counted while reading; XML is parsed through defusedxml
  (no DTD, no entities, nothing external);
* old binary ``.xls`` and other binary files are refused with a message.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from . import xlsx

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xlsb")
MAX_COMPRESSION_RATIO = 200
DELIMITERS = (";", ",", "\t")
# Characters of Windows-1251 that are letters or ordinary punctuation in Ukrainian/Russian text.
_CP1251_OK = re.compile(r"[А-Яа-яЁёІіЇїЄєҐґЎў№«»–—’‘“”„…•°\s]")


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_bytes() -> int:
    return limit("IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_rows() -> int:
    return limit("IMPORT_MAX_ROWS", 200_000)


def max_uncompressed() -> int:
    return limit("IMPORT_MAX_UNCOMPRESSED", 200 * 1024 * 1024)


class FileProblem(Exception):
    """The file cannot be read. ``str()`` is the message for the user; ``row`` (as a spreadsheet
    numbers it, header = 1) and ``column`` when the problem is in one place."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        self.row, self.column = row, column
        if row is not None:
            message = _("Row %(row)s: %(message)s") % {"row": row, "message": message}
        super().__init__(message)


@dataclass
class Table:
    """The file as text: the header and the data rows, each with its row number."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    #: a CSV that is not UTF-8: its encoding is a guess, and these are the readings to choose from
    guesses: list[EncodingGuess] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str:
        return {";": _("semicolon"), ",": _("comma"), "\t": _("tab")}.get(self.delimiter, self.delimiter)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def check_size(size: int) -> None:
    if size == 0:
        raise FileProblem(_("The file is empty."))
    if size > max_bytes():
        raise FileProblem(_("The file is %(size)s MB; the largest file accepted is %(limit)s MB. Split it into "
                            "smaller files.") % {"size": _mb(size), "limit": _mb(max_bytes())})


def precheck(content: bytes, filename: str = "") -> None:
    """What can be said of a file without reading it (size, kind, macros): the upload refuses
    these at once, creating nothing. Raises :class:`FileProblem`."""
    check_size(len(content))
    name = (filename or "").lower()
    if name.endswith(MACRO_EXTENSIONS):
        raise FileProblem(_("Workbooks with macros (.xlsm, .xlsb) are not accepted. Save the sheet as .xlsx "
                            "(Excel workbook without macros) or as CSV."))
    if content.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise FileProblem(_("This is an old Excel file (.xls) or another binary document. Save it as .xlsx or "
                            "as CSV (UTF-8 or Windows-1251) and upload that."))
    if not content.startswith(XLSX_MAGIC) and name.endswith((".xlsx", ".xltx")):
        raise FileProblem(_("The file is named .xlsx but is not an Excel workbook (it may be damaged). "
                            "Save it again from Excel, or as CSV."))


def read_table(content: bytes, filename: str = "", *, sheet: str | None = None, progress=None,
               encoding: str | None = None) -> Table:
    """Read a CSV or XLSX file into a :class:`Table`. Raises :class:`FileProblem`. ``encoding``: the
    encoding a person chose for a CSV whose encoding was only a guess."""
    precheck(content, filename)
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content, sheet, progress)
    return _read_csv(content, progress, encoding=encoding)


# --- CSV ------------------------------------------------------------------------------------

#: the 8-bit encodings a CSV of this headquarters may come in, each offered when the file is not UTF-8
CANDIDATE_ENCODINGS = ("cp1251", "koi8_u", "cp866", "mac_cyrillic", "cp1252")
ENCODING_NAMES = {"cp1251": "Windows-1251", "koi8_u": "KOI8-U/KOI8-R", "cp866": "DOS 866",
                  "mac_cyrillic": "Mac Cyrillic", "cp1252": "Windows-1252 (Latin)"}
SAMPLE_LINES = 3


@dataclass
class EncodingGuess:
    """A reading of a file that is not UTF-8: one candidate encoding and the first lines as it
    reads them, for a person to recognise the right one."""

    encoding: str
    label: str
    lines: list[str]


def _sample_lines(text: str) -> list[str]:
    return [line[:200] for line in text.splitlines() if line.strip()][:SAMPLE_LINES + 1]


def encoding_guesses(content: bytes) -> list[EncodingGuess]:
    """Every candidate encoding that reads the file, the likeliest first (letters of Ukrainian and
    Russian text for the Cyrillic ones; charset-normalizer's choice breaks ties)."""
    readings = []
    for enc in CANDIDATE_ENCODINGS:
        try:
            text = content.decode(enc)
        except UnicodeDecodeError:
            continue
        non_ascii = [c for c in text[:200_000] if ord(c) > 127]
        score = sum(1 for c in non_ascii if _CP1251_OK.match(c)) / len(non_ascii) if non_ascii else 0.0
        # in a Cyrillic text lower-case letters outnumber capitals; KOI8 read as 1251 swaps them
        lower = sum(1 for c in non_ascii if c.islower())
        readings.append((score + (0.5 if lower >= len(non_ascii) / 2 else 0.0), enc, text))
    best = _normalizer_choice(content)
    readings.sort(key=lambda r: (r[0] + (0.25 if r[1] == best else 0.0)), reverse=True)
    return [EncodingGuess(enc, ENCODING_NAMES[enc], _sample_lines(text)) for _score, enc, text in readings]


def _normalizer_choice(content: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(content[:200_000], cp_isolation=list(CANDIDATE_ENCODINGS)).best()
    except Exception:  # noqa: BLE001 - the guess only orders the choices
        return ""
    return best.encoding if best is not None else ""


def decode(content: bytes, encoding: str | None = None) -> tuple[str, str, list[EncodingGuess]]:
    """(text, encoding name, guesses). UTF-8 (with or without BOM) is certain: ``guesses`` is
    empty. Any other encoding is only a guess: the text is read in the likeliest candidate (or in
    ``encoding`` when a person chose it) and ``guesses`` lists every candidate with its reading."""
    head = content[:65536]
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise FileProblem(_("The file is not a text file in UTF-8 or Windows-1251 (it looks like UTF-16 or "
                            "binary data). Save it as “CSV UTF-8” or “CSV (semicolon delimited)”."))
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "UTF-8 (BOM)", []
        except UnicodeDecodeError as exc:
            raise _bad_bytes(content, exc.start + 3) from None
    try:
        return content.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    guesses = encoding_guesses(content)
    if not guesses:
        raise _bad_bytes(content, utf8_error)
    chosen = next((g for g in guesses if g.encoding == encoding), guesses[0])
    return content.decode(chosen.encoding), chosen.label, guesses


def _bad_bytes(content: bytes, position: int) -> FileProblem:
    line = content[:position].count(b"\n") + 1
    guess = ""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(content[:200_000]).best()
        if best is not None and best.encoding not in ("utf_8", "cp1251"):
            guess = best.encoding
    except Exception:  # noqa: BLE001,S110 - the guess only improves the message
        pass
    message = _("The text is neither UTF-8 nor Windows-1251 (first unreadable byte on line %(line)s).") % {
        "line": line}
    if guess:
        message += " " + _("It looks like %(encoding)s.") % {"encoding": guess}
    return FileProblem(message + " " + _("Save the file as “CSV UTF-8” and upload it again."))


def sniff_delimiter(text: str) -> str:
    """The separator that splits the first rows into the most columns consistently."""
    sample = text[:65536]
    lines = sample.splitlines()
    if len(sample) == 65536 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    sample = "\n".join(lines[:60])
    best, best_score = ",", (False, 0.0, 0)
    for d in DELIMITERS:
        try:
            records = [r for r in csv.reader(io.StringIO(sample), delimiter=d) if any(c.strip() for c in r)]
        except csv.Error:
            continue
        if not records:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records if len(r) == width) / len(records)
        score = (width > 1, consistent, width)
        if score > best_score:
            best, best_score = d, score
    return best


def _read_csv(content: bytes, progress=None, encoding: str | None = None) -> Table:
    text, encoding, guesses = decode(content, encoding)
    if not text.strip():
        raise FileProblem(_("The file is empty."))
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    limit_rows = max_rows()
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if not any(c.strip() for c in record):
                continue
            if headers is None:
                headers = [c.strip() for c in record]
                continue
            rows.append((number, record))
            if len(rows) > limit_rows:
                raise FileProblem(_("The file has more than %(limit)s rows, the most accepted in one import. "
                                    "Split it into smaller files.") % {"limit": limit_rows})
            if progress and len(rows) % 10000 == 0:
                progress(len(rows))
    except csv.Error as exc:
        raise FileProblem(_("The CSV is malformed (%(error)s); check the quotes on this row.") % {"error": exc},
                          row=number + 1) from None
    if headers is None:
        raise FileProblem(_("The file is empty."))
    _check_header(headers)
    if not rows:
        raise FileProblem(_("The file has a header row but no data rows."))
    return Table(headers, rows, "csv", encoding=encoding, delimiter=delimiter, guesses=guesses)


def _check_header(headers: list[str]) -> None:
    if not any(headers):
        raise FileProblem(_("The first row must hold the column names (for example Прізвище; Ім'я; Дата "
                            "народження), but it is empty."), row=1)


# --- XLSX -----------------------------------------------------------------------------------

def _check_zip(content: bytes) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, NotImplementedError):
        # NotImplementedError: an entry claims a zip version newer than Python reads (a flipped byte)
        raise FileProblem(_("The file is not a valid Excel workbook (the archive is damaged). Save it again "
                            "from Excel, or as CSV.")) from None
    with zf:
        infos = zf.infolist()
        names = {i.filename.lower() for i in infos}
        total = sum(i.file_size for i in infos)
        if total > max_uncompressed() or any(
                i.compress_size and i.file_size / i.compress_size > MAX_COMPRESSION_RATIO and i.file_size > 1_000_000
                for i in infos):
            raise FileProblem(_("The workbook expands to %(size)s MB when unpacked (the limit is %(limit)s MB, "
                                "and a normal sheet compresses far less). It is refused as unsafe.")
                              % {"size": _mb(total), "limit": _mb(max_uncompressed())})
        if any(n.endswith("vbaproject.bin") for n in names):
            raise FileProblem(_("The workbook contains macros. Save it as .xlsx (Excel workbook without macros) "
                                "or as CSV."))
        if "[content_types].xml" in names:
            try:
                types = zf.read(next(i for i in infos if i.filename.lower() == "[content_types].xml"))
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError):
                # a damaged member (bad checksum, broken deflate stream, encrypted, unknown compression)
                raise FileProblem(_("The file is not a valid Excel workbook (the archive is damaged). Save it "
                                    "again from Excel, or as CSV.")) from None
            if b"macroEnabled" in types:
                raise FileProblem(_("The workbook contains macros. Save it as .xlsx (Excel workbook without "
                                    "macros) or as CSV."))
        if "xl/workbook.xml" not in names:
            raise FileProblem(_("The file is a zip archive but not an Excel workbook. Upload an .xlsx or a CSV "
                                "file."))


def limits() -> xlsx.Limits:
    return xlsx.Limits(rows=max_rows(), columns=limit("IMPORT_MAX_COLUMNS", 200),
                       cells=limit("IMPORT_MAX_CELLS", 5_000_000), inflated=max_uncompressed(),
                       seconds=float(getattr(settings, "IMPORT_MAX_SECONDS", 120)))


def _read_xlsx(content: bytes, sheet: str | None, progress=None) -> Table:
    _check_zip(content)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            names = {i.filename.lower(): i.filename for i in zf.infolist()}
            headers, rows, title, sheets = xlsx.read_sheet(zf, names, sheet, limits(), FileProblem,
                                                           progress=progress)
    except FileProblem:
        raise
    except xlsx.DAMAGED_ERRORS:
        raise FileProblem(_("The workbook could not be read (it may be damaged or not really .xlsx). Save it "
                            "again from Excel, or as CSV.")) from None
    while headers and not headers[-1]:
        headers.pop()
    _check_header(headers)
    if not rows:
        raise FileProblem(_("The sheet “%(sheet)s” has a header row but no data rows.") % {"sheet": title})
    return Table(headers, rows, "xlsx", sheet=title, sheets=sheets)
