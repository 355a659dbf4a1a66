"""The family portal names the case worker with a way to reach them (issue 19): the work phone and
e-mail the case worker's account publishes to families, or the headquarters' hotline when it
publishes none; never the sign-in e-mail, never anything about detention; the contact given is
in the audit event of the look."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from homecoming.accounts import services as accounts
from homecoming.aftercare import services as aftercare
from homecoming.audit.models import AuditEvent
from homecoming.families import services

pytestmark = pytest.mark.django_db
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def returned(linked, add_event, make_user, settings):
    """(filed, worker): the relative came home; a case worker owns the aftercare case."""
    settings.FAMILIES_HOTLINE = "+380 00 000 1111"
    settings.FAMILIES_EMAIL = "hotline@example.org"
    person, filed = linked
    add_event(person, "returned")
    worker = make_user("case_worker", first_name="Ірина", last_name="Вигадана", email="irina.signin@example.org")
    case = aftercare.open_case_by_hand(worker, person.pk)
    aftercare.assign_case(worker, case.pk, worker.pk)
    return filed, worker


def _portal(filed, language="en") -> str:
    client = Client()
    client.cookies["homecoming_language"] = language
    response = client.post("/family/", {"reference": filed.inquiry.reference, "code": filed.secret},
                           REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    return CSRF_RE.sub("", response.content.decode())


def test_the_case_worker_is_reached_through_the_hotline_until_they_publish_their_own(returned):
    filed, worker = returned
    html = _portal(filed)
    assert "Your case worker" in html and "Ірина Вигадана" in html
    assert 'href="tel:+380 00 000 1111"' in html and "hotline@example.org" in html
    assert "ask for your case worker by name" in html
    assert "irina.signin@example.org" not in html  # the sign-in e-mail is never published
    event = AuditEvent.objects.filter(action="inquiry.portal_view").latest("id")
    assert event.details["contact"] == "hotline"
    uk = _portal(filed, "uk")
    assert "запитайте свого соціального працівника на ім" in uk


def test_the_work_phone_and_e_mail_the_account_publishes(returned, make_user):
    filed, worker = returned
    admin = make_user("administrator")
    accounts.update_account(admin, worker, roles=["case_worker"], is_active=True, first_name="Ірина",
                            last_name="Вигадана", email="irina.signin@example.org",
                            family_phone="+380 44 123 4567", family_email="irina.work@example.org")
    html = _portal(filed)
    assert 'href="tel:+380 44 123 4567"' in html and "irina.work@example.org" in html
    assert "ask for your case worker by name" not in html and "irina.signin@example.org" not in html
    assert "SECRET-LIST-7" not in html and "Olenivka" not in html and "building 4" not in html
    assert AuditEvent.objects.filter(action="inquiry.portal_view").latest("id").details["contact"] == "case_worker"
    change = AuditEvent.objects.filter(action="user.update").latest("id")
    assert set(change.details["changed"]) == {"family_phone", "family_email"}


def test_the_administrator_sets_them_on_the_account_page(returned, client_for):
    filed, worker = returned
    admin = client_for("administrator")
    data = {"first_name": "Ірина", "last_name": "Вигадана", "email": "irina.signin@example.org",
            "roles": ["case_worker"], "is_active": "on", "family_phone": "+380 44 123 4567",
            "family_email": "irina.work@example.org", "action": "save"}
    admin.post(f"/accounts/users/{worker.pk}/", data, HTTP_ACCEPT_LANGUAGE="en")
    worker.refresh_from_db()
    assert (worker.family_phone, worker.family_email) == ("+380 44 123 4567", "irina.work@example.org")


@pytest.mark.parametrize("phone", ["call me maybe", "+380 44 123 4567 8901 23", "<script>"])
def test_a_bad_phone_is_named_and_nothing_changes(returned, client_for, phone):
    filed, worker = returned
    admin = client_for("administrator")
    before = AuditEvent.objects.count()
    data = {"first_name": "Ірина", "last_name": "Вигадана", "email": "irina.signin@example.org",
            "roles": ["case_worker"], "is_active": "on", "family_phone": phone, "family_email": "",
            "action": "save"}
    html = admin.post(f"/accounts/users/{worker.pk}/", data, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    error = re.search(r'id="id_family_phone_error"><li>([^<]+)</li>', html)
    assert error and re.search("[а-яіїє]", error.group(1)), html  # named, in the page's language
    worker.refresh_from_db()
    assert worker.family_phone == ""
    assert not AuditEvent.objects.filter(action="user.update", pk__gt=before).exists()


def test_a_closed_inquiry_shows_nothing(returned, registrar):
    filed, _worker = returned
    services.close_inquiry(registrar, filed.inquiry.pk)
    html = _portal(filed)
    assert "Ірина Вигадана" not in html and "Your case worker" not in html
