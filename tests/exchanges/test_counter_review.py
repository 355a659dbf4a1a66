"""The other side's counter-list under review (issue 19): a row shows their name, date of birth
and each candidate's evidence field by field, with the decision buttons; a decision can be undone
until a later step used it (the entry moved on, a crossing), and nothing changes when refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.exchanges import services
from homecoming.exchanges.models import CounterRow, EntryEvent, ListEntry

from .test_pages import negotiator_client  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def doubtful(negotiator, agreement, categories, make_person):
    """A stage with two namesakes on our list and their row naming one of them without a date of birth."""
    serious, _ = categories
    a = make_person("Коваленко", "Олександр", patronymic="Миколайович", birth_date=dt.date(1990, 5, 17),
                    medical_category="seriously_wounded")
    b = make_person("Коваленко", "Олександр", patronymic="Петрович", birth_date=dt.date(1978, 2, 3),
                    medical_category="seriously_ill")
    exchange = services.create_exchange(negotiator, agreement.pk, planned_date="2025-06-12")
    services.add_entries(negotiator, exchange.pk, serious.pk, [a.pk, b.pk])
    services.match_counter_list(negotiator, exchange, [{"last_name": "КОВАЛЕНКО", "first_name": "Александр"}])
    row = CounterRow.objects.get(exchange=exchange)
    assert row.decision == "review" and len(row.candidates) == 2
    return exchange, row, a, b


def _state():
    return (list(CounterRow.objects.order_by("pk").values()), list(ListEntry.objects.order_by("pk").values()),
            list(EntryEvent.objects.order_by("pk").values()))


def test_the_row_shows_names_evidence_and_buttons(negotiator_client, doubtful):  # noqa: F811
    exchange, row, a, b = doubtful
    page = negotiator_client.get(reverse("exchanges:exchange_detail", args=[exchange.pk])).content.decode()
    assert "КОВАЛЕНКО Александр" in page  # their row, by name
    assert f"{a.reference}</a> {a.full_name} · 1990-05-17" in page and b.full_name in page  # our entries
    assert 'class="evidence"' in page and "Last name" in page and ("a typo away" in page or "same" in page)
    assert "Confirm the chosen entry" in page and "None of ours (reject)" in page
    assert "homecoming/review-keys.js" in page and "data-review-keys" in page


def test_accept_then_undo_restores_the_row_and_the_entry(negotiator, doubtful):
    exchange, row, a, _ = doubtful
    before = _state()
    entry = ListEntry.objects.get(person=a)
    decided = services.decide_counter_row(negotiator, row.pk, action="accept", version=row.version,
                                          entry_id=entry.pk)
    entry.refresh_from_db()
    assert decided.entry == entry and entry.state == "confirmed" and entry.counter_row["row"] == 1
    services.undo_counter_decision(negotiator, row.pk, version=decided.version)
    after = _state()
    for r in after[0]:
        r.pop("version")
    for r in before[0]:
        r.pop("version")
    assert after == before
    assert AuditEvent.objects.filter(action="exchange.counter_row_undo").count() == 1


def test_undo_refused_once_the_entry_moved_on(negotiator, doubtful):
    exchange, row, a, _ = doubtful
    entry = ListEntry.objects.get(person=a)
    decided = services.decide_counter_row(negotiator, row.pk, action="accept", version=row.version,
                                          entry_id=entry.pk)
    services.change_entry_state(negotiator, entry.pk, "contested", reason="they dispute the unit")
    before = _state()
    with pytest.raises(ValidationError, match="was set to “Contested” since"):
        services.undo_counter_decision(negotiator, row.pk, version=decided.version)
    assert _state() == before


def test_who_may_undo_and_stale_pages(negotiator, make_user, doubtful):
    exchange, row, _, _ = doubtful
    decided = services.decide_counter_row(negotiator, row.pk, action="reject", version=row.version)
    analyst = make_user("analyst")
    before = _state()
    with pytest.raises(PermissionDenied):
        services.undo_counter_decision(analyst, row.pk, version=decided.version)
    with pytest.raises(services.CounterRowChanged):
        services.undo_counter_decision(negotiator, row.pk, version=row.version)
    with pytest.raises(services.CounterRowChanged):
        services.decide_counter_row(negotiator, row.pk, action="reject", version=row.version)
    assert _state() == before
    # every negotiator holds reconcile_exchange: one may undo another's decision (docs/guide/negotiator.md)
    assert services.undo_counter_decision(make_user("negotiator"), row.pk, version=decided.version).state == ""


def test_the_page_decides_and_undoes(negotiator_client, doubtful):  # noqa: F811
    exchange, row, a, _ = doubtful
    entry = ListEntry.objects.get(person=a)
    url = reverse("exchanges:counter_row_decide", args=[exchange.pk, row.pk])
    negotiator_client.post(url, {"action": "accept", "entry": entry.pk, "version": row.version})
    row.refresh_from_db()
    assert row.state == "accepted" and row.entry_id == entry.pk
    page = negotiator_client.get(reverse("exchanges:exchange_detail", args=[exchange.pk])).content.decode()
    assert "Undo the decision on their row 1" in page
    r = negotiator_client.post(reverse("exchanges:counter_row_undo", args=[exchange.pk, row.pk]),
                               {"version": row.version}, follow=True)
    assert "the decision was undone" in r.content.decode()
    row.refresh_from_db()
    assert row.state == "" and row.entry_id is None
