"""The audit viewer: administrators only; events as sentences in the reader's language with their
details named; pickers for who, what and when; pages of 50; a CSV export of exactly the filtered
events; the chain's verification status; and every look at the log is itself written to it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.audit.services import record, verify_chain

pytestmark = pytest.mark.django_db
KYIV = ZoneInfo("Europe/Kyiv")
URL = "/audit/"


def at(when: dt.datetime, *args, **kwargs):
    with mock.patch("homecoming.audit.services.timezone.now", return_value=when):
        return record(*args, **kwargs)


@pytest.fixture
def admin(client_for):
    client = client_for("administrator")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def shown_actions(html: str) -> list[str]:
    return re.findall(r'<tr data-action="([^"]+)"', html)


def text(html: str) -> str:
    """The page's text, tags taken out (a linked actor reads as part of the sentence)."""
    return re.sub(r"<[^>]+>", "", html)


def test_the_viewer_is_at_its_address():
    assert reverse("audit:event_list") == URL


@pytest.mark.parametrize("role", ["registrar", "analyst", "negotiator", "medical_officer", "case_worker",
                                  "finance_officer", "leadership"])
def test_only_administrators_read_export_or_verify_the_log(client_for, role):
    client = client_for(role)
    before = AuditEvent.objects.count()
    assert client.get(reverse("audit:event_list")).status_code == 403
    assert client.get(reverse("audit:event_export")).status_code == 403
    assert client.post(reverse("audit:chain_verify")).status_code == 403
    assert not AuditEvent.objects.filter(action__in=["audit.view", "audit.export", "audit.verify"]).exists()
    assert AuditEvent.objects.count() == before


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (reverse("audit:event_list"), reverse("audit:event_export")):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    assert client.post(reverse("audit:chain_verify")).status_code == 302
    assert not AuditEvent.objects.filter(action="audit.verify").exists()


def test_verify_is_a_post(admin):
    assert admin.get(reverse("audit:chain_verify")).status_code == 405
    assert not AuditEvent.objects.filter(action="audit.verify").exists()


def test_reading_the_log_is_audited_with_its_filters(admin, make_user):
    alice = make_user("registrar", username="alice")
    record(alice, "person.view", object_type="person", object_id=7)
    response = admin.get(URL, {"who": alice.pk, "object_type": "person"})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="audit.view").latest("id")
    assert event.actor_id == admin.user.pk
    assert event.details["filters"] == {"who": str(alice.pk), "object_type": "person"}
    assert event.details["count"] == 1
    assert "audit.view" not in shown_actions(response.content.decode())  # never lists its own read
    html = admin.get(URL, {"what": "audit.view"}).content.decode()
    assert "audit.view" in shown_actions(html)
    assert verify_chain() is None


