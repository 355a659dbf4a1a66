"""Fixtures for intake: users, synthetic register persons, and files written as people send them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest

from homecoming.registry import services as registry_services

SURNAMES = ["Петренко", "Коваленко", "Бондаренко", "Шевченко", "Мельник", "Ткаченко", "Кравченко", "Олійник",
            "Шевчук", "Поліщук", "Іваненко", "Савченко", "Марченко", "Руденко", "Мороз", "Лисенко", "Клименко",
            "Павленко", "Кузьменко", "Пономаренко", "Василенко", "Левченко", "Харченко", "Карпенко", "Литвиненко",
            "Гаврилюк", "Романенко", "Гончаренко", "Симоненко", "Костенко", "Юрченко", "Приходько", "Остапенко",
            "Панченко", "Сидоренко", "Степаненко", "Гриценко", "Дмитренко", "Войтенко", "Пилипенко"]
FIRST = ["Олександр", "Сергій", "Андрій", "Володимир", "Дмитро", "Віталій", "Юрій", "Віктор", "Іван", "Олег",
         "Микола", "Максим", "Василь", "Михайло", "Роман", "Богдан", "Ігор", "Євген", "Петро", "Олексій"]
PATRONYMIC = ["Олександрович", "Сергійович", "Андрійович", "Володимирович", "Миколайович", "Іванович",
              "Васильович", "Петрович", "Вікторович", "Юрійович", "Михайлович", "Олегович"]
# Russian renderings as the other side writes them (synthetic; the linkage engine knows the equivalences).
RU = {"Олександр": "Александр", "Сергій": "Сергей", "Андрій": "Андрей", "Володимир": "Владимир",
      "Дмитро": "Дмитрий", "Віталій": "Виталий", "Юрій": "Юрий", "Віктор": "Виктор", "Іван": "Иван", "Олег": "Олег",
      "Микола": "Николай", "Максим": "Максим", "Василь": "Василий", "Михайло": "Михаил", "Роман": "Роман",
      "Богдан": "Богдан", "Ігор": "Игорь", "Євген": "Евгений", "Петро": "Петр", "Олексій": "Алексей",
      "Олександрович": "Александрович", "Сергійович": "Сергеевич", "Андрійович": "Андреевич",
      "Володимирович": "Владимирович", "Миколайович": "Николаевич", "Іванович": "Иванович",
      "Васильович": "Васильевич", "Петрович": "Петрович", "Вікторович": "Викторович", "Юрійович": "Юрьевич",
      "Михайлович": "Михайлович", "Олегович": "Олегович", "Олійник": "Олейник", "Поліщук": "Полищук",
      "Іваненко": "Иваненко", "Гаврилюк": "Гаврилюк"}


def russian(word: str) -> str:
    if word in RU:
        return RU[word]
    return word.replace("і", "и").replace("ї", "и").replace("є", "е").replace("І", "И")


def synthetic_people(n: int, seed: int = 1) -> list[dict]:
    """Invented persons: distinct (name, date of birth, service number) combinations."""
    rnd = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        p = {"last_name": rnd.choice(SURNAMES), "first_name": rnd.choice(FIRST),
             "patronymic": rnd.choice(PATRONYMIC),
             "birth_date": dt.date(1965, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 38)),
             "service_number": f"{rnd.choice('АБВГДЕ')}{rnd.choice('АБВГДЕ')}{rnd.randrange(100000, 999999)}"}
        key = (p["last_name"], p["first_name"], p["birth_date"])
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], *, sheet: str = "Sheet1", extra_sheets: dict | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for name, srows in (extra_sheets or {}).items():
        s = wb.create_sheet(name)
        for r in srows:
            s.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def analyst(make_user):
    return make_user("analyst")


@pytest.fixture
def registrar(make_user):
    return make_user("registrar")


@pytest.fixture
def register(registrar):
    """register(people) -> the persons created in the register (status missing)."""

    def _make(people: list[dict]):
        return registry_services.bulk_create_persons(
            registrar, people, source_kind="family_application", source_reference="test applications",
            status="missing", effective_date=dt.date(2023, 5, 1))

    return _make


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield
