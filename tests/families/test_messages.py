"""A family writes to the case worker from the portal; the case worker reads, marks read and answers
(issue 19). The message goes to the case's owner, or to the shared queue with nobody assigned (and
the portal says so); another family never sees it; only case workers read it, and only the one it
is addressed to (or the case's owner now, or anyone for the shared queue) answers; a flood is
refused; every write and read is audited; the portal shows the reply and nothing of detention."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from homecoming.aftercare import services as aftercare
from homecoming.audit.models import AuditEvent
from homecoming.families import services
from homecoming.families.models import FamilyMessage
from homecoming.registry import services as registry_services

from .conftest import inquiry_data

pytestmark = pytest.mark.django_db
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
ACCESS_RE = re.compile(r'name="access" value="([^"]+)"')
SUBMISSION_RE = re.compile(r'name="submission" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _english():
    """The services' messages in English (checked by their words); the pages choose by cookie."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def home(linked, add_event, make_user):
    """(person, filed, case): the relative came home and has an aftercare case nobody owns yet."""
    person, filed = linked
    add_event(person, "returned")
    opener = make_user("case_worker")
    case = aftercare.open_case_by_hand(opener, person.pk)
    return person, filed, case


@pytest.fixture
def worker(home, make_user):
    """The case worker who owns the case."""
    _person, _filed, case = home
    user = make_user("case_worker", first_name="Ірина", last_name="Вигадана")
    aftercare.assign_case(user, case.pk, user.pk)
    return user


def _snapshot():
    return list(FamilyMessage.objects.order_by("pk").values_list("pk", "recipient_id", "body", "read_at",
                                                                   "read_by_id"))


# --- the services ----------------------------------------------------------------------------------

def test_a_message_goes_to_the_case_worker_and_the_reply_back(home, worker):
    _person, filed, _case = home
    message = services.send_family_message(filed.inquiry.pk, "  Коли можна відвідати сина?\r\nДякую  ")
    assert (message.recipient, message.body, message.read_at) == (worker, "Коли можна відвідати сина?\nДякую", None)
    sent = AuditEvent.objects.get(action="family_message.send")
    assert sent.details["to"] == "case_worker" and sent.details["recipient"] == worker.pk
    assert "Коли" not in str(sent.details)  # the audit keeps no message text
    reply = services.reply_to_family_message(worker, message.pk, "У четвер після обіду.")
    message.refresh_from_db()
    assert message.read_by == worker and reply.in_reply_to == message and reply.author == worker
    assert AuditEvent.objects.filter(action="family_message.reply", object_id=str(filed.inquiry.pk)).exists()


def test_with_nobody_assigned_it_goes_to_the_shared_queue_and_whoever_answers_takes_it(home, make_user):
    _person, filed, _case = home
    message = services.send_family_message(filed.inquiry.pk, "Хто наш соціальний працівник?")
    assert message.recipient is None
    assert AuditEvent.objects.get(action="family_message.send").details["to"] == "queue"
    anyone = make_user("case_worker")
    services.reply_to_family_message(anyone, message.pk, "Я, Марта. Телефонуйте.")
    message.refresh_from_db()
    assert message.recipient == anyone and message.read_by == anyone


@pytest.mark.parametrize("body, error", [
    ("", "Write your message"), ("   \n ", "Write your message"), ("я" * 2001, "At most 2000 characters"),
    ("hello\u202eevil", "invisible character"), ("bell\x07", "control character"),
])
def test_a_bad_message_is_named_and_nothing_is_stored(home, worker, body, error):
    _person, filed, _case = home
    with pytest.raises(ValidationError, match=error):
        services.send_family_message(filed.inquiry.pk, body)
    assert not FamilyMessage.objects.exists()
    assert not AuditEvent.objects.filter(action="family_message.send").exists()


def test_a_flood_is_refused(home, worker, settings):
    settings.FAMILIES_MESSAGES_PER_DAY = 3
    _person, filed, _case = home
    for n in range(3):
        services.send_family_message(filed.inquiry.pk, f"Повідомлення {n}")
    before = _snapshot()
    with pytest.raises(services.TooManyMessages, match="3 messages in the last 24 hours"):
        services.send_family_message(filed.inquiry.pk, "Ще одне")
    assert _snapshot() == before
    assert AuditEvent.objects.filter(action="family_message.refused").count() == 1


def test_the_same_form_sent_twice_sends_one_message(home, worker):
    _person, filed, _case = home
    services.send_family_message(filed.inquiry.pk, "Одне", submission="token-1")
    with pytest.raises(services.AlreadySent):
        services.send_family_message(filed.inquiry.pk, "Одне", submission="token-1")
    assert FamilyMessage.objects.count() == 1


