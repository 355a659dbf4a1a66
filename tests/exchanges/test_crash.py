"""A reconciliation killed half-way (SIGKILL inside its transaction) changes nothing: no entry
state, status event, aftercare case or audit event is left behind; run again, it completes."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.exchanges import services
from tests.crash import ChildDatabase, kill_when

pytestmark = pytest.mark.django_db(transaction=True)

# A small script through the services, as an operator's shell would run it. With a marker count,
# it announces the n-th returnee (sent inside the reconciliation's transaction, after the entries,
# status events and the stage were written) and then waits to be killed there.
SCRIPT = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from homecoming.exchanges import services
from homecoming.exchanges.signals import person_returned

username, exchange_id, marker_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seen = []

def marker(sender, **kwargs):
    seen.append(kwargs["person"].pk)
    if len(seen) == marker_at:
        print(f"MARKER: {len(seen)} returnees announced, transaction open", flush=True)
        time.sleep(120)

person_returned.connect(marker, weak=False)
report = services.reconcile(get_user_model().objects.get(username=username), exchange_id)
print("DONE", report["groups"] and {k: len(v) for k, v in report["groups"].items()}, flush=True)
"""

TABLES = ("registry_statusevent", "registry_source", "exchanges_entryevent", "aftercare_case", "audit_auditevent")


def state_of(db: ChildDatabase, exchange_id: int) -> dict:
    return {"counts": db.counts(TABLES),
            "exchange": db.query("SELECT status, reconciled_at FROM exchanges_exchange WHERE id = ?", (exchange_id,)),
            "entries": db.query("SELECT id, state FROM exchanges_listentry WHERE exchange_id = ? ORDER BY id",
                                (exchange_id,)),
            "persons": db.query("SELECT id, current_status FROM registry_person ORDER BY id")}


def test_reconciliation_killed_inside_its_transaction_changes_nothing(tmp_path, negotiator, agreement, categories,
                                                                      make_person):
    serious, _ = categories
    from tests.returnees import letters

    persons = [make_person(f"Коваль{letters(i)}", "Іван", medical_category="seriously_wounded") for i in range(6)]
    exchange = services.create_exchange(negotiator, agreement.pk)
    services.add_entries(negotiator, exchange.pk, serious.pk, [p.pk for p in persons], effective_date="2025-06-05")
    for status in ("lists_sent", "lists_agreed", "carried_out"):
        services.set_exchange_status(negotiator, exchange.pk, status, carried_out_on=dt.date(2025, 6, 12))
    services.record_crossings(negotiator, exchange.pk, person_ids=[p.pk for p in persons[:4]])
    db = ChildDatabase(tmp_path)
    before = state_of(db, exchange.pk)
    assert before["exchange"][0][0] == "carried_out"

    child = db.python(SCRIPT, negotiator.username, str(exchange.pk), "2")
    kill_when(child, r"^MARKER: 2 returnees", stream="stdout", timeout=120)

    assert state_of(db, exchange.pk) == before
    verified = db.audit_verify()
    assert verified.returncode == 0, verified.stderr

    # nothing half-done blocks the work: run again, it reconciles in full
    child = db.python(SCRIPT, negotiator.username, str(exchange.pk), "0")
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0 and "DONE" in out, err
    after = state_of(db, exchange.pk)
    assert after["exchange"][0][0] == "reconciled"
    assert sorted(s for _, s in after["entries"]) == ["not_delivered"] * 2 + ["returned"] * 4
    assert after["counts"]["aftercare_case"] == before["counts"]["aftercare_case"] + 4
    assert db.audit_verify().returncode == 0
