"""Two negotiators reconcile the same stage at the same moment (PostgreSQL): one wins, the other is told."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections

from homecoming.exchanges import services
from homecoming.exchanges.signals import person_returned
from homecoming.registry.models import StatusEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_reconciliation_one_wins(negotiator, make_user, agreement, categories, make_person):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks between connections)")
    serious, _ = categories
    other = make_user("negotiator")
    person = make_person("Коваль", "Іван", medical_category="seriously_wounded")
    exchange = services.create_exchange(negotiator, agreement.pk)
    services.add_entries(negotiator, exchange.pk, serious.pk, [person.pk], effective_date="2025-06-05")
    for status in ("lists_sent", "lists_agreed", "carried_out"):
        services.set_exchange_status(negotiator, exchange.pk, status, carried_out_on=dt.date(2025, 6, 12))
    services.record_crossings(negotiator, exchange.pk, person_ids=[person.pk])

    def slow(sender, **kwargs):
        time.sleep(0.5)  # hold the lock long enough for the other to arrive

    person_returned.connect(slow, dispatch_uid="test.slow")
    results = {}
    barrier = threading.Barrier(2)

    def run(name, actor):
        from django.utils import translation

        translation.activate("en")  # each thread has its own language
        try:
            barrier.wait()
            services.reconcile(actor, exchange.pk)
            results[name] = "reconciled"
        except services.AlreadyReconciled as exc:
            results[name] = f"refused: {exc.messages[0]}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=("a", negotiator)), threading.Thread(target=run, args=("b", other))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        person_returned.disconnect(dispatch_uid="test.slow")
    assert sorted(v.split(":")[0] for v in results.values()) == ["reconciled", "refused"]
    assert "already reconciled" in [v for v in results.values() if v.startswith("refused")][0]
    assert StatusEvent.objects.filter(person=person, status="returned").count() == 1
