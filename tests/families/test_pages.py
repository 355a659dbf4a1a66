"""Staff pages: permissions per role, what each role sees, and bad input."""

import pytest
from django.core import mail

from homecoming.audit.models import AuditEvent
from homecoming.families.models import Inquiry, LockOut
from homecoming.registry.models import Person

ROLES = ["registrar", "analyst", "negotiator", "medical_officer", "case_worker", "finance_officer", "administrator"]
VIEWERS = {"registrar", "case_worker"}


@pytest.fixture
def inquiry(file_inquiry):
    return file_inquiry().inquiry


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(client_for, inquiry, make_person, role):
    person = make_person()
    client = client_for(role)
    lock = LockOut.objects.create(kind="address", key="192.0.2.1", failures=5, until="2999-01-01T00:00Z")
    reads = {
        "/families/": None, f"/families/{inquiry.pk}/": None, "/families/lockouts/": None,
        f"/families/person/{person.pk}/": None,
    }
    for url in reads:
        expected = 200 if role in VIEWERS else 403
        assert client.get(url).status_code == expected, url
    new = client.get("/families/new/").status_code
    assert new == (200 if role == "registrar" else 403)
    lift = client.post(f"/families/lockouts/{lock.pk}/lift/")
    assert lift.status_code == (302 if role == "registrar" else 403)
    link = client.post(f"/families/{inquiry.pk}/link/{person.pk}/")
    assert link.status_code == (302 if role == "registrar" else 403)
    assert Inquiry.objects.get().person_id == (person.pk if role == "registrar" else None)


def test_anonymous_is_sent_to_login(client, inquiry):
    response = client.get(f"/families/{inquiry.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nav_item_for_viewers(client_for, db):
    assert 'href="/families/"' in client_for("registrar").get("/").content.decode()
    assert 'href="/families/"' not in client_for("analyst").get("/").content.decode()


def test_detail_shows_candidates_and_is_audited(client_for, inquiry, make_person):
    person = make_person()
    client = client_for("registrar")
    html = client.get(f"/families/{inquiry.pk}/").content.decode()
    assert person.reference in html and f"/families/{inquiry.pk}/link/{person.pk}/" in html
    assert "family@example.org" in html  # the registrar reads family contacts
    assert AuditEvent.objects.filter(action="inquiry.view", object_id=str(inquiry.pk)).exists()
    assert AuditEvent.objects.filter(action="person.view", object_id=str(person.pk)).exists()


def test_case_worker_reads_without_changing(client_for, inquiry):
    client = client_for("case_worker")
    html = client.get(f"/families/{inquiry.pk}/").content.decode()
    assert "family@example.org" in html  # case workers hold registry.view_contacts: family contact
    assert "link-submit" not in html and "create-person" not in html
    assert client.post(f"/families/{inquiry.pk}/", {"person": "HC-000001"}).status_code == 403


def test_contacts_hidden_without_view_contacts(client_for, inquiry, monkeypatch):
    client = client_for("case_worker")
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="view_contacts")
    client.user.groups.first().permissions.remove(perm)
    html = client.get(f"/families/{inquiry.pk}/").content.decode()
    assert "family@example.org" not in html and "+380501112233" not in html


@pytest.mark.parametrize("value", ["", "HC-999999", "nonsense", "x" * 25])
def test_link_by_bad_reference_names_the_field_and_changes_nothing(client_for, inquiry, make_person, value):
    make_person()
    client = client_for("registrar")
    response = client.post(f"/families/{inquiry.pk}/", {"person": value})
    assert response.status_code == 400 and 'href="#id_person"' in response.content.decode()
    assert Inquiry.objects.get().person_id is None


def test_link_by_reference_and_create_person(client_for, inquiry, make_person, file_inquiry):
    person = make_person()
    client = client_for("registrar")
    response = client.post(f"/families/{inquiry.pk}/", {"person": person.reference})
    assert response.status_code == 302 and Inquiry.objects.get(pk=inquiry.pk).person_id == person.pk
    other = file_inquiry(last_name="Вигаданий").inquiry
    response = client.post(f"/families/{other.pk}/create-person/")
    assert response.status_code == 302
    assert Person.objects.count() == 2 and Inquiry.objects.get(pk=other.pk).person.last_name == "Вигаданий"
    page = client.get(f"/families/person/{person.pk}/").content.decode()
    assert inquiry.reference in page and other.reference not in page


def test_staff_filing_shows_the_code_once(client_for, db):
    client = client_for("registrar")
    data = {"last_name": "Тестенко", "first_name": "Арсеній", "inquirer_name": "Олена", "relation": "father",
            "phone": "+380501112233", "language": "uk", "consent": "on"}
    response = client.post("/families/new/", data, follow=True)
    assert response.redirect_chain == [("/families/new/received/", 302)]
    assert 'id="inquiry-secret"' in response.content.decode()
    again = client.get("/families/new/received/").content.decode()  # shown once
    assert 'id="inquiry-secret"' not in again and 'id="shown-once"' in again
    inquiry = Inquiry.objects.get()
    assert inquiry.filed_via == "staff" and inquiry.filed_by == client.user and mail.outbox == []
    bad = client.post("/families/new/", {**data, "consent": ""})
    assert bad.status_code == 400 and Inquiry.objects.count() == 1


def test_lockout_list_and_lift_are_audited(client_for, db):
    lock = LockOut.objects.create(kind="reference", key="INQ-2222-22", failures=10, until="2999-01-01T00:00Z")
    client = client_for("registrar")
    assert "INQ-2222-22" in client.get("/families/lockouts/").content.decode()
    client.post(f"/families/lockouts/{lock.pk}/lift/")
    lock.refresh_from_db()
    assert lock.lifted_by == client.user
    assert AuditEvent.objects.filter(action="portal.lockout_lift", actor_id=client.user.pk).exists()
    again = client.post(f"/families/lockouts/{lock.pk}/lift/", follow=True)
    assert "already" in again.content.decode() or "вже" in again.content.decode()


def test_failed_message_can_be_sent_again_from_the_page(client_for, inquiry, django_capture_on_commit_callbacks):
    note = inquiry.notifications.get()
    note.state = "failed"
    note.template = "status"
    note.save()
    client = client_for("registrar")
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/families/{inquiry.pk}/retry/", {"notification": note.pk})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.state == "sent" and len(mail.outbox) == 1
    assert client.post(f"/families/{inquiry.pk}/retry/", {"notification": "abc"}).status_code == 302
    assert AuditEvent.objects.filter(action="notification.retry").count() == 1


def test_detail_shows_what_the_family_sees(client_for, inquiry):
    html = client_for("registrar").get(f"/families/{inquiry.pk}/").content.decode()
    assert 'id="family-sees-headline"' in html