def test_no_message_before_the_relative_is_home_nor_on_a_closed_inquiry(linked, home, registrar, file_inquiry,
                                                                         make_person):
    _person, filed, _case = home
    missing = make_person("Іншенко", "Богдан")
    other = file_inquiry(**inquiry_data(last_name="Іншенко", first_name="Богдан"))
    services.link_inquiry(registrar, other.inquiry.pk, missing.pk)
    with pytest.raises(ValidationError, match="once your relative is home"):
        services.send_family_message(other.inquiry.pk, "Де мій син?")
    services.close_inquiry(registrar, filed.inquiry.pk)
    with pytest.raises(ValidationError, match="once your relative is home"):
        services.send_family_message(filed.inquiry.pk, "Привіт")
    assert not FamilyMessage.objects.exists()


# --- who may do what ---------------------------------------------------------------------------------

def test_only_the_addressee_or_the_owner_now_answers(home, worker, make_user):
    _person, filed, case = home
    message = services.send_family_message(filed.inquiry.pk, "Питання")
    colleague = make_user("case_worker")
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        services.mark_family_message_read(colleague, message.pk)
    with pytest.raises(PermissionDenied):
        services.reply_to_family_message(colleague, message.pk, "Відповідь")
    assert _snapshot() == before and FamilyMessage.objects.count() == 1
    aftercare.assign_case(worker, case.pk, colleague.pk)  # the case changed hands: the new owner answers
    services.mark_family_message_read(colleague, message.pk)
    with pytest.raises(ValidationError, match="already marked read"):
        services.mark_family_message_read(worker, message.pk)


@pytest.mark.parametrize("role", ["registrar", "analyst", "negotiator", "medical_officer", "finance_officer",
                                  "administrator", "leadership", "forensic_expert"])
def test_other_roles_neither_answer_nor_read(home, role, make_user, client_for):
    _person, filed, _case = home
    message = services.send_family_message(filed.inquiry.pk, "Питання")
    with pytest.raises(PermissionDenied):
        services.reply_to_family_message(make_user(role), message.pk, "Відповідь")
    c = client_for(role)
    assert c.get(f"/families/messages/{message.pk}/").status_code == 403
    assert c.get("/families/messages/").status_code == 403
    assert c.post(f"/families/messages/{message.pk}/read/").status_code == 403
    assert "Питання" not in c.get("/").content.decode()


# --- the pages -------------------------------------------------------------------------------------

def _open_portal(filed, language="en"):
    client = Client(enforce_csrf_checks=True)
    client.cookies["homecoming_language"] = language
    page = client.get("/family/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    r = client.post("/family/", {"reference": filed.inquiry.reference, "code": filed.secret,
                                 "csrfmiddlewaretoken": token}, REMOTE_ADDR="203.0.113.9")
    assert r.status_code == 200
    return client, r.content.decode()


def _send(client, html, body, **extra):
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = {"csrfmiddlewaretoken": token, "access": ACCESS_RE.search(html).group(1),
            "submission": SUBMISSION_RE.search(html).group(1), "body": body, **extra}
    return client.post("/family/message/", data, REMOTE_ADDR="203.0.113.9")


@pytest.mark.parametrize("language, words", [
    ("en", ("Write to your case worker", "sent to your case worker", "replied")),
    ("uk", ("Написати соціальному працівнику", "надіслано вашому соціальному працівнику", "Відповідає")),
])
def test_the_portal_page_sends_and_shows_the_reply_and_nothing_of_detention(home, worker, language, words):
    _person, filed, _case = home
    client, html = _open_portal(filed, language)
    assert words[0] in html and 'id="message-submit"' in html
    r = _send(client, html, "Коли можна відвідати сина?")
    page = r.content.decode()
    assert r.status_code == 200 and words[1] in page and "Коли можна відвідати сина?" in page
    assert _send(client, html, "Коли можна відвідати сина?").status_code == 200  # the same form again
    assert FamilyMessage.objects.count() == 1
    services.reply_to_family_message(worker, FamilyMessage.objects.get().pk, "У четвер після обіду.")
    _client, again = _open_portal(filed, language)
    assert "У четвер після обіду." in again and "Ірина Вигадана" in again and words[2] in again
    for secret in ("SECRET-LIST-7", "Olenivka", "building 4"):
        assert secret not in again


def test_the_portal_says_the_truth_about_the_shared_queue(home):
    _person, filed, _case = home
    client, html = _open_portal(filed)
    assert "No case worker is assigned to your relative yet" in html
    page = _send(client, html, "Хто нам допоможе?").content.decode()
    assert "sent to the case workers' team" in page


