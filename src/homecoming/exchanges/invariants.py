"""Invariants between the exchange lists and the register (common/invariants.py)."""

from __future__ import annotations

from homecoming.common.invariants import invariant
from homecoming.registry import lifecycle
from homecoming.registry.models import Person, StatusEvent

from . import selectors
from .models import Crossing, EntryState, Exchange, ExchangeStatus, ListEntry

ACTIVE = selectors.ACTIVE_STATES


def _open_entries():
    return ListEntry.objects.filter(state__in=ACTIVE).exclude(exchange__status=ExchangeStatus.RECONCILED)


@invariant("exchanges.listed_without_entry",
           "A person 'on an exchange list' is on an active entry of a stage not yet reconciled.", record="person")
def listed_without_entry() -> list[int]:
    return list(Person.objects.filter(current_status="on_exchange_list", merged_into__isnull=True)
                .exclude(pk__in=_open_entries().values("person_id")).values_list("pk", flat=True))


@invariant("exchanges.entry_of_person_not_listed",
           "A person on an active entry of a stage not yet reconciled is 'on an exchange list' in the register "
           "(not returned, not deceased, not back in captivity).", record="list entry")
def entry_of_person_not_listed() -> list[int]:
    return list(_open_entries().exclude(person__current_status="on_exchange_list").values_list("pk", flat=True))


@invariant("exchanges.returned_entry_without_return",
           "An entry 'returned' has its listing closed by a live 'returned' or 'exchanged' event of the exchange "
           "day.", record="list entry")
def returned_entry_without_return() -> list[int]:
    entries = list(ListEntry.objects.filter(state=EntryState.RETURNED)
                   .values_list("pk", "person_id", "listing_event_id", "exchange__carried_out_on"))
    events = {}
    for e in StatusEvent.objects.filter(person_id__in={p for _e, p, _l, _d in entries}):
        events.setdefault(e.person_id, []).append(e)
    bad = []
    for pk, pid, listing, day in entries:
        live = lifecycle.live_events(events.get(pid, ()))
        home = [e for e in live if e.status in lifecycle.HOME and e.effective_date == day
                and (listing is None or e.ends_id == listing)]
        if not home:
            bad.append(pk)
    return bad


@invariant("exchanges.not_delivered_entry_still_open",
           "An entry 'not delivered' or 'withdrawn' has its listing closed in the register.", record="list entry")
def not_delivered_entry_still_open() -> list[int]:
    closed = StatusEvent.objects.filter(ends__isnull=False).values("ends_id")
    return list(ListEntry.objects.filter(state__in=(EntryState.NOT_DELIVERED, EntryState.WITHDRAWN),
                                         listing_event__isnull=False)
                .exclude(listing_event_id__in=closed)
                .exclude(person__current_status__in=lifecycle.HOME | {"deceased"})
                .values_list("pk", flat=True))


@invariant("exchanges.reconciled_stage_with_open_entries",
           "A reconciled stage has no entry still proposed, confirmed or contested.", record="exchange")
def reconciled_stage_with_open_entries() -> list[int]:
    return list(Exchange.objects.filter(status=ExchangeStatus.RECONCILED, entries__state__in=ACTIVE)
                .values_list("pk", flat=True).distinct())


@invariant("exchanges.points_at_merged_record",
           "No entry or crossing points at a record merged into another.", record="exchange")
def points_at_merged_record() -> list[int]:
    return sorted(set(ListEntry.objects.filter(person__merged_into__isnull=False).values_list("exchange_id", flat=True))
                  | set(Crossing.objects.filter(person__merged_into__isnull=False)
                        .values_list("exchange_id", flat=True)))


def _uncovered(exchange: Exchange, status: str, *, carried_out_on=None) -> bool:
    kinds = {x.get("kind") for x in exchange.exceptions}
    return any(p.kind not in kinds for p in selectors.stage_problems(exchange, status, carried_out_on=carried_out_on))


@invariant("exchanges.stage_rule_broken_without_exception",
           "A stage whose lists are agreed balances its trade rules and has no contested entry, and a carried-out "
           "stage is not dated before its listings, unless the negotiator recorded an exception with a reason.",
           record="exchange")
def stage_rule_broken_without_exception() -> list[int]:
    bad = []
    for exchange in Exchange.objects.filter(status=ExchangeStatus.LISTS_AGREED).select_related("agreement"):
        if _uncovered(exchange, "lists_agreed"):
            bad.append(exchange.pk)
    for exchange in Exchange.objects.filter(status__in=(ExchangeStatus.CARRIED_OUT, ExchangeStatus.RECONCILED)):
        if exchange.carried_out_on and _uncovered(exchange, "carried_out", carried_out_on=exchange.carried_out_on):
            bad.append(exchange.pk)
    return bad
