"""Runs inside one database (DATABASE_URL set by __main__). Prints one JSON object.

1. Pools over a register of N persons (demo-data): our pool evaluation (Python over a values()
   query of the rule's columns only) for the two Istanbul categories, also over ALL N persons
   (every person treated as in the pool), against (a) the naive way (load every Person object with
   its relations, evaluate with reasons) and (b) an ORM filter translated by hand (eligible count
   only: no reasons, no "just outside").
2. Reconciliation of M returnees: services.reconcile (one transaction, every receiver connected;
   wall and CPU time, on PostgreSQL also the server backend's CPU time) and again with the
   receivers of persons_returned / person_returned disconnected, against the naive per-person loop
   (entry.save(), a status event per person, each in its own transaction), on three stages of M
   returnees each, built the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time


class Clock:
    """Wall time and CPU time of this process (and, on PostgreSQL, of its server backend, read from
    /proc when the server runs on this machine): other work on a shared machine stretches wall time
    but hardly CPU time."""

    def __init__(self):
        from django.db import connection

        self.backend = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            if os.path.exists(f"/proc/{pid}/stat"):
                self.backend = pid

    def _server(self):
        if self.backend is None:
            return None
        try:
            with open(f"/proc/{self.backend}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def start(self):
        self._t = (time.perf_counter(), time.process_time(), self._server())

    def stop(self) -> dict:
        wall, cpu, server = time.perf_counter(), time.process_time(), self._server()
        out = {"wall": wall - self._t[0], "cpu": cpu - self._t[1]}
        if server is not None and self._t[2] is not None:
            out["server_cpu"] = server - self._t[2]
        return out


def timed(fn, repeat=3):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    return round(best, 3), result


def main(persons: int, returnees: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from homecoming.exchanges import selectors, services
    from homecoming.exchanges.demo import SERIOUS_RULE, UNDER_25_RULE, _user
    from homecoming.exchanges.models import Crossing, EntryEvent, EntryState, ListEntry
    from homecoming.registry import services as registry
    from homecoming.registry.demo import load
    from homecoming.registry.models import Person, Side, Source, Status, StatusEvent
    from homecoming.registry.selectors import active_persons
    from homecoming.rules import compile_rule

    call_command("demo", accounts_only=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    load(persons, 2025)
    neg = _user("negotiator")
    out = {"persons": Person.objects.count()}
    agreement = services.create_agreement(neg, {"title": "Bench", "date": "2025-06-02"})
    cats = {
        "seriously wounded/ill": services.create_category(neg, agreement.pk, {
            "name_uk": "т", "name_en": "t", "rule": SERIOUS_RULE}),
        "under 25": services.create_category(neg, agreement.pk, {"name_uk": "м", "name_en": "m",
                                                                "rule": UNDER_25_RULE}),
    }

    # --- pools -------------------------------------------------------------------------------------
    pools = []
    original_base = selectors.pool_base
    for name, cat in cats.items():
        for scope in ("pool", "all"):
            if scope == "all":
                selectors.pool_base = lambda side: active_persons().filter(side=side)  # every person, any status
            else:
                selectors.pool_base = original_base
            ours_s, ours = timed(lambda cat=cat: selectors.pool(cat, Side.OURS))
            enemy_s, enemy = timed(lambda cat=cat: selectors.pool(cat, Side.ENEMY))
            compiled = compile_rule(cat.rule)

            def naive(cat=cat, compiled=compiled):
                eligible = outside = 0
                for side in (Side.OURS, Side.ENEMY):
                    for p in selectors.pool_base(side).select_related("branch", "rank", "direction", "operation"):
                        e = compiled.evaluate(selectors.person_facts(p))
                        e.reasons()
                        eligible += e.eligible
                        outside += e.just_outside
                return eligible, outside

            if scope == "pool":  # the naive way over the whole register takes minutes: once is enough
                naive_s, (n_eligible, n_outside) = timed(naive, repeat=1)
                assert n_eligible == len(ours.eligible) + len(enemy.eligible), (name, scope)
                assert n_outside == len(ours.just_outside) + len(enemy.just_outside), (name, scope)
            else:
                naive_s = None
                n_eligible, n_outside = len(ours.eligible) + len(enemy.eligible), len(ours.just_outside) + len(
                    enemy.just_outside)
            if name.startswith("seriously"):
                def orm(scope=scope):
                    return sum(selectors.pool_base(side).filter(
                        medical_category__in=["seriously_wounded", "seriously_ill"]).count()
                        for side in (Side.OURS, Side.ENEMY))
            else:
                def orm(scope=scope):
                    return sum(selectors.pool_base(side).filter(
                        kind="servicemember", birth_date__gt=dt.date(2000, 6, 2), birth_date_precision="day").count()
                        for side in (Side.OURS, Side.ENEMY))
            orm_s, orm_count = timed(orm)
            pools.append({"category": name, "scope": scope, "considered": ours.considered + enemy.considered,
                          "eligible": n_eligible, "just_outside": n_outside, "ours_s": ours_s, "enemy_s": enemy_s,
                          "both_s": round(ours_s + enemy_s, 3), "naive_s": round(naive_s, 3) if naive_s else "—",
                          "orm_s": orm_s,
                          "orm_eligible": orm_count})
    selectors.pool_base = original_base
    out["pools"] = pools

    # --- reconciliation ------------------------------------------------------------------------------
    def build_stage(ids):
        exchange = services.create_exchange(neg, agreement.pk, planned_date="2025-06-12")
        rule_free = services.create_category(neg, agreement.pk, {"name_uk": "всі", "name_en": "all",
                                                                  "rule": {"and": []}})
        start = time.perf_counter()
        services.add_entries(neg, exchange.pk, rule_free.pk, ids, effective_date="2025-06-05")
        add_s = time.perf_counter() - start
        ListEntry.objects.filter(exchange=exchange).update(state=EntryState.CONFIRMED)
        for status in ("lists_sent", "lists_agreed"):
            services.set_exchange_status(neg, exchange.pk, status)
        services.set_exchange_status(neg, exchange.pk, "carried_out", carried_out_on=dt.date(2025, 6, 12))
        services.record_crossings(neg, exchange.pk, all_confirmed=True)
        return exchange, add_s

    candidates = list(Person.objects.filter(side=Side.OURS, current_status=Status.CAPTIVITY_CONFIRMED,
                                            current_status_date__lt=dt.date(2025, 6, 1), merged_into__isnull=True)
                      .order_by("id").values_list("id", flat=True)[: 3 * returnees])
    if len(candidates) < 3 * returnees:
        raise SystemExit(f"only {len(candidates)} persons with confirmed captivity; use more --persons")
    stage_a, add_a = build_stage(candidates[:returnees])
    stage_b, _add_b = build_stage(candidates[returnees:2 * returnees])
    stage_c, _add_c = build_stage(candidates[2 * returnees:])

    from homecoming.aftercare.models import Case
    from homecoming.exchanges.signals import person_returned, persons_returned

    clock = Clock()
    load = os.getloadavg()
    clock.start()
    report = services.reconcile(neg, stage_a.pk)
    ours = clock.stop()
    assert len(report["groups"]["returned_as_listed"]) == returnees
    assert Case.objects.filter(exchange_id=stage_a.pk).count() == returnees  # the receivers did run

    saved = [(signal, signal.receivers) for signal in (person_returned, persons_returned)]
    for signal, _receivers in saved:
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    try:
        clock.start()
        services.reconcile(neg, stage_c.pk)
        alone = clock.stop()
    finally:
        for signal, receivers in saved:
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()

    def naive_reconcile(exchange):
        """Per person, each write its own transaction (autocommit), no bulk operations."""
        source = Source.objects.create(kind="exchange_record", reference="naive")
        for entry in ListEntry.objects.filter(exchange=exchange).select_related("person"):
            crossed = Crossing.objects.filter(exchange=exchange, person=entry.person).exists()
            old = entry.state
            entry.state = EntryState.RETURNED if crossed else EntryState.NOT_DELIVERED
            entry.save()
            EntryEvent.objects.create(entry=entry, from_state=old, to_state=entry.state, actor=neg)
            if crossed:
                registry.add_status_event(neg, entry.person_id, status=Status.RETURNED,
                                          effective_date=exchange.carried_out_on, source=source,
                                          permission="exchanges.reconcile_exchange")
                StatusEvent.objects.filter(person=entry.person, status=Status.MISSING).exists()
        exchange.status = "reconciled"
        exchange.reconciled_at = timezone.now()
        exchange.save()

    stage_b.refresh_from_db()
    start = time.perf_counter()
    naive_reconcile(stage_b)
    naive_s = time.perf_counter() - start
    out["reconcile"] = {"returnees": returnees, "ours_s": round(ours["wall"], 2), "naive_s": round(naive_s, 2),
                        "ours_cpu_s": round(ours["cpu"], 2), "ours_server_cpu_s": round(ours.get("server_cpu", 0), 2)
                        if "server_cpu" in ours else None,
                        "exchanges_only_s": round(alone["wall"], 2), "exchanges_only_cpu_s": round(alone["cpu"], 2),
                        "add_entries_s": round(add_a, 2), "load": [round(x, 2) for x in load]}
    print(json.dumps(out))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
