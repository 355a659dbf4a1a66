"""The register API: permissions per role, hidden fields, optimistic locking, audit, bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.audit.models import AuditEvent
from homecoming.audit.services import verify_chain
from homecoming.registry import services
from homecoming.registry.models import Person, StatusEvent

pytestmark = pytest.mark.django_db

LIST = "/api/v1/persons/"
ROLES = ["registrar", "analyst", "negotiator", "medical_officer", "case_worker", "finance_officer", "administrator"]
READERS = set(ROLES) - {"administrator"}


def detail_url(p):
    return f"/api/v1/persons/{p.pk}/"


def events_url(p):
    return f"/api/v1/persons/{p.pk}/events/"


def new_person_payload(**over):
    data = {"last_name": "Гнатюк", "first_name": "Степан", "patronymic": "Романович", "birth_date": "1988-02-11",
            "side": "ours", "branch": "national_guard", "direction": "donetsk",
            "initial_status": {"status": "missing", "effective_date": "2024-03-02", "source_kind": "unit_report",
                               "source_reference": "донесення 5"}}
    data.update(over)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_permissions_per_role_on_every_endpoint(client_for, make_person, role):
    person = make_person()
    c = client_for(role)
    can_read = role in READERS
    assert c.get(LIST).status_code == (200 if can_read else 403)
    assert c.get(detail_url(person)).status_code == (200 if can_read else 403)
    assert c.get(events_url(person)).status_code == (200 if can_read else 403)
    created = c.post(LIST, new_person_payload(), content_type="application/json")
    assert created.status_code == (201 if role == "registrar" else 403)
    patched = c.patch(detail_url(person), {"version": 1, "unit": "в/ч Б0000"}, content_type="application/json")
    assert patched.status_code == (200 if role == "registrar" else 403)
    event = c.post(events_url(person), {"status": "found", "effective_date": "2024-05-05",
                                        "source_kind": "open_source"}, content_type="application/json")
    assert event.status_code == (201 if role in {"registrar", "analyst"} else 403)


def test_anonymous_gets_401_or_403(client, make_person):
    person = make_person()
    assert client.get(detail_url(person)).status_code in (401, 403)


def test_sensitive_fields_are_absent_for_roles_that_may_not_read_them(client_for, make_person, make_user):
    person = make_person(family_contacts="тел. CONTACT-X")
    medic = make_user("medical_officer")
    services.update_person(medic, person.pk, version=1, changes={"medical_notes": "NOTE-X"})
    for role, (notes, contacts) in {"medical_officer": (True, False), "registrar": (False, True),
                                    "case_worker": (False, True), "analyst": (False, False),
                                    "negotiator": (False, False)}.items():
        body = client_for(role).get(detail_url(person)).json()
        assert ("medical_notes" in body, "family_contacts" in body) == (notes, contacts), role
        assert ("NOTE-X" in str(body), "CONTACT-X" in str(body)) == (notes, contacts), role
    # Writing a field you may not see is refused, and nothing changes.
    c = client_for("registrar")
    r = c.patch(detail_url(person), {"version": 2, "medical_notes": "overwrite"}, content_type="application/json")
    assert r.status_code == 403
    person.refresh_from_db()
    assert person.medical_notes == "NOTE-X" and person.version == 2


def test_every_detail_read_is_audited(client_for, make_person):
    person = make_person()
    c = client_for("negotiator")
    c.get(detail_url(person))
    c.get(events_url(person))
    views = AuditEvent.objects.filter(action="person.view", object_id=str(person.pk), actor_id=c.user.pk)
    assert sorted(v.details["via"] for v in views) == ["api", "api-events"]
    assert verify_chain() is None


def test_create_update_with_optimistic_locking(client_for):
    c = client_for("registrar")
    r = c.post(LIST, new_person_payload(), content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["reference"].startswith("HC-") and body["current_status"] == "missing" and body["version"] == 1
    url = f"/api/v1/persons/{body['id']}/"
    r = c.patch(url, {"version": 1, "unit": "в/ч В0000", "rank": "sergeant"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["rank_category"] == "nco"
    r = c.patch(url, {"version": 1, "unit": "STALE"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["current_version"] == 2
    assert "Nothing was saved" in r.json()["detail"] or "Нічого не збережено" in r.json()["detail"]
    assert Person.objects.get(pk=body["id"]).unit == "в/ч В0000"
    r = c.patch(url, {"unit": "no version"}, content_type="application/json")
    assert r.status_code == 400 and "version" in r.json()["errors"]


def test_create_warns_about_likely_duplicates(client_for, make_person):
    existing = make_person("Гнатюк", "Степан", "Романович", birth_date=dt.date(1988, 2, 11))
    c = client_for("registrar")
    r = c.post(LIST, new_person_payload(last_name="Gnatyuk", first_name="Stepan", patronymic=""),
               content_type="application/json")
    assert r.status_code == 409 and r.json()["candidates"][0]["reference"] == existing.reference
    assert Person.objects.count() == 1
    r = c.post(LIST, new_person_payload(confirm_duplicate=True), content_type="application/json")
    assert r.status_code == 201 and Person.objects.count() == 2


@pytest.mark.parametrize("payload, field", [
    ({"last_name": ""}, "last_name"),
    ({"first_name": None}, "first_name"),
    ({"birth_date": "2999-01-01"}, "birth_date"),
    ({"birth_date": "11.02.1988"}, "birth_date"),
    ({"branch": "no-such-branch"}, "branch"),
    ({"side": "enemy"}, "status"),  # "missing" makes no sense for an enemy prisoner
    ({"tax_number": "12345abcde"}, "tax_number"),
    ({"colour": "red"}, "colour"),
    ({"initial_status": {"status": "missing", "effective_date": "2999-01-01", "source_kind": "icrc"}},
     "effective_date"),
])
def test_create_bad_input_is_400_naming_the_field_and_saves_nothing(client_for, payload, field):
    c = client_for("registrar")
    audit = AuditEvent.objects.count()
    r = c.post(LIST, new_person_payload(**payload), content_type="application/json")
    assert r.status_code == 400, r.content
    assert field in str(r.json())
    assert Person.objects.count() == 0 and StatusEvent.objects.count() == 0
    assert AuditEvent.objects.count() == audit


def test_events_list_and_add_with_bad_input(client_for, make_person):
    person = make_person(birth_date=dt.date(1999, 9, 9))
    c = client_for("analyst")
    for bad, field in [({"status": "held", "effective_date": "2024-01-01", "source_kind": "icrc"}, "status"),
                       ({"status": "found", "effective_date": "1990-01-01", "source_kind": "icrc"}, "effective_date"),
                       ({"status": "found", "effective_date": "2024-01-01"}, "source_kind"),
                       ({"status": "found", "effective_date": "2024-01-01", "source_kind": "icrc", "corrects": 999},
                        "corrects")]:
        r = c.post(events_url(person), bad, content_type="application/json")
        assert r.status_code == 400 and field in r.json()["errors"], (bad, r.content)
    assert person.status_events.count() == 1
    r = c.post(events_url(person), {"status": "captivity_confirmed", "effective_date": "2024-01-01",
                                    "source_kind": "other_side_list", "source_reference": "list 3"},
               content_type="application/json")
    assert r.status_code == 201 and r.json()["author"] == c.user.username
    events = c.get(events_url(person)).json()["results"]
    assert [e["status"] for e in events] == ["missing", "captivity_confirmed"]
    assert c.get(detail_url(person)).json()["current_status"] == "captivity_confirmed"
    assert c.get("/api/v1/persons/999999/events/").status_code == 404


def test_list_search_and_filters(client_for, make_person):
    target = make_person("Петренко", "Олександр", "Миколайович")
    other = make_person("Петренко", "Василь", "Богданович", side="enemy", status="held")
    c = client_for("analyst")
    for q in ["Oleksandr Petrenko", "Александр Петренко", "петренко о"]:
        ids = [p["id"] for p in c.get(LIST, {"q": q}).json()["results"]]
        assert ids == [target.pk], q
    assert [p["id"] for p in c.get(LIST, {"side": "enemy"}).json()["results"]] == [other.pk]
    assert c.get(LIST, {"status": "bogus"}).status_code == 400
    assert c.get(LIST, {"incident_from": "yesterday"}).status_code == 400
    assert "detail" not in c.get(LIST, {"q": "Петренко", "sort": "birth", "dir": "desc"}).json()

