"""Hostile input for the import: property tests (hypothesis) over the parser, the column checks
and the staging service. Whatever the bytes, the only failure is the documented FileProblem (or
ValidationError from the services) with a message for a person, and a refused file writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from homecoming.audit.models import AuditEvent
from homecoming.intake import columns, parsing, services
from homecoming.intake.models import ImportJob
from homecoming.registry.models import Person, StatusEvent

from .conftest import xlsx_bytes

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.function_scoped_fixture])
ENCODINGS = ["utf-8", "utf-8-sig", "cp1251", "utf-16", "utf-16-le", "koi8_r", "latin-1", "cp866", "mac_cyrillic",
             "utf-32", "iso8859_5"]
CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["Петренко", "Іван", "Олександрович", "01.02.1990", "1990-02-01", "1990", "31.02.1990",
                     "9999-99-99", "ч", "ж", "1234567890", "١٢٣٤٥٦٧٨٩٠", "²³⁴", "=1+1", "=HYPERLINK(\"x\")",
                     "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\x00", "\u202eRTL", " ", ";", ",", "\t", '"']),
)
HEADER = st.one_of(st.sampled_from(["Прізвище", "Ім'я", "По батькові", "Дата народження", "ПІБ", "Стать", "РНОКПП",
                                    "Військовий квиток", "Фамилия", "Имя", "Date of birth", "№", "", "Unit"]),
                   st.text(max_size=15))
TABLE = st.lists(HEADER, min_size=1, max_size=7).flatmap(
    lambda header: st.tuples(st.just(header), st.lists(st.lists(CELL, min_size=0, max_size=len(header) + 2),
                                                       max_size=12)))


def check_table(table: parsing.Table) -> None:
    """What a Table promises, and that the column checks take it without raising."""
    assert table.headers and any(table.headers)
    numbers = [n for n, _ in table.rows]
    assert table.rows and numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert all(isinstance(c, str) for _, cells in table.rows for c in cells)
    mapping = columns.guess_mapping(table.headers)
    assert len(mapping) == len(table.headers)
    columns.mapping_problems(mapping, "persons")
    for kind in ("persons", "list"):
        result = columns.check_rows(table.headers, table.rows, mapping, kind)
        assert len(result.rows) + result.bad_rows == len(table.rows)
        for row in result.rows:
            for key in ("birth_date", "incident_date"):
                if key in row.data:
                    dt.date.fromisoformat(row.data[key])
            if "tax_number" in row.data:
                assert row.data["tax_number"].isascii() and len(row.data["tax_number"]) == 10
        for error in result.errors:
            assert error.expected and isinstance(error.row, int)


def read(content: bytes, filename: str) -> parsing.Table | None:
    try:
        table = parsing.read_table(content, filename)
    except parsing.FileProblem as exc:
        assert str(exc).strip()  # a message for a person, never empty
        return None
    check_table(table)
    return table


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from(["list.csv", "list.txt", "list.xlsx", "list", "LIST.CSV"]))
def test_any_bytes_give_a_table_or_a_clear_problem(content, filename):
    read(content, filename)


@SETTINGS
@given(TABLE, st.sampled_from(ENCODINGS), st.sampled_from([",", ";", "\t"]),
       st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
def test_csv_of_any_cells_in_any_encoding(table, encoding, delimiter, quoting):
    header, rows = table
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\r\n").writerows([header, *rows])
    try:
        content = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    read(content, "list.csv")


@SETTINGS
@given(TABLE, st.lists(st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                                 st.booleans(), st.dates(), st.datetimes(), st.none()), max_size=5))
def test_xlsx_of_any_cells_and_formulas(table, extra):
    header, rows = table
    # openpyxl refuses control characters in cells; a workbook cannot hold them
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def clean(v):
        return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v

    sheet = [[clean(c) for c in header]] + [[clean(c) for c in r] for r in rows] + ([extra] if extra else [])
    try:
        content = xlsx_bytes(sheet)
    except (ValueError, TypeError, OverflowError):
        assume(False)  # a value openpyxl itself cannot write
    t = read(content, "list.xlsx")
    if t is not None:
        # openpyxl writes a text starting with "=" (longer than "=" alone) as a formula
        formulas = {c for r in sheet for c in r if isinstance(c, str) and c.startswith("=") and len(c) > 1}
        cells = {c for _, r in t.rows for c in r} | set(t.headers)
        assert not (formulas & cells), "a formula came through as a formula"


@pytest.fixture(scope="module")
def workbook():
    return xlsx_bytes([["Прізвище", "Ім'я", "Дата народження"], ["Петренко", "Іван", "01.02.1990"],
                       ["Коваль", "=1+1", dt.date(1991, 3, 4)]])


@SETTINGS
@given(st.data())
def test_damaged_workbooks_give_a_clear_problem(workbook, data):
    content = bytearray(workbook)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(content) - 1))
        content[at] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        content = content[: data.draw(st.integers(4, len(content)))]
    read(bytes(content), "list.xlsx")


def test_a_workbook_claiming_a_newer_zip_version_gives_a_clear_problem(workbook):
    """A flipped byte can make an entry claim zip version 6.4; Python's zipfile then raises
    NotImplementedError while opening the archive, which must still read as a damaged file."""
    content = bytearray(workbook)
    at = content.index(b"PK\x01\x02")  # the first central directory entry
    content[at + 6] = 64  # "version needed to extract": 6.4, newer than zipfile supports
    with pytest.raises(parsing.FileProblem, match="damaged"):
        parsing.read_table(bytes(content), "list.xlsx")


@SETTINGS
@given(st.data())
def test_workbooks_with_hostile_parts_give_a_clear_problem(workbook, data):
    """Parts rewritten with arbitrary XML-ish bytes: openpyxl's parse errors become FileProblem."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    names = source.namelist()
    victim = data.draw(st.sampled_from(names))
    junk = data.draw(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode), st.sampled_from([
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;&a;</x>',
        b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>',
        b"<worksheet/>", b""])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            target.writestr(name, junk if name == victim else source.read(name))
    read(out.getvalue(), "list.xlsx")


