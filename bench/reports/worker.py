"""Runs inside one database (DATABASE_URL set by __main__). Prints one JSON object.

Builds the register of N persons (demo-data) and E reconciled exchanges (10 stages per agreement)
returning R of ours each, written in bulk (the exchanges benchmark times reconciliation itself):
crossings, the "returned" status events, an aftercare case with its four tasks per returnee, an
entitlement with one due per returnee (a third of them approved, a third of those paid). Then
times the dashboard page (the analyst's, with drill-downs; the leadership's, with suppression)
rendered through Django's test client, against a naive dashboard that counts each figure with a
Python loop over the objects, and checks that both give the same numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from collections import Counter
from decimal import Decimal


def timed(fn, repeat=3):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    return round(best * 1000), result


def build_exchanges(n_exchanges: int, per_exchange: int, actor) -> int:
    from django.db import transaction
    from django.utils import timezone

    from homecoming.aftercare.models import Case, Task
    from homecoming.exchanges.models import Agreement, Category, Crossing, Exchange
    from homecoming.payments.models import Batch, Due, Entitlement, LedgerEntry
    from homecoming.registry.models import Person, Source, StatusEvent

    rng = random.Random(2025)
    candidates = list(Person.objects.filter(side="ours", current_status="captivity_confirmed",
                                            merged_into__isnull=True, incident_date__isnull=False)
                      .order_by("id").values_list("id", "incident_date", "current_status_date"))
    rng.shuffle(candidates)
    now = timezone.now()
    returned = 0
    with transaction.atomic():
        source = Source.objects.create(kind="exchange_record", reference="bench reports")
        batch_approved = Batch.objects.create(state="approved", total=Decimal("0"), prepared_by=actor)
        batch_paid = Batch.objects.create(state="paid", total=Decimal("0"), prepared_by=actor)
        for a in range((n_exchanges + 9) // 10):
            agreement = Agreement.objects.create(title=f"Bench agreement {a + 1}", date=dt.date(2022, 3, 1)
                                                 + dt.timedelta(days=120 * a))
            Category.objects.create(agreement=agreement, name_uk="усі", name_en="all", rule={"and": []})
            for s in range(min(10, n_exchanges - 10 * a)):
                day = agreement.date + dt.timedelta(days=10 * (s + 1))
                chosen = [c for c in candidates if c[2] and c[2] < day and c[1] < day][:per_exchange]
                taken = {c[0] for c in chosen}
                candidates = [c for c in candidates if c[0] not in taken]
                exchange = Exchange.objects.create(
                    agreement=agreement, number=s + 1, carried_out_on=day, status="reconciled", reconciled_at=now,
                    report={"exchange": 0, "carried_out_on": day.isoformat(),
                            "groups": {"returned_unlisted": [{"person": pid, "reference": "", "name": "",
                                                              "side": "ours"} for pid, _i, _c in chosen]}})
                label = f"{agreement.title} · {s + 1}"
                Crossing.objects.bulk_create([Crossing(exchange=exchange, person_id=pid, how="check_in")
                                              for pid, _i, _c in chosen])
                StatusEvent.objects.bulk_create([StatusEvent(person_id=pid, status="returned", effective_date=day,
                                                             source=source) for pid, _i, _c in chosen])
                Person.objects.filter(pk__in=taken).update(current_status="returned", current_status_date=day)
                cases = Case.objects.bulk_create([Case(person_id=pid, source="exchange", returned_on=day,
                                                       exchange_id=exchange.pk, exchange_label=label)
                                                  for pid, _i, _c in chosen])
                Task.objects.bulk_create([Task(case=case, title_uk="з", title_en="t", kind=kind,
                                               due_date=day + dt.timedelta(days=days),
                                               state=rng.choice(("open", "open", "done")))
                                          for case in cases for kind, days in (("medical", 3), ("general", 14),
                                                                               ("general", 60), ("medical", 365))])
                ents = Entitlement.objects.bulk_create([
                    Entitlement(person_id=pid, recorded_capture_date=inc, capture_precision="day", capture_date=inc,
                                return_date=day, days=(day - inc).days, whole_years=(day - inc).days // 365,
                                total=Decimal(100000 + 100000 * ((day - inc).days // 365)), exchange_id=exchange.pk,
                                exchange_label=label, computed_at=now) for pid, inc, _c in chosen])
                dues = Due.objects.bulk_create([Due(entitlement=e, kind="initial", amount=e.total, new_total=e.total)
                                                for e in ents])
                LedgerEntry.objects.bulk_create([
                    LedgerEntry(due=d, batch=batch_paid if i % 9 == 0 else batch_approved, amount=d.amount,
                                person_id=d.entitlement.person_id, iban="UA213223130000026007233566001",
                                name="bench", purpose="bench")
                    for i, d in enumerate(dues) if i % 3 == 0])
                returned += len(chosen)
        # the events above were written behind the services' back: count them for the dashboard
        from homecoming.registry import status_counts

        status_counts.rebuild()
    return returned


def naive_dashboard() -> dict:
    """Each figure counted in Python over the objects (what a first version would do)."""
    from homecoming.aftercare.models import Task
    from homecoming.exchanges.models import Crossing
    from homecoming.payments.models import Due
    from homecoming.registry.models import Person, StatusEvent

    persons = list(Person.objects.filter(merged_into__isnull=True).select_related("branch", "direction", "rank"))
    out = {"register": Counter((p.current_status, p.side) for p in persons)}
    events = list(StatusEvent.objects.select_related("person"))
    corrected = {e.corrects_id for e in events if e.corrects_id}
    out["status_changes"] = Counter((e.effective_date.strftime("%Y-%m"), e.status) for e in events
                                    if e.pk not in corrected and e.person.side == "ours")
    out["returned"] = Counter(c.exchange_id for c in Crossing.objects.select_related("person", "exchange")
                              if c.person.side == "ours" and c.exchange.status == "reconciled")
    ours = [p for p in persons if p.side == "ours"]
    out["by_branch"] = Counter((p.branch.name if p.branch else "", p.current_status) for p in ours)
    out["by_direction"] = Counter((p.direction.name if p.direction else "", p.current_status) for p in ours)
    out["by_rank"] = Counter((p.effective_rank_category, p.current_status) for p in ours)
    out["by_medical"] = Counter((p.medical_category, p.current_status) for p in ours)
    out["missing_resolved"] = Counter(p.current_status for p in persons if p.was_missing)
    out["held_days"] = Counter((dt.date.today() - p.incident_date).days // 365 for p in ours
                               if p.current_status in ("captivity_confirmed", "on_exchange_list") and p.incident_date)
    out["returned_days"] = Counter((p.current_status_date - p.incident_date).days // 365 for p in ours
                                   if p.current_status in ("returned", "released_other") and p.incident_date)
    out["tasks"] = Counter((t.kind, t.due_date < dt.date.today()) for t in Task.objects.all()
                           if t.state in ("open", "in_progress"))
    money = Counter()
    for d in Due.objects.select_related("entitlement"):
        entry = getattr(d, "ledger_entry", None)
        money[(d.entitlement.exchange_label, "owed" if entry is None else entry.batch.state)] += d.amount
    out["payments"] = money
    return out


def main(persons: int, exchanges: int, per_exchange: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from homecoming.exchanges.demo import _user
    from homecoming.registry.demo import load
    from homecoming.registry.models import Person
    from homecoming.reports import selectors

    call_command("demo", accounts_only=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    load(persons, 2025)
    start = time.perf_counter()
    returned = build_exchanges(exchanges, per_exchange, _user("analyst"))
    build_s = round(time.perf_counter() - start, 1)
    out = {"persons": Person.objects.count(), "exchanges": exchanges, "returned": returned, "build_s": build_s}

    analyst, leader = Client(), Client()
    analyst.force_login(_user("analyst"))
    leader.force_login(_user("leadership"))

    def page(client):
        response = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="uk")
        assert response.status_code == 200, response.status_code
        return len(response.content)

    page(analyst)  # warm the template and translation caches once
    with CaptureQueriesContext(connection) as queries:
        page(analyst)
    out["queries"] = len(queries.captured_queries)
    out["analyst_ms"], out["page_bytes"] = timed(lambda: page(analyst))
    out["leadership_ms"], _n = timed(lambda: page(leader))
    out["figures_ms"], figures = timed(lambda: selectors.dashboard(selectors.Range()))
    out["ranged_ms"], _f = timed(lambda: selectors.dashboard(selectors.Range(dt.date(2024, 1, 1),
                                                                             dt.date(2024, 12, 31))))
    out["naive_ms"], naive = timed(naive_dashboard, repeat=1)
    # the same numbers both ways
    register = {(r.label, i): n for r in figures[0].rows for i, n in enumerate(r.cells)}
    assert sum(register.values()) == sum(naive["register"].values())
    returned_fig = next(f for f in figures if f.key == "returned")
    assert sum(r.cells[0] for r in returned_fig.rows) == sum(naive["returned"].values()) == returned
    tasks = next(f for f in figures if f.key == "aftercare")
    assert sum(r.cells[0] for r in tasks.rows) == sum(naive["tasks"].values())
    payments = next(f for f in figures if f.key == "payments")
    owed = payments.rows[-1].cells[1]
    assert owed == sum((v for (label, state), v in naive["payments"].items() if state == "owed"), Decimal("0"))
    print(json.dumps(out))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
