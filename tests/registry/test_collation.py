"""Names sort in Ukrainian alphabetical order on both databases (issue 19): І, Є, Ї and Ґ at their
places in the alphabet, not before А as their code points would put them, and Latin names after
every Cyrillic one. The order is applied in the query (homecoming.common.collation), so the same
lists come out of SQLite and PostgreSQL, and the schema names no collation."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.db.models.functions import Collate

from homecoming.common.collation import UK, by_name, person_order, person_sort_key, sort_key
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
    by_first = list(Person.objects.order_by(*by_name("last_name", "id")).values_list("last_name", flat=True))
    assert by_first == ORDERED


@pytest.mark.django_db
def test_the_collation_is_the_database_s_own(alphabet_persons):
    """On PostgreSQL the order is ICU's ``uk-UA-x-icu`` (no code of ours runs); on SQLite ours."""
    rows = list(Person.objects.order_by(Collate("last_name", UK), "id").values_list("last_name", flat=True))
    assert rows == ORDERED
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT collname FROM pg_collation WHERE collname = %s", [UK])
            assert cursor.fetchone() == (UK,)


@pytest.mark.django_db
def test_the_schema_names_no_collation():
    """The table and its indexes can be written by a tool that knows nothing of the collation."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite: an outside sqlite3 tool must still write the file")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
        assert not [sql for (sql,) in cursor.fetchall() if UK in sql]