def test_the_portal_refuses_a_forged_or_missing_access_and_a_missing_csrf(home, worker):
    _person, filed, _case = home
    client, html = _open_portal(filed)
    r = _send(client, html, "Привіт", access="forged:token")
    assert r.status_code == 400 and "Please open your inquiry again" in r.content.decode()
    bare = Client(enforce_csrf_checks=True)
    assert bare.post("/family/message/", {"access": ACCESS_RE.search(html).group(1), "body": "x"}).status_code == 403
    assert not FamilyMessage.objects.exists()


def test_another_family_never_sees_the_message(home, worker, registrar, file_inquiry):
    person, filed, _case = home
    sibling = file_inquiry(**inquiry_data(inquirer_name="Петро Тестенко", relation="sibling"))
    services.link_inquiry(registrar, sibling.inquiry.pk, person.pk)  # the same relative, another family member
    client, html = _open_portal(filed)
    _send(client, html, "Лист від мами")
    _client, theirs = _open_portal(sibling)
    assert "Лист від мами" not in theirs
    # their access token cannot be turned into another inquiry's: it is signed
    forged = ACCESS_RE.search(theirs).group(1).replace(str(sibling.inquiry.pk), str(filed.inquiry.pk))
    r = _send(Client(), theirs.replace(ACCESS_RE.search(theirs).group(1), forged), "x")
    assert "Лист від мами" not in r.content.decode()


def test_a_flood_on_the_page_gets_429_and_says_why(home, worker, settings):
    settings.FAMILIES_MESSAGES_PER_DAY = 1
    _person, filed, _case = home
    client, html = _open_portal(filed)
    _send(client, html, "Перше")
    client2, html2 = _open_portal(filed)
    r = _send(client2, html2, "Друге")
    assert r.status_code == 429 and "1 messages in the last 24 hours" in r.content.decode()


def test_the_case_worker_sees_unread_messages_on_the_start_page_and_the_case_and_answers(home, worker, client_for):
    _person, filed, case = home
    message = services.send_family_message(filed.inquiry.pk, "Коли можна відвідати сина?")
    c = Client()
    c.force_login(worker)
    c.cookies["homecoming_language"] = "en"
    start = c.get("/").content.decode()
    assert 'id="unread-mine"' in start and "1 unread message to you" in start
    assert "Коли можна" not in start  # counts only on the start page
    page = c.get(f"/aftercare/{case.pk}/").content.decode()
    assert 'id="case-family-messages"' in page and "Коли можна відвідати сина?" in page
    assert f'id="case-mark-read-{message.pk}"' in page
    assert AuditEvent.objects.filter(action="family_message.list", details__via="case").exists()
    r = c.post(f"/families/messages/{message.pk}/read/", {"next": f"/aftercare/{case.pk}/"})
    assert r.status_code == 302 and r["Location"] == f"/aftercare/{case.pk}/"
    assert 'id="unread-mine"' not in c.get("/").content.decode()
    r = c.post(f"/families/messages/{message.pk}/", {"body": "У четвер."})
    assert r.status_code == 302 and FamilyMessage.objects.filter(in_reply_to=message, body="У четвер.").exists()
    assert c.post(f"/families/messages/{message.pk}/", {"body": ""}).status_code == 400
    inbox = c.get("/families/messages/").content.decode()
    assert f'id="message-{message.pk}"' in inbox
    assert AuditEvent.objects.filter(action="family_message.list", details__via="inbox:mine").exists()
    uk = client_for("case_worker")
    uk.cookies["homecoming_language"] = "uk"
    queue = uk.get("/families/messages/?show=queue").content.decode()
    assert "Спільна черга" in queue


def test_a_shared_queue_message_is_counted_for_every_case_worker(home, client_for):
    _person, filed, _case = home
    services.send_family_message(filed.inquiry.pk, "Хто нам допоможе?")
    c = client_for("case_worker")
    c.cookies["homecoming_language"] = "en"
    assert "1 unread message in the shared queue" in c.get("/").content.decode()


def test_a_page_opened_before_the_status_changed_says_why_nothing_was_sent(home, worker, registrar):
    person, filed, _case = home
    client, html = _open_portal(filed)
    registry_services.add_status_event(registrar, person.pk, status="missing", effective_date=dt.date(2025, 7, 1),
                                       source_kind="unit_report", corrects=None,
                                       exception_reason="Synthetic: the return was recorded for the wrong person")
    r = _send(client, html, "Привіт")
    assert r.status_code == 400 and "once your relative is home" in r.content.decode()
    assert not FamilyMessage.objects.exists()
