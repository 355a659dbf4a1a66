"""A small world made the way the system makes it (register, exchanges, aftercare and payments
services): persons of both sides in every status, with branches, directions, ranks and medical
categories; one agreement with two reconciled stages; aftercare tasks (opened by the returns);
entitlements of some returnees, one batch approved and one paid."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.exchanges import services as exchanges
from homecoming.registry import services as registry
from homecoming.registry.models import Branch, Direction, Rank
from tests.reference_data import restore_reference_data

RULE_ALL = {"and": []}


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client_for(client_for):
    """The project's client_for, reading pages in English."""

    def _client(*roles, **fields):
        client = client_for(*roles, **fields)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _client


def _carry_out(neg, exchange, day, person_ids, category, *, crossed):
    exchanges.add_entries(neg, exchange.pk, category.pk, person_ids, effective_date=(day - dt.timedelta(days=5)))
    for entry in exchange.entries.all():
        exchanges.change_entry_state(neg, entry.pk, "confirmed")
    for status in ("lists_sent", "lists_agreed"):
        exchanges.set_exchange_status(neg, exchange.pk, status)
    exchanges.set_exchange_status(neg, exchange.pk, "carried_out", carried_out_on=day)
    for pid in crossed:
        exchanges.record_crossings(neg, exchange.pk, person_ids=[pid])
    exchanges.reconcile(neg, exchange.pk)


