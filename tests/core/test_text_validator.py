"""One validator of names and free text (homecoming.common.text) on every path a value comes in:
the register's pages and API, imports, the family portal and the admin's reference lists. ESC,
BEL and U+202E are refused with a message naming the character; a name split from the wrong
delimiter is refused naming row and column; an export never fails on an older record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from homecoming.common.text import name_problem, text_problem
from homecoming.intake import services as intake
from homecoming.registry.models import Branch, Person

pytestmark = pytest.mark.django_db
HOSTILE = {"ESC": "Тест\x1b[31m", "BEL": "Тест\x07", "RLO": "Тест\u202eовий", "zero width": "Тест\u200bовий"}


@pytest.mark.parametrize("value", ["Петренко", "Коваль-Петренко", "О'Коннор", "Ґонта", "д’Артаньян", "О.",
                                   "Müller", "Ørsted", "Đorđević"])
def test_real_names_pass(value):
    assert name_problem(value) is None


@pytest.mark.parametrize("value,where", [("Коваль,Петро", "“,”"), ("1990-05-01", "digits"), ("=1+1", "“=”"),
                                         ("Тест\x1b", "U+001B"), ("Тест\x07", "U+0007"),
                                         ("Тест\u202eовий", "U+202E"), ("А;Б", "“;”")])
def test_what_a_name_cannot_hold_is_named(value, where):
    from django.utils import translation

    with translation.override("en"):
        assert where in name_problem(value)


def test_free_text_may_hold_punctuation_but_no_control_or_direction_character():
    assert text_problem("в/ч А1234, 2-й батальйон (м. Київ)") is None
    assert "U+001B" in text_problem("в/ч\x1b")
    assert "U+202E" in text_problem("в/ч\u202e")
    assert text_problem("рядок\nрядок", multiline=True) is None and text_problem("рядок\nрядок")


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_the_register_form_and_api_refuse(client_for, kind):
    from tests.registry.test_pages import _create_payload

    c = client_for("registrar")
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = c.post(reverse("registry:person_create"), _create_payload(last_name=HOSTILE[kind]))
    assert page.status_code == 200 and "U+" in page.content.decode()
    api = c.post("/api/v1/persons/", {"last_name": HOSTILE[kind], "first_name": "Іван"},
                 content_type="application/json")
    assert api.status_code == 400 and "U+" in str(api.json())
    unit = c.post("/api/v1/persons/", {"last_name": "Тестовий", "first_name": "Іван", "unit": "в/ч\x1b"},
                  content_type="application/json")
    assert unit.status_code == 400 and "U+001B" in str(unit.json())
    assert not Person.objects.exists()


def test_an_alternative_name_is_checked_the_same_way(client_for):
    from homecoming.registry import services

    c = client_for("registrar")
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    person = services.create_person(c.user, {"last_name": "Тестовий", "first_name": "Іван"})
    page = c.post(reverse("registry:alternative_name_add", args=[person.pk]),
                  {"last_name": HOSTILE["RLO"], "first_name": "Иван", "patronymic": "", "script": "ru", "source": ""})
    assert "U+202E" in page.content.decode() and not person.alternative_names.exists()


def test_an_import_names_the_row_and_column(make_user):
    registrar = make_user("registrar")
    content = ("Прізвище;Ім'я;Дата народження\n"
               "Коваль,Петро;1990-05-01;\n"  # the mixed-delimiter row of issue 16
               "Тест\x1bовий;Іван;1991\n"
               "Шевчук;Ганна;1992\n").encode()
    job = intake.stage_upload(registrar, content=content, filename="mixed.csv", kind="persons",
                              source_kind="unit_report", source_reference="x", list_date=dt.date(2025, 6, 7))
    errors: dict = {}
    for e in job.errors:
        errors.setdefault((e["row"], e["column"]), []).append(e["expected"])
    assert any("“,”" in m for m in errors[(2, "Прізвище")]) and any("digits" in m for m in errors[(2, "Ім'я")])
    assert any("U+001B" in m for m in errors[(3, "Прізвище")])
    assert job.valid_rows == 1
    intake.start_import(registrar, job.pk, only_valid=True)
    assert list(Person.objects.values_list("last_name", flat=True)) == ["Шевчук"]


def test_the_family_portal_refuses(client):
    client.cookies["homecoming_language"] = "en"
    from tests.families.conftest import inquiry_data

    data = {**inquiry_data(), "last_name": HOSTILE["BEL"], "consent": "on"}
    response = client.post("/family/inquiry/", data)
    assert response.status_code == 400 and "U+0007" in response.content.decode()


def test_the_admin_reference_lists_refuse(client_for):
    c = client_for("administrator")
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = c.post(reverse("admin:registry_branch_add"), {"code": "test-branch", "name_uk": HOSTILE["RLO"],
                                                             "name_en": "Test", "position": 1, "active": "on"})
    assert response.status_code == 200 and "U+202E" in response.content.decode()
    assert not Branch.objects.filter(code="test-branch").exists()


def test_an_export_never_fails_on_an_older_record_with_a_control_character(client_for, registrar_user):
    from homecoming.registry import services

    person = services.create_person(registrar_user, {"last_name": "Тестовий", "first_name": "Іван"})
    Person.objects.filter(pk=person.pk).update(last_name="Тест\x1bовий")  # written before the validator
    c = client_for("analyst")
    response = c.get(reverse("intake:export_register"), {"download": "1", "format": "xlsx"})
    assert response.status_code == 200


@pytest.fixture
def registrar_user(make_user):
    return make_user("registrar")
