"""Linking a list in the application: a person's alternative spellings are one record to the
engine, and the register's index is built once per process and follows the register's changes."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.intake import register_index, services
from homecoming.intake.models import ListRow
from homecoming.registry import services as registry_services

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Личный номер"]
PEOPLE = [
    {"last_name": "Петренко", "first_name": "Олександр", "patronymic": "Миколайович",
     "birth_date": dt.date(1990, 5, 17), "service_number": "АВ123456"},
    {"last_name": "Коваленко", "first_name": "Андрій", "patronymic": "Петрович",
     "birth_date": dt.date(1988, 2, 3), "service_number": "ВЕ654321"},
    {"last_name": "Зозуля", "first_name": "Остап", "patronymic": "Тарасович",
     "birth_date": dt.date(2001, 3, 4), "service_number": "КМ111222"},
]


def _import(analyst, rows, reference="list"):
    job = services.stage_upload(analyst, content=csv_bytes([HEADER, *rows]), filename=f"{reference}.csv",
                                kind="list", source_kind="other_side_list", source_reference=reference,
                                list_date=dt.date(2025, 6, 7))
    job = services.start_import(analyst, job.pk)
    return {r.row_number: r for r in ListRow.objects.filter(incoming_list=job.incoming_list)}


def _row(p, **over):
    v = {**p, **over}
    return [v["last_name"], v["first_name"], v["patronymic"], v["birth_date"].strftime("%d.%m.%Y"),
            v["service_number"]]


def test_an_alternative_spelling_does_not_compete_with_its_own_person(analyst, registrar, register):
    persons = register(PEOPLE)
    for p in persons[:2]:
        registry_services.add_alternative_name(registrar, p.pk, last_name=p.last_name, first_name="Александр"
                                               if p.first_name == "Олександр" else "Андрей", script="ru")
    rows = _import(analyst, [_row(PEOPLE[0]), _row(PEOPLE[1]), _row(PEOPLE[2])])
    for n, person in zip((2, 3, 4), persons, strict=True):
        row = rows[n]
        assert row.decision == "match", row.reason
        assert [c["person_id"] for c in row.candidates] == [person.pk]
        assert row.candidates[0]["probability"] > 0.99
        assert "several" not in row.reason and "more than one" not in row.reason


def test_a_row_written_as_the_alternative_name_finds_the_person_once(analyst, registrar, register):
    persons = register(PEOPLE)
    registry_services.add_alternative_name(registrar, persons[2].pk, last_name="Дорошенко",
                                           first_name="Остап", script="uk")
    rows = _import(analyst, [["Дорошенко", "Остап", "", "04.03.2001", ""]])
    cands = rows[2].candidates
    assert [c["person_id"] for c in cands] == [persons[2].pk]
    surname = next(f for f in cands[0]["explanation"] if f["field"] == "last_name")
    assert surname["level"] == "same" and surname["registry_value"] == "Дорошенко"


def test_the_index_is_built_once_and_follows_the_register(analyst, registrar, register):
    persons = register(PEOPLE)
    _import(analyst, [_row(PEOPLE[0])], "first")
    index = register_index._state["index"]
    assert len(index) == 3

    # a new person, a changed name, an alternative name: seen without building again
    created = registry_services.create_person(registrar, {
        "side": "ours", "last_name": "Вернигора", "first_name": "Тарас", "patronymic": "Іванович",
        "birth_date": "1979-11-30"})
    registry_services.update_person(registrar, persons[1].pk, version=persons[1].version,
                                    changes={"last_name": "Коваль"})
    registry_services.add_alternative_name(registrar, persons[0].pk, last_name="Петрашенко", script="uk")
    rows = _import(analyst, [["Вернигора", "Тарас", "Иванович", "30.11.1979", ""],
                             _row(PEOPLE[1], last_name="Коваль"),
                             ["Петрашенко", "Олександр", "Миколайович", "17.05.1990", ""]], "second")
    assert register_index._state["index"] is index
    assert len(index) == 4
    assert [c["person_id"] for c in rows[2].candidates][:1] == [created.pk]
    assert rows[3].decision == "match" and rows[3].candidates[0]["person_id"] == persons[1].pk
    assert rows[4].candidates[0]["person_id"] == persons[0].pk

    # a merge takes the duplicate out; its name lives on as the survivor's alternative name
    registry_services.merge_persons(registrar, persons[0].pk, created.pk)
    rows = _import(analyst, [["Вернигора", "Тарас", "Иванович", "30.11.1979", ""]], "third")
    assert register_index._state["index"] is index
    assert created.pk not in [c["person_id"] for c in rows[2].candidates]
    assert str(created.pk) not in index and len(index) == 3


def test_the_index_is_built_again_when_the_log_it_remembers_is_gone(analyst, register):
    register(PEOPLE)
    _import(analyst, [_row(PEOPLE[0])], "first")
    index = register_index._state["index"]
    register_index._state["hash"] = "not the hash of that event"
    _import(analyst, [_row(PEOPLE[1])], "second")
    assert register_index._state["index"] is not index