@pytest.fixture
def world(make_user):
    """Returns a dict: the persons by name, the agreement, its stages and the users that made them."""
    from homecoming.payments import services as payments

    restore_reference_data()
    registrar = make_user("registrar", "medical_officer")
    neg = make_user("negotiator")
    branches = list(Branch.objects.order_by("position", "id")[:3])
    directions = list(Direction.objects.order_by("position", "id")[:2])
    officer_rank = Rank.objects.filter(category="officer").first()
    persons = {}
    n = {"i": 0}

    def person(key, history, *, side="ours", incident=None, **fields):
        n["i"] += 1
        from tests.returnees import letters

        data = {"last_name": f"Звітний{letters(n['i'])}", "first_name": "Тест", "side": side, "sex": "male", **fields}
        if incident:
            data["incident_date"] = incident.isoformat()
        p = registry.create_person(registrar, data)
        for status, day in history:
            registry.add_status_event(registrar, p.pk, status=status, effective_date=day, source_kind="unit_report")
        p.refresh_from_db()
        persons[key] = p
        return p

    d = dt.date
    # 7 held in branch 0 / direction 0 (a count above the threshold), captured over several years
    for i in range(7):
        person(f"held{i}", [("missing", d(2022 + i % 3, 3, 1)), ("captivity_confirmed", d(2025, 1, 10 + i))],
               incident=d(2022 + i % 3, 3, 1), branch=branches[0].code, direction=directions[0].code,
               rank_category="private")
    # 2 held in branch 1, one with an officer's rank (rank category from the rank), seriously wounded
    person("held_b1", [("captivity_confirmed", d(2023, 5, 2))], incident=d(2023, 5, 1), branch=branches[1].code,
           rank=officer_rank.code if officer_rank else "", medical_category="seriously_wounded")
    person("held_b1b", [("captivity_confirmed", d(2025, 2, 2))], incident=d(2025, 2, 1), branch=branches[1].code,
           medical_category="seriously_wounded")
    # 3 missing, one with no incident date
    person("missing1", [("missing", d(2024, 6, 1))], incident=d(2024, 6, 1), branch=branches[0].code)
    person("missing2", [("missing", d(2025, 1, 5))], incident=d(2025, 1, 5), direction=directions[1].code)
    person("missing3", [("missing", d(2023, 8, 8))])
    # found and deceased (were missing)
    person("found", [("missing", d(2022, 9, 1)), ("found", d(2023, 1, 1))], incident=d(2022, 9, 1))
    person("deceased", [("missing", d(2022, 10, 1)), ("deceased", d(2024, 2, 1))], incident=d(2022, 10, 1))
    # a corrected event: registered "returned" by mistake, corrected back to captivity confirmed
    p = person("corrected", [("captivity_confirmed", d(2023, 3, 3))], incident=d(2023, 3, 1),
               branch=branches[2].code)
    wrong = registry.add_status_event(registrar, p.pk, status="returned", effective_date=d(2024, 4, 4),
                                      source_kind="unit_report")
    registry.add_status_event(registrar, p.pk, status="captivity_confirmed", effective_date=d(2024, 4, 4),
                              source_kind="unit_report", corrects=wrong.pk)
    p.refresh_from_db()
    # enemy prisoners
    for i in range(3):
        person(f"enemy{i}", [("held", d(2024, 3, 1))], side="enemy", incident=d(2024, 2, 20))

    # the agreement: stage 1 returns 6 (one listed but not returned), stage 2 returns 2
    agreement = exchanges.create_agreement(neg, {"title": "Reports test agreement", "date": "2025-05-16",
                                                 "place": "Istanbul"})
    category = exchanges.create_category(neg, agreement.pk, {"name_uk": "усі", "name_en": "everyone",
                                                             "rule": RULE_ALL})
    stage1 = exchanges.create_exchange(neg, agreement.pk, planned_date="2025-05-23")
    stage2 = exchanges.create_exchange(neg, agreement.pk, planned_date="2025-06-12")
    ret1 = []
    for i in range(6):
        ret1.append(person(f"ret{i}", [("missing", d(2022, 4, 1)), ("captivity_confirmed", d(2023, 1, 1))],
                           incident=d(2022, 4, 1) + dt.timedelta(days=200 * i), branch=branches[2].code,
                           direction=directions[1].code, rank_category="nco"))
    not_back = person("not_back", [("captivity_confirmed", d(2024, 1, 1))], incident=d(2023, 12, 1))
    _carry_out(neg, stage1, d(2025, 5, 23), [p.pk for p in ret1] + [not_back.pk], category,
               crossed=[p.pk for p in ret1])
    ret2 = [person(f"late{i}", [("captivity_confirmed", d(2024, 1, 1))], incident=d(2023, 11, 1))
            for i in range(2)]
    _carry_out(neg, stage2, d(2025, 6, 12), [p.pk for p in ret2], category, crossed=[p.pk for p in ret2])
    # one released by other means (no exchange)
    person("released", [("captivity_confirmed", d(2023, 2, 2)), ("released_other", d(2025, 3, 3))],
           incident=d(2023, 2, 1))
    for p in persons.values():
        p.refresh_from_db()

    # payments: entitlements of three returnees of stage 1; one batch approved, another paid
    fin1, fin2 = make_user("finance_officer"), make_user("finance_officer")
    for key in ("ret0", "ret1", "ret2", "released"):
        payments.add_pay_data(fin1, persons[key].pk, valid_from="2020-01-01", monthly_amount="3100.00")
        payments.set_payment_profile(fin1, persons[key].pk, iban="UA213223130000026007233566001",
                                     account_holder="Тест", capture_precision="day")
        payments.compute_entitlement(fin1, persons[key].pk)
    from homecoming.payments.models import Due

    first = Due.objects.filter(entitlement__person=persons["ret0"]).values_list("pk", flat=True)
    batch = payments.prepare_batch(fin1, due_ids=list(first))
    payments.approve_batch(fin2, batch.pk)
    payments.mark_batch_paid(fin2, batch.pk)
    second = Due.objects.filter(entitlement__person=persons["ret1"]).values_list("pk", flat=True)
    batch2 = payments.prepare_batch(fin1, due_ids=list(second))
    payments.approve_batch(fin2, batch2.pk)
    return {"persons": persons, "agreement": agreement, "stages": [stage1, stage2], "registrar": registrar,
            "negotiator": neg, "branches": branches, "directions": directions}


@pytest.fixture
def remains_world(world, make_user):
    """World plus forensic work: a transfer of 3 remains, 2 recorded, one with an identification
    opened; no status changes (the register's figures stay as ``world`` has them)."""
    from homecoming.remains import services as forensic

    expert = make_user("forensic_expert")
    transfer = forensic.record_transfer(expert, received_on=dt.date(2025, 6, 14), place="Synthetic crossing",
                                        declared_count=3, received_count=3)
    first = forensic.record_remains(expert, transfer.pk, sex="male", age_min=20, age_max=40)
    forensic.record_remains(expert, transfer.pk)
    forensic.open_identification(expert, first.pk, world["persons"]["missing1"].pk, method="documents")
    return {**world, "transfer": transfer}
