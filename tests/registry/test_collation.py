"""Names sort in Ukrainian alphabetical order on both databases (issue 19): І, Є, Ї and Ґ at their
places in the alphabet, not before А as their code points would put them, and Latin names after
every Cyrillic one. Each person stores the key of the name (homecoming.common.collation), compared
by code point on both databases, so the same lists come out of SQLite and PostgreSQL, and the
schema names no collation of ours."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from homecoming.common.collation import name_sort_key, person_order, person_sort_key, sort_key
from homecoming.registry.models import Person
from homecoming.registry.selectors import RegisterFilters, filter_persons

ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
# surnames beginning with а … н (every letter that code points misplace, a few plain ones), then Latin
ORDERED = ["Аванюк", "Бванюк", "Вванюк", "Гванюк", "Ґванюк", "Дванюк", "Еванюк", "Єванюк",
           "Жванюк", "Званюк", "Иванюк", "Іванюк", "Їванюк", "Йванюк", "Кванюк", "Лванюк", "Мванюк", "Нванюк",
           "Praskovia", "Zaitsev"]


def test_the_python_key_follows_the_alphabet():
    letters = list(ALPHABET)
    random.Random(19).shuffle(letters)
    assert "".join(sorted(letters, key=sort_key)) == ALPHABET
    assert "".join(sorted(ALPHABET)) != ALPHABET  # by code point є, і, ї, ґ go elsewhere
    names = ["Zaitsev", "Їжак", "Авер'янов", "Іваненко", "Євтушенко", "Ґава", "Гнатюк", "Андрієнко", "Єрмак"]
    assert sorted(names, key=sort_key) == ["Авер'янов", "Андрієнко", "Гнатюк", "Ґава", "Євтушенко", "Єрмак",
                                           "Іваненко", "Їжак", "Zaitsev"]
    # case only breaks ties; a shorter name first
    assert sorted(["Бабенко", "бабенко", "Баб", "БАБЕНКО"], key=sort_key) == ["Баб", "бабенко", "Бабенко",
                                                                             "БАБЕНКО"]


@pytest.fixture
def alphabet_persons(make_person):
    shuffled = list(ORDERED)
    random.Random(7).shuffle(shuffled)
    return [make_person(name, "Петро", "") for name in shuffled]


@pytest.mark.django_db
def test_the_register_lists_names_in_ukrainian_order(alphabet_persons):
    listed = [p.last_name for p in filter_persons(RegisterFilters())]
    assert listed == ORDERED
    backwards = [p.last_name for p in filter_persons(RegisterFilters(descending=True))]
    assert backwards == ORDERED[::-1]
    # a search sorts its (few) rows the same way
    found = [p.last_name for p in filter_persons(RegisterFilters(q="Петро"))]
    assert found == ORDERED


@pytest.mark.django_db
def test_every_name_order_helper_agrees_with_the_python_key(alphabet_persons):
    made = alphabet_persons
    in_db = list(Person.objects.order_by(*person_order()).values_list("last_name", flat=True))
    in_memory = [p.last_name for p in sorted(made, key=person_sort_key)]
    assert in_db == in_memory == ORDERED
    assert list(Person.objects.values_list("last_name", flat=True)) == ORDERED  # the model's default order


@pytest.mark.django_db
def test_the_database_compares_the_key_by_code_point(alphabet_persons):
    """No collation of ours at query time: the stored key in plain binary order is the alphabet,
    on PostgreSQL whatever the database's default collation (the column's is ``C``)."""
    rows = list(Person.objects.order_by("name_sort_key", "id").values_list("last_name", flat=True))
    assert rows == ORDERED
    keys = list(Person.objects.order_by("name_sort_key", "id").values_list("name_sort_key", flat=True))
    assert keys == sorted(keys)  # Python's str order is code point order
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT collation_name FROM information_schema.columns "
                           "WHERE table_name = 'registry_person' AND column_name = 'name_sort_key'")
            assert cursor.fetchone() == ("C",)


def test_the_stored_key_orders_like_the_parts_one_after_another():
    """Surname first, then first name, then patronymic; a shorter part first, whatever follows."""
    names = [("Бабенко", "Яків", ""), ("Бабенко", "Ігор", "Петрович"), ("Баб", "Ярема", "Ярович"),
             ("Бабенко", "Ігор", ""), ("Ґава", "Анна", ""), ("Бабенко-Ярош", "Іван", ""), ("Бабенкович", "Іван", ""),
             ("", "Іван", ""), ("Zaitsev", "Ivan", ""), ("Бабенко", "ігор", "")]
    expected = sorted(names, key=lambda n: tuple(sort_key(p) for p in n))
    assert sorted(names, key=lambda n: name_sort_key(*n)) == expected
    assert expected[:3] == [("", "Іван", ""), ("Баб", "Ярема", "Ярович"), ("Бабенко", "ігор", "")]
    # storable on PostgreSQL: no NUL, no surrogate, whatever the script
    for text in ("가나다", "\uabcd\ud7a3", "Ἀθῆναι", "O'Brien"):
        key = name_sort_key(text, text, text)
        assert "\x00" not in key and not any(0xD800 <= ord(c) <= 0xDFFF for c in key)
        key.encode("utf-8")


@pytest.mark.django_db
def test_the_schema_names_no_collation():
    """The table and its indexes can be written by a tool that knows nothing of the collation."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite: an outside sqlite3 tool must still write the file")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
        assert not [sql for (sql,) in cursor.fetchall() if "uk-UA" in sql or "COLLATE" in sql.upper()]