def test_events_read_as_sentences_with_named_details(admin, make_user, make_person):
    olena = make_user("registrar", username="olena")
    person = make_person()
    record(olena, "person.update", object_type="person", object_id=person.pk,
           details={"fields": ["unit", "rank"], "version": 4})
    html = admin.get(URL, {"what": "person.update"}).content.decode()
    assert f"Registrar olena changed unit, rank of {person.reference}" in text(html)
    # the administrator manages accounts: the actor is linked to the account's page
    assert f'<a href="{reverse("accounts:user_detail", args=[olena.pk])}">Registrar olena</a>' in html
    assert "<dt>version</dt><dd>4</dd>" in html
    assert "{&#x27;fields&#x27;" not in html and "{'fields'" not in html  # no Python dict
    assert person.last_name not in html  # a person is named by reference only
    # the administrator may not read the register: the reference is not a link
    assert f'>{person.reference}</a>' not in html
    uk = admin.get(URL, {"what": "person.update"}, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert f"Реєстратор olena: у картці {person.reference} змінено: військова частина, звання" in text(uk)
    assert "<dt>версія</dt><dd>4</dd>" in uk


def test_a_reader_who_may_open_the_record_gets_a_link(client_for, make_user, make_person):
    """Least privilege, shown: a reader with both the log and the register (no such role ships;
    the permissions are given by hand here) gets the person linked."""
    from django.contrib.auth.models import Permission

    reader = client_for("administrator", "registrar")
    person = make_person()
    record(make_user("registrar", username="olena"), "person.view", object_type="person", object_id=person.pk)
    html = reader.get(URL, {"what": "person.view"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{reverse("registry:person_detail", args=[person.pk])}">{person.reference}</a>' in html
    assert Permission.objects.filter(codename="view_audit_log").exists()


def test_filters_by_who_what_object_and_dates(admin, make_user):
    alice, bob = make_user("registrar", username="alice"), make_user("analyst", username="bob")
    at(dt.datetime(2025, 6, 1, 10, tzinfo=KYIV), alice, "person.view", object_type="person", object_id=7)
    at(dt.datetime(2025, 6, 12, 0, 30, tzinfo=KYIV), bob, "person.update", object_type="person", object_id=8)
    at(dt.datetime(2025, 6, 20, 23, 50, tzinfo=KYIV), bob, "case.view", object_type="aftercare_case", object_id=8)
    at(dt.datetime(2025, 6, 21, 9, tzinfo=KYIV), "family-portal", "inquiry.portal_view", object_type="inquiry",
       object_id=3)
    everything = {"person.view", "person.update", "case.view", "inquiry.portal_view"}

    def shown(**params):
        return set(shown_actions(admin.get(URL, params).content.decode())) & everything

    assert shown(who=bob.pk) == {"person.update", "case.view"}
    assert shown(who="-") == {"inquiry.portal_view"}  # no account
    assert shown(what="person.update") == {"person.update"}
    assert shown(what="group:register") == {"person.view", "person.update"}
    assert shown(object_type="person", object_id="8") == {"person.update"}
    assert shown(object_id="HC-000008") == {"person.update"}  # a reference is understood
    assert shown(object_id="8") == {"person.update", "case.view"}
    # dates are Kyiv days: 00:30 on the 12th in Kyiv is the 11th in UTC, still the 12th here
    assert shown(date_from="2025-06-12", date_to="2025-06-12") == {"person.update"}
    assert shown(date_from="2025-06-02") == {"person.update", "case.view", "inquiry.portal_view"}
    assert shown(date_to="2025-06-20") == {"person.view", "person.update", "case.view"}


def test_the_pickers_offer_accounts_grouped_actions_and_date_pickers(admin, make_user):
    make_user("registrar", username="olena")
    html = admin.get(URL).content.decode()
    assert re.search(r'<select name="who"[^>]*>.*<option value="\d+">olena</option>', html, re.S)
    assert '<optgroup label="Register">' in html
    assert '<option value="person.update">Person&#39;s record changed</option>' in html
    assert 'type="date" name="date_from"' in html and 'type="date" name="date_to"' in html


def test_an_unknown_account_or_action_is_named_and_shows_nothing(admin):
    record("alice", "person.view", object_type="person", object_id=7)
    html = admin.get(URL, {"who": "999999", "what": "person.nonsense"}).content.decode()
    assert "error-summary" in html
    assert "Select a valid choice" in html
    uk = admin.get(URL, {"who": "999999"}, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Зробить коректний вибір" in uk  # Django's own catalogue


def test_pages_of_fifty_keep_the_filters(admin, make_user):
    carol, dave = make_user("registrar", username="carol"), make_user("registrar", username="dave")
    for i in range(120):
        record(carol, "person.view", object_type="person", object_id=i)
    record(dave, "person.view", object_type="person", object_id=999)
    first = admin.get(URL, {"who": carol.pk}).content.decode()
    assert "120 events" in first and "Page 1 of 3" in first
    assert f'href="?who={carol.pk}&amp;page=2"' in first
    third = admin.get(URL, {"who": carol.pk, "page": 3}).content.decode()
    assert shown_actions(third).count("person.view") == 20
    assert "HC-000999" not in third
    assert "Page 3 of 3" in admin.get(URL, {"who": carol.pk, "page": 99}).content.decode()
    assert "Page 1 of 3" in admin.get(URL, {"who": carol.pk, "page": "x"}).content.decode()


def test_a_reversed_date_range_is_named(admin):
    record("alice", "person.view", object_type="person", object_id=7)
    response = admin.get(URL, {"date_from": "2025-06-12", "date_to": "2025-06-01"})
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" in html
    assert "&#x27;From&#x27; must not be after &#x27;To&#x27;" in html


# --- export ------------------------------------------------------------------------------------

def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_holds_exactly_the_filtered_events_and_is_audited(admin, make_user):
    alice, bob = make_user("registrar", username="alice"), make_user("analyst", username="bob")
    wanted = [record(bob, "person.view", object_type="person", object_id=i) for i in range(1, 4)]
    record(alice, "person.view", object_type="person", object_id=50)
    record(bob, "case.view", object_type="aftercare_case", object_id=5)
    response = admin.get(reverse("audit:event_export"), {"who": bob.pk, "what": "person.view"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert [int(r["Event"]) for r in rows] == [e.pk for e in wanted]
    assert rows[0]["What happened"] == "Analyst bob read the record of HC-000001"
    assert rows[0]["Code"] == "person.view"
    exported = AuditEvent.objects.get(action="audit.export")
    assert exported.actor_id == admin.user.pk
    assert exported.details["count"] == 3
    assert exported.details["filters"] == {"who": str(bob.pk), "what": "person.view"}
    assert exported.details["first"] == wanted[0].pk and exported.details["last"] == wanted[-1].pk


def test_export_never_holds_its_own_record(admin):
    record("system", "person.view", object_type="person", object_id=1)
    before = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    rows = _csv(admin.get(reverse("audit:event_export")))
    assert [int(r["Event"]) for r in rows] == before
    assert "audit.export" not in {r["Code"] for r in rows}


def test_export_in_ukrainian(admin, make_user):
    record(make_user("registrar", username="olena"), "person.view", object_type="person", object_id=3519)
    rows = _csv(admin.get(reverse("audit:event_export"), {"what": "person.view"}, HTTP_ACCEPT_LANGUAGE="uk"))
    assert rows[0]["Що сталося"] == "Реєстратор olena: переглянуто картку HC-003519"


def test_export_with_bad_filters_exports_nothing(admin):
    record("alice", "person.view", object_type="person", object_id=7)
    response = admin.get(reverse("audit:event_export"), {"date_from": "2025-06-12", "date_to": "2025-06-01"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="audit.export").exists()


# --- the chain's verification --------------------------------------------------------------

def test_the_page_says_the_log_was_never_verified_until_an_administrator_runs_it(admin):
    record("system", "person.view", object_type="person", object_id=1)
    assert 'id="chain-never"' in admin.get(URL).content.decode()
    response = admin.post(reverse("audit:chain_verify"), follow=True)
    html = response.content.decode()
    assert "The audit log is intact" in html
    assert 'id="chain-last"' in html and "Result: intact." in html
    event = AuditEvent.objects.get(action="audit.verify")
    assert event.actor_id == admin.user.pk and event.details["result"] == "intact"
    # the next look checks what was written since, starting from that verification
    assert "checked just now: intact" in admin.get(URL).content.decode()


def test_a_tampered_event_shows_the_chain_broken_on_the_page(admin):
    events = [record("system", "person.view", object_type="person", object_id=i) for i in range(3)]
    admin.post(reverse("audit:chain_verify"))
    later = record("system", "person.view", object_type="person", object_id=9)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["77", later.pk])
    html = admin.get(URL).content.decode()  # the quick check on every look finds it
    assert 'id="chain-broken"' in html and f"event {later.pk} was changed after it was written" in html
    uk = admin.get(URL, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert f"подію {later.pk} змінено після запису" in uk
    # a change before the last verification is found by the full one
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["9", later.pk])
        cursor.execute("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["55", events[1].pk])
    assert 'id="chain-broken"' not in admin.get(URL).content.decode()
    html = admin.post(reverse("audit:chain_verify"), follow=True).content.decode()
    assert "NOT intact" in html and 'id="chain-broken"' in html and f"event {events[1].pk} was changed" in html
    assert AuditEvent.objects.filter(action="audit.verify").latest("id").details["problem"]["event"] == events[1].pk


def test_a_forged_record_of_verification_is_found(admin):
    record("system", "person.view", object_type="person", object_id=1)
    admin.post(reverse("audit:chain_verify"))
    check = AuditEvent.objects.get(action="audit.verify")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET details = %s WHERE id = %s",
                       ['{"result": "intact", "full": true, "events": 99, "up_to": 1, "hash": "x"}', check.pk])
    assert 'id="chain-broken"' in admin.get(URL).content.decode()


def test_the_command_line_check_is_shown_too(admin, capsys):
    from django.core.management import call_command

    record("system", "person.view", object_type="person", object_id=1)
    call_command("audit", "verify")
    html = admin.get(URL).content.decode()
    assert "Result: intact." in html and "The command line" in html


def test_the_full_verification_runs_off_the_request(admin, settings):
    """With a real task backend the POST only queues the walk (minutes on a large log) and says so."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    record("system", "person.view", object_type="person", object_id=1)
    html = admin.post(reverse("audit:chain_verify"), follow=True).content.decode()
    assert "has started" in html
    assert not AuditEvent.objects.filter(action="audit.verify").exists()
