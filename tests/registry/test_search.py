"""Cross-script name search over the stored keys."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.registry import services
from homecoming.registry.keys import name_keys
from homecoming.registry.models import PersonNameKey
from homecoming.registry.selectors import likely_duplicates, person_by_reference, search_persons

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(make_person):
    return {
        "target": make_person("Петренко", "Олександр", "Миколайович"),
        "same_surname": make_person("Петренко", "Василь", "Богданович"),
        "same_first": make_person("Коваленко", "Олександр", "Петрович"),
        "initial_b": make_person("Петренко", "Богдан", "Олегович"),
        "unrelated": make_person("Мельник", "Ірина", "Степанівна"),
    }


@pytest.mark.parametrize("query", [
    "Oleksandr Petrenko", "Александр Петренко", "петренко олександр", "PETRENKO OLEKSANDR",
    "Aleksandr Nikolaevich Petrenko", "Петренко Олександр Миколайович", "Petrenko Oleksandr Mykolaiovych",
])
def test_full_name_in_any_script_finds_only_the_person(register, query):
    assert list(search_persons(query)) == [register["target"]]


def test_an_initial_matches_by_first_letter(register):
    # "о" is the initial of Олександр and of Олегович (an initial stands for a class of first letters:
    # every vowel, as in Олександр / Александр / Aleksandr): Петренко Василь Богданович has none.
    found = set(search_persons("петренко о"))
    assert register["target"] in found and register["same_surname"] not in found
    assert register["unrelated"] not in found and register["same_first"] not in found
    assert set(search_persons("Petrenko O.")) == found
    assert set(search_persons("петренко в")) == {register["same_surname"]}


def test_one_token_finds_all_bearers(register):
    assert set(search_persons("Olexandr")) == {register["target"], register["same_first"]}
    assert set(search_persons("Петренко")) == {register["target"], register["same_surname"], register["initial_b"]}


def test_reference_and_nonsense(register):
    target = register["target"]
    assert list(search_persons(target.reference)) == [target]
    assert person_by_reference(target.reference.lower()) == target
    assert list(search_persons("Zzyzx Qqq")) == []
    assert search_persons("   ").count() == len(register)


def test_keys_are_kept_by_the_services(registrar, register):
    target = register["target"]
    keys = set(PersonNameKey.objects.filter(person=target).values_list("key", flat=True))
    assert keys == name_keys([target.last_name, target.first_name, target.patronymic])
    services.update_person(registrar, target.pk, version=target.version, changes={"last_name": "Шевченко"})
    assert target not in set(search_persons("Petrenko Oleksandr"))
    assert list(search_persons("Shevchenko Oleksandr")) == [target]


def test_namesakes_with_other_birthdays_are_not_duplicates(make_person):
    a = make_person("Коваленко", "Олександр", birth_date=dt.date(1990, 5, 17))
    b = make_person("Коваленко", "Олександр", birth_date=dt.date(1984, 11, 2))
    unknown = make_person("Коваленко", "Олександр")
    found = likely_duplicates(last_name="Коваленко", first_name="Александр", birth_date=dt.date(1990, 5, 17))
    assert a in found and unknown in found and b not in found
    # One digit wrong, or day and month swapped: still a candidate.
    assert a in likely_duplicates(last_name="Kovalenko", first_name="Oleksandr", birth_date=dt.date(1990, 5, 18))
    c = make_person("Коваленко", "Олександр", birth_date=dt.date(1991, 3, 4))
    assert c in likely_duplicates(last_name="Коваленко", first_name="Олександр", birth_date=dt.date(1991, 4, 3))


@pytest.mark.parametrize("first, initial", [
    ("Юрій", "ю"), ("Ярослав", "я"), ("Євген", "є"), ("Їжак", "ї"), ("Щасливий", "щ"), ("Юрій", "Ю."),
])
def test_an_initial_of_one_letter_and_two_sounds_finds_the_person(make_person, first, initial):
    # ю, я, є, ї, щ are one letter but two sounds (y+u, y+a, ..., sh+ch): still an initial
    # (an initial stands for a class of first letters, and every vowel is one class: the other
    # Бойко's names must start with consonants of another class)
    person = make_person("Бойко", first, "Петрович")
    other = make_person("Бойко", "Михайло", "Петрович")
    found = set(search_persons(f"бойко {initial}"))
    assert person in found and other not in found


def test_a_reference_typed_bare_finds_the_person(register):
    """Issue 19: searching `3519` returned the whole register instead of HC-003519."""
    target = register["target"]
    number = str(target.pk)
    for typed in (number, number.zfill(6), f"HC{target.pk:06d}", f"hc-{target.pk}", f" HC-{target.pk:06d} "):
        assert list(search_persons(typed)) == [target], typed
    assert list(search_persons("987654321")) == []  # no such reference: no one, not everyone


def test_a_service_number_typed_bare_finds_the_person(registrar, register):
    target = register["target"]
    services.update_person(registrar, target.pk, version=target.version, changes={"service_number": "ЕМ-323132"})
    for typed in ("ЕМ-323132", "ем323132", "EM323132", "em 323 132"):
        assert list(search_persons(typed)) == [target], typed
    assert list(search_persons("ЕМ-999999")) == []


def test_punctuation_alone_finds_no_one(register):
    assert list(search_persons("!!! ...")) == []
