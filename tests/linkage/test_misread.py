"""The ``misread`` level (issue 18, generate2.py's findable rows left in review): one OCR or
by-ear confusion, or a surname's other gender ending, is weaker evidence than a typo but is not
a different name; capitals with a digit stay capitals; a first name run together with the
patronymic is split."""

from __future__ import annotations

import pytest

from homecoming.linkage import LinkageIndex, Record
from homecoming.linkage.compare import compare_names
from homecoming.linkage.records import name_part
from homecoming.names import normalize, parse_full_name


@pytest.mark.parametrize(("a", "b"), [
    ("Pasisnichcnko", "Пасисниченко"),  # e read as c
    ("KORNAREUS", "Комареус"),  # m read as rn
    ("Bunln", "Бунін"),  # i read as l
    ("Апександр", "Олександр"),  # л read as п
])
def test_one_scanner_confusion_is_a_misreading(a, b):
    assert compare_names(name_part(a, "last"), name_part(b, "last"), True) == "misread"


@pytest.mark.parametrize(("a", "b"), [("КИРЬЯКУЛОВА", "Кір'якулов"), ("Iusifova", "Юсіфов"),
                                      ("КОВРЕГИНА", "Коврігін")])
def test_the_other_gender_ending_of_a_surname_is_a_misreading_but_not_of_a_first_name(a, b):
    assert compare_names(name_part(a, "last"), name_part(b, "last"), True) == "misread"
    assert compare_names(name_part(a, "first"), name_part(b, "first")) == "differ"


@pytest.mark.parametrize(("a", "b"), [("Кириленко", "Короленко"), ("Шевченко", "Шевчук"), ("Коваль", "Коваленко")])
def test_different_names_stay_different(a, b):
    assert compare_names(name_part(a, "last"), name_part(b, "last"), True) == "differ"


def test_a_digit_among_capitals_is_a_capital():
    assert normalize("Б0ЛКВАДЗЕ") == "БОЛКВАДЗЕ"
    assert parse_full_name("ХРО6УСТ ИВАН").last_name == "ХРОБУСТ"


def test_a_first_name_run_together_with_the_patronymic_is_split():
    p = parse_full_name("SERGIIGRIGOREVICH SHEVLIAKOV")
    assert (p.last_name, p.first_name, p.patronymic) == ("SHEVLIAKOV", "SERGII", "GRIGOREVICH")
    assert parse_full_name("Олександрович").first_name == ""  # one patronymic, not two words


def test_a_misread_surname_with_names_and_date_matches():
    reg = [Record(f"r{i}", f"Прізвище{i}", "Руслан", "Іванович", birth_date=f"19{60 + i % 40}-01-0{1 + i % 9}")
           for i in range(50)]
    reg.append(Record("p", "Пасисниченко", "Руслан", "Васильович", birth_date="1980-06-23"))
    res = LinkageIndex(reg).link([Record("x", "Pasisnichcnko", "Ruslan", "Vasilyevich", birth_date="23.06.1980")])[0]
    assert res.decision == "match" and res.candidates[0].registry_id == "p"
    levels = {f.field: f.level for f in res.candidates[0].explanation}
    assert levels["last_name"] == "misread"
