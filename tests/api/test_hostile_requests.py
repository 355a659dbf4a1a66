"""Requests a fuzzer or an attacker sends: a null byte in a parameter or a JSON string, a JSON
value of the wrong type, an id past 64 bits. Each gets 400 or 404 with a message, never a 500
(PostgreSQL refuses a null byte in text and a number past bigint; SQLite overflows)."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.aftercare.models import Case
from homecoming.registry.models import Person
from tests.returnees import *  # noqa: F403  (make_returnee and the roles it needs)

pytestmark = pytest.mark.django_db
HUGE = str(2 ** 64)  # one past the largest unsigned 64-bit number
PAGES = ["/persons/?q=%00", "/persons/?last_name=a%00b", "/families/?state=%00", "/aftercare/?state=new%00",
         "/audit/?action=%00", "/intake/?page=%00"]
API_GETS = ["/api/v1/persons/?q=%00", "/api/v1/persons/?status=%00", "/api/v1/aftercare/cases/?state=%00",
            "/api/v1/families/inquiries/?state=%00", "/api/v1/exchanges/?agreement=%00"]


@pytest.fixture
def case(make_returnee):
    return Case.objects.get(person=make_returnee(returned=dt.date(2024, 5, 31)))


@pytest.mark.parametrize("url", PAGES + API_GETS)
def test_a_null_byte_in_a_query_parameter_is_a_400(client_for, url):
    client = client_for("registrar", "analyst", "case_worker", "negotiator", "administrator")
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json") and response.json()["detail"]


@pytest.mark.parametrize("url", [f"/persons/{HUGE}/", f"/persons/{HUGE}/edit/", f"/api/v1/persons/{HUGE}/",
                                 f"/api/v1/persons/{HUGE}/events/", f"/aftercare/{HUGE}/",
                                 f"/api/v1/aftercare/cases/{HUGE}/", f"/families/{HUGE}/",
                                 f"/api/v1/families/inquiries/{HUGE}/", f"/api/v1/exchanges/{HUGE}/"])
def test_an_id_past_64_bits_is_a_404(client_for, url):
    client = client_for("registrar", "medical_officer", "case_worker", "negotiator")
    response = client.get(url)
    assert response.status_code == 404, (url, response.status_code)


def test_wrong_json_types_and_null_bytes_in_json_are_a_400(client_for, case, registrar):
    worker = client_for("case_worker")
    docs = case.tasks.get(code="documents")
    for body in ({"outcome": 5}, {"state": ["done"]}, {"assignee": {"id": 1}}, {"due_date": 20250101},
                 {"outcome": "a\u0000b"}, {"assignee": HUGE}):
        response = worker.patch(f"/api/v1/aftercare/tasks/{docs.pk}/", body, content_type="application/json")
        assert response.status_code == 400, (body, response.status_code, response.content[:200])
    docs.refresh_from_db()
    assert docs.outcome == "" and docs.state == "open"
    reg = client_for("registrar")
    before = Person.objects.count()
    for body in ({"last_name": "Тест\u0000", "first_name": "Іван"}, {"last_name": 5, "first_name": ["Іван"]}):
        response = reg.post("/api/v1/persons/", body, content_type="application/json")
        assert response.status_code == 400, (body, response.status_code, response.content[:200])
    assert Person.objects.count() == before


def test_a_null_byte_in_a_form_is_a_400(client_for):
    reg = client_for("registrar")
    before = Person.objects.count()
    response = reg.post("/persons/new/", {"last_name": "Тест\x00", "first_name": "Іван"})
    assert response.status_code == 400
    assert Person.objects.count() == before


def test_a_write_that_collides_answers_409_with_a_message(client_for, monkeypatch):
    """The net under every race (core.middleware.ConflictMiddleware, the API's exception handler):
    a constraint the database enforces against a concurrent write gives a message, not a 500."""
    from django.db import IntegrityError

    from homecoming.registry import services

    def collides(*args, **kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "x"')

    monkeypatch.setattr(services, "create_person", collides)
    reg = client_for("registrar")
    reg.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    from tests.registry.test_pages import _create_payload

    page = reg.post("/persons/new/", _create_payload())
    assert page.status_code == 409 and "at the same moment" in page.content.decode()
    api = reg.post("/api/v1/persons/", {"last_name": "Тестовий", "first_name": "Іван"},
                   content_type="application/json")
    assert api.status_code == 409 and "at the same moment" in api.json()["detail"]
