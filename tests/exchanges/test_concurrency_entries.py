"""Two negotiators change the same list entry, or list the same person, at the same moment
(PostgreSQL): one wins, the other is told, nothing is doubled."""

from __future__ import annotations

import pytest

from homecoming.audit.models import AuditEvent
from homecoming.exchanges import services
from homecoming.exchanges.models import EntryEvent, ListEntry
from homecoming.exchanges.services import entries as entries_module
from homecoming.registry.models import StatusEvent
from tests.concurrency import collide, one_wins, require_postgres, slow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listed(negotiator, agreement, categories, make_person):
    serious, _ = categories
    person = make_person("Коваль", "Іван", medical_category="seriously_wounded")
    exchange = services.create_exchange(negotiator, agreement.pk)
    entry, = services.add_entries(negotiator, exchange.pk, serious.pk, [person.pk], effective_date="2025-06-05")
    return exchange, entry, person


def test_two_withdrawals_of_one_entry(listed, negotiator, make_user, monkeypatch):
    require_postgres()
    exchange, entry, person = listed
    other = make_user("negotiator")
    slow(monkeypatch, entries_module)
    outcomes = collide(lambda: services.change_entry_state(negotiator, entry.pk, "withdrawn"),
                       lambda: services.change_entry_state(other, entry.pk, "withdrawn"))
    assert "already “Withdrawn”" in one_wins(outcomes)
    assert ListEntry.objects.get(pk=entry.pk).state == "withdrawn"
    assert EntryEvent.objects.filter(entry=entry, to_state="withdrawn").count() == 1
    # the person got the pool status back once, not twice
    assert StatusEvent.objects.filter(person=person, status="captivity_confirmed").count() == 2  # fixture + back
    assert AuditEvent.objects.filter(action="exchange.entry_state").count() == 1


def test_confirm_and_contest_at_once_leave_one_history(listed, negotiator, make_user, monkeypatch):
    require_postgres()
    exchange, entry, person = listed
    other = make_user("negotiator")
    slow(monkeypatch, entries_module)
    outcomes = collide(lambda: services.change_entry_state(negotiator, entry.pk, "confirmed"),
                       lambda: services.change_entry_state(other, entry.pk, "contested", reason="not theirs"))
    # both moves are allowed one after the other: the row lock makes them queue, not overwrite
    assert [kind for kind, _ in outcomes] == ["ok", "ok"]
    events = list(EntryEvent.objects.filter(entry=entry).order_by("pk").values_list("from_state", "to_state"))
    assert events[0] == ("", "proposed")
    assert events[1][0] == "proposed" and events[2][0] == events[1][1]  # the second saw the first's result
    assert ListEntry.objects.get(pk=entry.pk).state == events[2][1]


def test_two_negotiators_list_the_same_person(negotiator, make_user, agreement, categories, make_person,
                                              monkeypatch):
    require_postgres()
    serious, _ = categories
    other = make_user("negotiator")
    person = make_person("Коваль", "Іван", medical_category="seriously_wounded")
    exchange = services.create_exchange(negotiator, agreement.pk)
    slow(monkeypatch, entries_module)
    outcomes = collide(
        lambda: services.add_entries(negotiator, exchange.pk, serious.pk, [person.pk], effective_date="2025-06-05"),
        lambda: services.add_entries(other, exchange.pk, serious.pk, [person.pk], effective_date="2025-06-05"))
    assert "already on a list of this stage" in one_wins(outcomes)
    assert ListEntry.objects.filter(exchange=exchange, person=person).count() == 1
    assert StatusEvent.objects.filter(person=person, status="on_exchange_list").count() == 1
    assert AuditEvent.objects.filter(action="exchange.entries_add").count() == 1