@SETTINGS
@given(st.text(max_size=40))
def test_values_never_raise(text):
    try:
        date, precision = columns.parse_date(text)
    except ValueError:
        pass
    else:
        assert (date is None) == (precision == "")
    assert isinstance(columns.header_key(text), str)
    columns.guess_field(text)
    columns.identity_key(text, text, text, text, text)


@pytest.fixture
def importer(make_user):
    return make_user("registrar", "analyst")


@pytest.mark.django_db
@SETTINGS
@given(content=st.one_of(st.binary(min_size=1, max_size=2000),
                         TABLE.map(lambda t: "\n".join(";".join(r) for r in [t[0], *t[1]]).encode("utf-8"))),
       filename=st.sampled_from(["a.csv", "a.xlsx", "a.xls", "a.xlsm"]))
def test_staging_refuses_cleanly_and_writes_nothing(importer, content, filename):
    """Each example runs in its own savepoint, rolled back at its end. A file refused on sight
    (empty, macros, old .xls) creates nothing; any other file becomes a job that its check (a
    background task; the immediate backend runs it at once here) leaves ``staged`` or ``failed``
    with a message for a person, and no person is imported either way."""
    analyst = importer
    with transaction.atomic():
        before = (ImportJob.objects.count(), AuditEvent.objects.count(), Person.objects.count(),
                  StatusEvent.objects.count())
        try:
            job = services.stage_upload(analyst, content=content, filename=filename, kind="persons",
                                        source_kind="unit_report", source_reference="fuzz",
                                        list_date=dt.date(2025, 6, 7))
        except ValidationError as exc:
            assert exc.messages and all(m.strip() for m in exc.messages)
            assert (ImportJob.objects.count(), AuditEvent.objects.count(), Person.objects.count(),
                    StatusEvent.objects.count()) == before
        else:
            assert job.state in ("staged", "failed") and Person.objects.count() == before[2]  # nothing imported
            assert job.state == "staged" or job.message.strip()
            assert ImportJob.objects.count() == before[0] + 1
        transaction.set_rollback(True)


@pytest.mark.parametrize("value", ["١٢٣٤٥٦٧٨٩٠", "１２３４５６７８９０", "12345678⁹⁰"])
def test_tax_number_in_other_digits_is_a_row_error(value):
    """str.isdigit() accepts Arabic-Indic, full-width and superscript digits; a tax number has ASCII digits."""
    headers = ["Прізвище", "Ім'я", "РНОКПП"]
    result = columns.check_rows(headers, [(2, ["Петренко", "Іван", value])], columns.guess_mapping(headers),
                                "persons")
    assert not result.rows and result.bad_rows == 1
    assert result.errors[0].column == "РНОКПП" and "10 digits" in result.errors[0].expected


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_damaged_member_is_a_clear_problem(workbook, compression):
    """Found by the property above: a workbook whose [Content_Types].xml fails its checksum (or
    whose deflate stream is broken) raised BadZipFile / zlib.error instead of FileProblem."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
    content = bytearray(out.getvalue())
    at = content.index(b"[Content_Types].xml") + len("[Content_Types].xml") + 10  # inside the member's data
    content[at] ^= 0xFF
    with pytest.raises(parsing.FileProblem, match="damaged"):
        parsing.read_table(bytes(content), "list.xlsx")
