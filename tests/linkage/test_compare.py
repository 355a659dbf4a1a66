"""Field comparisons and partial dates."""

import pytest

from homecoming.linkage import (
    PartialDate,
    compare_dates,
    compare_identifiers,
    compare_names,
    normalize_identifier,
    parse_partial_date,
)
from homecoming.linkage.records import name_part

P = PartialDate


@pytest.mark.parametrize("text,expected", [
    ("1990-05-17", P(1990, 5, 17)), ("17.05.1990", P(1990, 5, 17)), ("1.5.1990", P(1990, 5, 1)),
    ("1990-05", P(1990, 5)), ("1990", P(1990)), ("05.1990", P(1990, 5)), ("", None), ("  ", None),
])
def test_parse_partial_date(text, expected):
    assert parse_partial_date(text) == expected


@pytest.mark.parametrize("text", ["1990-02-30", "31.04.1990", "1990-13", "17/05/1990", "May 1990", "90-05-17",
                                  "0000"])
def test_parse_partial_date_rejects(text):
    with pytest.raises(ValueError, match="expected YYYY-MM-DD"):
        parse_partial_date(text)


def test_partial_date_precision_and_str():
    assert P(1990).precision == "year" and str(P(1990)) == "1990"
    assert P(1990, 5).precision == "month" and str(P(1990, 5)) == "1990-05"
    assert P(1990, 5, 7).is_full and str(P(1990, 5, 7)) == "1990-05-07"


@pytest.mark.parametrize("a,b,level", [
    (P(1990, 5, 17), P(1990, 5, 17), "exact"),
    (P(1990, 5, 7), P(1990, 7, 5), "swap"),
    (P(1990, 5, 17), P(1990, 5, 19), "typo"),  # one digit of the day
    (P(1990, 5, 17), P(1980, 5, 17), "typo"),  # one digit of the year
    (P(1990, 5, 17), P(1990, 5, 71 - 40), "differ"),
    (P(1990, 5, 12), P(1990, 5, 21), "typo"),  # adjacent digits transposed
    (P(1990, 5, 17), P(1990, 8, 17), "typo"),  # one digit of the month
    (P(1989, 12, 31), P(1990, 1, 1), "near"),  # one day apart across a year
    (P(1990, 5, 31), P(1990, 6, 1), "near"),
    (P(1989, 5, 17), P(1990, 5, 17), "near"),  # one year apart, two digits differ
    (P(1990, 5, 17), P(1990, 5), "month"),
    (P(1990, 5, 17), P(1990), "year"),
    (P(1990), P(1990), "year"),
    (P(1990, 5, 17), P(1991), "differ"),
    (P(1990, 5), P(1990, 6), "differ"),
    (P(1990, 5, 17), P(1973, 2, 3), "differ"),
    (P(1990, 5, 17), None, "missing"),
    (None, None, "missing"),
])
def test_compare_dates(a, b, level):
    assert compare_dates(a, b) == level
    assert compare_dates(b, a) == level


def np(text, kind="last"):
    return name_part(text, kind)


@pytest.mark.parametrize("a,b,kind,level", [
    ("Петренко", "PETRENKO", "last", "same"),
    ("Петренко", "Пeтрeнкo", "last", "same"),  # homoglyphs
    ("Олександр", "Александр", "first", "same"),  # Ukrainian / Russian
    ("Олександр", "Aleksandr", "first", "same"),  # Russian transliteration
    ("Миколайович", "Nikolaevich", "patronymic", "same"),
    ("Петренко", "Петренко-Коваль", "last", "same"),  # one part of a double surname
    ("Петренко", "Петренка", "last", "close"),  # a typo
    ("Олександр", "Алексанрд", "first", "close"),  # transposed letters
    ("Коваленко", "Kovalenkp", "last", "close"),
    ("Олександр", "О", "first", "initial"),
    ("Олександр", "А.", "first", "initial"),  # Russian initial of Александр
    ("Олександр", "П", "first", "differ"),
    ("Петренко", "Шевчук", "last", "differ"),
    ("Олег", "Ольга", "first", "differ"),
    ("Петренко", "", "last", "missing"),
])
def test_compare_names(a, b, kind, level):
    assert compare_names(np(a, kind), np(b, kind)) == level
    assert compare_names(np(b, kind), np(a, kind)) == level


@pytest.mark.parametrize("raw,norm", [
    ("ab 123456", "AB123456"), ("АВ-123456", "AB123456"), (" 1234567890 ", "1234567890"), ("", ""),
])
def test_normalize_identifier(raw, norm):
    assert normalize_identifier(raw) == norm


@pytest.mark.parametrize("a,b,level", [
    ("AB123456", "AB123456", "same"),
    ("AB123456", "AB123457", "close"),
    ("AB123456", "AB124356", "close"),  # transposition
    ("AB123456", "CD987654", "differ"),
    ("AB1", "AB2", "differ"),  # too short to call a typo
    ("AB123456", "", "missing"),
])
def test_compare_identifiers(a, b, level):
    assert compare_identifiers(a, b) == level


def test_read_date_two_digit_years_are_never_in_the_future():
    import datetime as dt

    from homecoming.linkage.dates import PartialDate, read_date

    today = dt.date(2026, 6, 1)
    assert read_date("17.05.05", today)[0] == PartialDate(2005, 5, 17)
    assert read_date("17.05.26", today)[0] == PartialDate(2026, 5, 17)
    assert read_date("17.05.27", today)[0] == PartialDate(1927, 5, 17)
    assert read_date("29.02.1991")[0] == PartialDate(1991, 2)
    assert read_date("  ") == (None, "")
