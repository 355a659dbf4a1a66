"""The staff API of family inquiries: permissions per role, contacts, audit, bad input."""

import pytest

from homecoming.audit.models import AuditEvent
from homecoming.families.models import Inquiry

ROLES = ["registrar", "analyst", "negotiator", "medical_officer", "case_worker", "finance_officer", "administrator"]


@pytest.fixture
def inquiry(file_inquiry):
    return file_inquiry().inquiry


@pytest.mark.parametrize("role", ROLES)
def test_permissions_per_role(client_for, inquiry, make_person, role):
    person = make_person()
    client = client_for(role)
    readable = role in ("registrar", "case_worker")
    assert client.get("/api/v1/families/inquiries/").status_code == (200 if readable else 403)
    assert client.get(f"/api/v1/families/inquiries/{inquiry.pk}/").status_code == (200 if readable else 403)
    link = client.post(f"/api/v1/families/inquiries/{inquiry.pk}/link/", {"person": person.pk},
                       content_type="application/json")
    assert link.status_code == (200 if role == "registrar" else 403)
    assert Inquiry.objects.get().person_id == (person.pk if role == "registrar" else None)


def test_anonymous_is_refused(client, inquiry):
    assert client.get("/api/v1/families/inquiries/").status_code in (401, 403)


def test_detail_is_audited_and_never_holds_the_code(client_for, file_inquiry):
    filed = file_inquiry()
    client = client_for("registrar")
    data = client.get(f"/api/v1/families/inquiries/{filed.inquiry.pk}/").json()
    assert data["reference"] == filed.inquiry.reference and data["email"] == "family@example.org"
    assert filed.secret not in str(data) and "secret_hash" not in data
    assert AuditEvent.objects.filter(action="inquiry.view", object_id=str(filed.inquiry.pk)).exists()


def test_contacts_left_out_without_view_contacts(client_for, inquiry):
    from django.contrib.auth.models import Permission

    client = client_for("case_worker")
    client.user.groups.first().permissions.remove(Permission.objects.get(codename="view_contacts"))
    data = client.get(f"/api/v1/families/inquiries/{inquiry.pk}/").json()
    assert "email" not in data and "phone" not in data and "inquirer_name" not in data


@pytest.mark.parametrize("payload, field", [({}, "person"), ({"person": "x"}, "person"),
                                            ({"person": 999999}, "person")])
def test_link_bad_input_is_400_naming_the_field(client_for, inquiry, payload, field):
    client = client_for("registrar")
    response = client.post(f"/api/v1/families/inquiries/{inquiry.pk}/link/", payload,
                           content_type="application/json")
    assert response.status_code == 400 and field in str(response.json())
    assert Inquiry.objects.get().person_id is None


def test_list_filters_by_state(client_for, inquiry):
    client = client_for("registrar")
    assert client.get("/api/v1/families/inquiries/?state=new").json()["count"] == 1
    assert client.get("/api/v1/families/inquiries/?state=linked").json()["count"] == 0
    assert client.get("/api/v1/families/inquiries/?state=bogus").status_code == 400
