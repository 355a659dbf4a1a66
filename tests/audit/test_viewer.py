"""The audit viewer: administrators only, filters by who, what and when, pages of 50, and every
look at the log is itself written to the log."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.audit.services import record, verify_chain

pytestmark = pytest.mark.django_db
KYIV = ZoneInfo("Europe/Kyiv")


def at(when: dt.datetime, *args, **kwargs):
    with mock.patch("homecoming.audit.services.timezone.now", return_value=when):
        return record(*args, **kwargs)


@pytest.fixture
def admin(client_for):
    client = client_for("administrator")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_only_administrators_read_the_log(client_for):
    for role in ("registrar", "analyst", "negotiator", "medical_officer", "case_worker", "finance_officer"):
        assert client_for(role).get(reverse("audit:event_list")).status_code == 403, role
    assert not AuditEvent.objects.filter(action="audit.view").exists()


def test_reading_the_log_is_audited_with_its_filters(admin):
    record("alice", "person.view", object_type="person", object_id=7)
    response = admin.get(reverse("audit:event_list"), {"actor": "alice", "object_type": "person"})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="audit.view").latest("id")
    assert event.actor_id == admin.user.pk
    assert event.details["filters"] == {"actor": "alice", "object_type": "person"}
    assert event.details["count"] == 1
    assert "audit.view" not in response.content.decode()  # the page never lists its own read
    # the next look shows the earlier one
    html = admin.get(reverse("audit:event_list"), {"action": "audit.view"}).content.decode()
    assert "audit.view" in html
    assert verify_chain() is None


def test_filters_by_actor_action_object_and_dates(admin):
    at(dt.datetime(2025, 6, 1, 10, tzinfo=KYIV), "alice", "person.view", object_type="person", object_id=7)
    at(dt.datetime(2025, 6, 12, 0, 30, tzinfo=KYIV), "bob", "person.edit", object_type="person", object_id=8)
    at(dt.datetime(2025, 6, 20, 23, 50, tzinfo=KYIV), "bob", "case.view", object_type="aftercare_case",
       object_id=8)
    url = reverse("audit:event_list")

    def shown(**params):
        html = admin.get(url, params).content.decode()
        return {a for a in ("person.view", "person.edit", "case.view") if f"<code>{a}</code>" in html}

    assert shown(actor="BOB") == {"person.edit", "case.view"}  # user names match without case
    assert shown(action="person.") == {"person.view", "person.edit"}  # an action prefix
    assert shown(object_type="person", object_id="8") == {"person.edit"}
    assert shown(object_id="8") == {"person.edit", "case.view"}
    # dates are Kyiv days: 00:30 on the 12th in Kyiv is the 11th in UTC, still the 12th here
    assert shown(date_from="2025-06-12", date_to="2025-06-12") == {"person.edit"}
    assert shown(date_from="2025-06-02") == {"person.edit", "case.view"}
    assert shown(date_to="2025-06-20") == {"person.view", "person.edit", "case.view"}


def test_pages_of_fifty_keep_the_filters(admin):
    for i in range(120):
        record("carol", "person.view", object_type="person", object_id=i)
    record("dave", "person.view", object_type="person", object_id=999)
    url = reverse("audit:event_list")
    first = admin.get(url, {"actor": "carol"}).content.decode()
    assert "120 events" in first and "Page 1 of 3" in first
    assert 'href="?actor=carol&amp;page=2"' in first
    third = admin.get(url, {"actor": "carol", "page": 3}).content.decode()
    assert third.count("<code>person.view</code>") == 20
    assert ":999<" not in third
    # a page past the end shows the last page, a page that is not a number the first
    assert "Page 3 of 3" in admin.get(url, {"actor": "carol", "page": 99}).content.decode()
    assert "Page 1 of 3" in admin.get(url, {"actor": "carol", "page": "x"}).content.decode()


def test_a_reversed_date_range_is_named(admin):
    record("alice", "person.view", object_type="person", object_id=7)
    response = admin.get(reverse("audit:event_list"), {"date_from": "2025-06-12", "date_to": "2025-06-01"})
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" in html
    assert "&#x27;From&#x27; must not be after &#x27;To&#x27;" in html or "'From' must not be after 'To'" in html
