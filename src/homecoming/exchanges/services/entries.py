"""Who is on a stage's lists: adding, closing the listing, moving an entry through its states,
and the counterpart's list matched against ours.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.linkage import LinkageIndex, Record
from homecoming.registry import lifecycle
from homecoming.registry import services as registry_services
from homecoming.registry.limits import length_errors
from homecoming.registry.models import Person, Side, Source, SourceKind, Status
from homecoming.registry.services import MANAGED_BY_EXCHANGES as MANAGED
from homecoming.registry.services import NewEvent

from .. import selectors
from ..models import (
    Category,
    CounterRow,
    EntryEvent,
    EntryState,
    Exchange,
    ExchangeStatus,
    ListEntry,
)
from ..signals import entries_changed
from .common import CHANGE_EXCHANGE, _date, _require, _user
from .stages import LISTS_OPEN, NeedsException

#: allowed changes of an entry's state by hand; "returned" and "not delivered" are set by reconciliation
ENTRY_TRANSITIONS = {
    EntryState.PROPOSED: {EntryState.CONFIRMED, EntryState.CONTESTED, EntryState.WITHDRAWN},
    EntryState.CONFIRMED: {EntryState.CONTESTED, EntryState.WITHDRAWN, EntryState.PROPOSED},
    EntryState.CONTESTED: {EntryState.CONFIRMED, EntryState.WITHDRAWN, EntryState.PROPOSED},
    EntryState.WITHDRAWN: {EntryState.PROPOSED},
    EntryState.RETURNED: set(),
    EntryState.NOT_DELIVERED: set(),
}
ENTRIES_CHANGEABLE = (ExchangeStatus.PLANNING, ExchangeStatus.LISTS_SENT, ExchangeStatus.LISTS_AGREED)


def _entry_event(entry: ListEntry, old: str, new: str, reason: str, actor) -> EntryEvent:
    return EntryEvent(entry=entry, from_state=old, to_state=new, reason=reason[:300], actor=_user(actor))


@transaction.atomic
def add_entries(actor, exchange_id: int, category_id: int, person_ids: list[int], *, effective_date=None,
                require_eligible: bool = True, request=None) -> list[ListEntry]:
    """Put persons on the stage's list for a category: ours on the list we ask to receive, enemy
    prisoners on the list we hand over. Each gets the status event "on an exchange list".
    Refuses (changing nothing) a person who is not in the pool, not eligible (unless
    ``require_eligible`` is False), or already on this stage's lists."""
    _require(actor, CHANGE_EXCHANGE)
    exchange = Exchange.objects.select_for_update().select_related("agreement").get(pk=exchange_id)
    category = Category.objects.filter(pk=category_id, agreement_id=exchange.agreement_id).first()
    if category is None:
        raise ValidationError({"category": [_("This category is not part of the stage's agreement.")]})
    if exchange.status not in LISTS_OPEN:
        raise ValidationError(_("The lists of this stage are closed (status “%(status)s”).")
                              % {"status": ExchangeStatus(exchange.status).label})
    errors: dict[str, list[str]] = {}
    day = _date(effective_date, "effective_date", errors) or timezone.localdate()
    if errors:
        raise ValidationError(errors)
    ids = list(dict.fromkeys(int(p) for p in person_ids))
    persons = {p.pk: p for p in Person.objects.filter(pk__in=ids, merged_into__isnull=True)
               .select_related("branch", "rank", "direction", "operation")}
    compiled = selectors.compiled_rule(category)
    from django.utils import translation

    from ..labels import rule_labels

    labels = rule_labels()
    with translation.override("uk"):
        labels_uk = rule_labels()
    with translation.override("en"):
        labels_en = rule_labels()
    already = set(exchange.entries.filter(person_id__in=ids).values_list("person_id", flat=True))
    if day > timezone.localdate():
        raise ValidationError({"effective_date": [_("The date cannot be in the future.")]})
    state_dates = selectors.state_dates(list(persons))
    problems = []
    prepared = []
    for pid in ids:
        person = persons.get(pid)
        if person is None:
            problems.append(_("Person %(id)s is not in the register.") % {"id": pid})
            continue
        if pid in already:
            problems.append(_("%(ref)s is already on a list of this stage.") % {"ref": person.reference})
            continue
        if person.current_status not in selectors.POOL_STATUSES[person.side]:
            problems.append(_("%(ref)s cannot be listed: status “%(status)s”.")
                            % {"ref": person.reference, "status": person.get_current_status_display() or "—"})
            continue
        held_since = state_dates.get(pid)
        if held_since and day < held_since:
            problems.append(_("%(ref)s cannot be listed on %(day)s: their status dates from %(since)s.")
                            % {"ref": person.reference, "day": day.isoformat(), "since": held_since.isoformat()})
            continue
        evaluation = compiled.evaluate(selectors.person_facts(person))
        if require_eligible and not evaluation.eligible:
            problems.append(_("%(ref)s is not eligible: %(reasons)s.")
                            % {"ref": person.reference, "reasons": "; ".join(evaluation.reasons(labels))})
            continue
        # why the person was listed, kept in both languages as it stood that day
        prepared.append((person, {"uk": evaluation.reasons(labels_uk), "en": evaluation.reasons(labels_en)}))
    if problems:
        raise ValidationError(problems)
    source = Source.objects.create(kind=SourceKind.EXCHANGE_RECORD, created_by=_user(actor),
                                   reference=exchange.source_label)
    # every entry opens its own listing in the register; its outcome closes it (lifecycle.py)
    listings = registry_services.add_status_events_bulk(
        actor, [NewEvent(person.pk, Status.ON_EXCHANGE_LIST, day) for person, _r in prepared],
        source=source, permission=CHANGE_EXCHANGE, managed_by=MANAGED, request=request)
    listing_of = {e.person_id: e for e in listings}
    entries = ListEntry.objects.bulk_create(
        [ListEntry(exchange=exchange, category=category, person=person, listing_event=listing_of[person.pk],
                   direction=selectors.DIRECTION_OF_SIDE[person.side], reasons=reasons, created_by=_user(actor))
         for person, reasons in prepared], batch_size=500)
    EntryEvent.objects.bulk_create([_entry_event(e, "", EntryState.PROPOSED, "", actor) for e in entries],
                                   batch_size=500)
    record(actor, "exchange.entries_add", object_type="exchange", object_id=exchange.pk,
           details={"category": category.pk, "persons": [e.person_id for e in entries]}, request=request)
    return entries


def close_listing(actor, entry: ListEntry, day: dt.date, *, note: str, request=None):
    """Close the entry's listing in the register without an outcome of its own (withdrawn, not
    delivered): the person is again what they were beneath the list (lifecycle.py)."""
    history = selectors.histories([entry.person_id])[entry.person_id]
    back = lifecycle.state_beneath(history) or (
        Status.CAPTIVITY_CONFIRMED if entry.person.side == Side.OURS else Status.HELD)
    return registry_services.add_status_event(
        actor, entry.person_id, status=back, effective_date=day, ends=entry.listing_event_id,
        source_kind=SourceKind.EXCHANGE_RECORD, source_reference=entry.exchange.source_label, note=note,
        managed_by=MANAGED, permission=CHANGE_EXCHANGE, request=request)


def _agreed_lists_still_hold(actor, exchange: Exchange, exception_reason: str) -> None:
    """After a change to agreed lists: a rule they now break, not covered by an exception recorded
    before, needs the negotiator's reason (the caller's transaction then keeps or drops the change)."""
    exchange = Exchange.objects.select_for_update().select_related("agreement").get(pk=exchange.pk)
    covered = {x.get("kind") for x in exchange.exceptions}
    problems = [p for p in selectors.stage_problems(exchange, ExchangeStatus.LISTS_AGREED) if p.kind not in covered]
    if not problems:
        return
    exception_reason = (exception_reason or "").strip()[:300]
    if not exception_reason:
        raise NeedsException([p.message for p in problems])
    exchange.exceptions = [*exchange.exceptions, *(
        {"kind": p.kind, "to": exchange.status, "reason": exception_reason, "details": p.message,
         "by": getattr(_user(actor), "username", ""), "at": timezone.now().isoformat()} for p in problems)]
    exchange.save(update_fields=["exceptions"])


@transaction.atomic
def change_entry_state(actor, entry_id: int, state: str, *, reason: str = "", effective_date=None,
                       exception_reason: str = "", request=None) -> ListEntry:
    """Move an entry to another state by hand (see ENTRY_TRANSITIONS). Contesting needs a reason.
    Withdrawing closes the entry's listing in the register (the person is again what they were
    beneath it, or still listed on another stage); putting it back opens a new listing, dated
    ``effective_date`` (today by default). Once the lists are agreed, a change that unbalances a
    trade rule or contests an entry needs ``exception_reason`` (as set_exchange_status)."""
    _require(actor, CHANGE_EXCHANGE)
    entry = ListEntry.objects.select_for_update().select_related("exchange", "person").get(pk=entry_id)
    reason = (reason or "").strip()
    if state not in EntryState.values:
        raise ValidationError({"state": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(
            EntryState.values)}]})
    if entry.exchange.status not in ENTRIES_CHANGEABLE:
        raise ValidationError(_("The lists of this stage can no longer be changed (status “%(status)s”).")
                              % {"status": ExchangeStatus(entry.exchange.status).label})
    if state == entry.state:  # usually someone else made the same change a moment before
        raise ValidationError({"state": [_("The entry is already “%(state)s”; nothing was changed.")
                                         % {"state": EntryState(state).label}]})
    if state not in ENTRY_TRANSITIONS[entry.state]:
        raise ValidationError({"state": [_("An entry cannot go from “%(old)s” to “%(new)s”.")
                                         % {"old": EntryState(entry.state).label, "new": EntryState(state).label}]})
    if state == EntryState.CONTESTED and not reason:
        raise ValidationError({"reason": [_("Say why the entry is contested.")]})
    if too_long := length_errors(EntryEvent, {"reason": reason}):
        raise ValidationError(too_long)
    errors: dict[str, list[str]] = {}
    day = _date(effective_date, "effective_date", errors) or timezone.localdate()
    if errors:
        raise ValidationError(errors)
    person = entry.person
    relisted = entry.state == EntryState.WITHDRAWN
    # back on the list: the person must still be one who can be exchanged
    if relisted and (person.merged_into_id or person.current_status not in selectors.POOL_STATUSES[person.side]):
            raise ValidationError({"state": [_("%(ref)s cannot be listed again: status “%(status)s”.")
                                             % {"ref": person.reference,
                                                "status": person.get_current_status_display() or "—"}]})
    old = entry.state
    entry.state = state
    entry.contest_reason = reason if state == EntryState.CONTESTED else entry.contest_reason
    update = ["state", "contest_reason"]
    label = entry.exchange.source_label
    if state == EntryState.WITHDRAWN and entry.listing_event_id:
        close_listing(actor, entry, day, note=_("Withdrawn from the list of %(stage)s: %(reason)s")
                      % {"stage": label, "reason": reason or "—"}, request=request)
    elif relisted:
        entry.listing_event = registry_services.add_status_event(
            actor, person.pk, status=Status.ON_EXCHANGE_LIST, effective_date=day,
            source_kind=SourceKind.EXCHANGE_RECORD, source_reference=label, managed_by=MANAGED,
            permission=CHANGE_EXCHANGE, request=request)
        update.append("listing_event")
    entry.save(update_fields=update)
    _entry_event(entry, old, state, reason, actor).save()
    if entry.exchange.status == ExchangeStatus.LISTS_AGREED:
        _agreed_lists_still_hold(actor, entry.exchange, exception_reason)
    entries_changed.send(sender=ListEntry, person_ids=[entry.person_id])
    record(actor, "exchange.entry_state", object_type="list_entry", object_id=entry.pk,
           details={"exchange": entry.exchange_id, "person": entry.person_id, "from": old, "to": state,
                    "reason": reason}, request=request)
    return entry


ROW_FIELDS = ("last_name", "first_name", "patronymic", "full_name", "birth_date", "service_number", "tax_number")


def _records_of_entries(exchange: Exchange) -> list[Record]:
    records = []
    entries = exchange.entries.exclude(state=EntryState.WITHDRAWN).select_related("person") \
        .prefetch_related("person__alternative_names")
    for entry in entries:
        p = entry.person
        birth = p.birth_date.isoformat() if p.birth_date else None
        if birth and p.birth_date_precision == "year":
            birth = str(p.birth_date.year)
        elif birth and p.birth_date_precision == "month":
            birth = birth[:7]
        # alternative names are aliases of the one record: never competitors of their own person
        records.append(Record(f"e{entry.pk}", p.last_name, p.first_name, p.patronymic, birth_date=birth,
                              service_number=p.service_number, tax_number=p.tax_number,
                              aliases=[(a.last_name, a.first_name, a.patronymic) for a in p.alternative_names.all()]))
    return records


@transaction.atomic
def match_counter_list(actor, exchange, rows: list[dict[str, Any]], *, confirm: bool = True,
                       request=None) -> dict[str, Any]:
    """Match the rows of the other side's counter-list (plain dicts with any of ROW_FIELDS) to the
    entries of the stage with homecoming.linkage. A row matched with certainty confirms its entry
    ("confirmed by the other side") when ``confirm``; doubtful rows wait for a person (review);
    rows matching no entry are listed as such. Returns counts and, per row, the outcome.

    The intake app calls this with the rows of an imported IncomingList."""
    _require(actor, CHANGE_EXCHANGE)
    if not isinstance(exchange, Exchange):
        exchange = Exchange.objects.get(pk=exchange)
    exchange = Exchange.objects.select_for_update().get(pk=exchange.pk)
    if exchange.status not in (*ENTRIES_CHANGEABLE, ExchangeStatus.CARRIED_OUT):
        raise ValidationError(_("The lists of this stage can no longer be changed (status “%(status)s”).")
                              % {"status": ExchangeStatus(exchange.status).label})
    if exchange.status == ExchangeStatus.CARRIED_OUT:
        confirm = False  # the other side's list of the day: matches are used to record who crossed
    problems = []
    clean_rows = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(_("Row %(n)s: expected the columns of a person.") % {"n": number})
            continue
        values = {k: str(row.get(k) or "").strip() for k in ROW_FIELDS}
        if not (values["last_name"] and values["first_name"]) and not values["full_name"]:
            problems.append(_("Row %(n)s: a name is needed (last_name and first_name, or full_name).")
                            % {"n": number})
        clean_rows.append((number, values))
    if problems:
        raise ValidationError(problems)
    index = LinkageIndex(_records_of_entries(exchange))
    results = index.link([Record(f"r{n}", v["last_name"], v["first_name"], v["patronymic"], v["full_name"],
                                 birth_date=v["birth_date"] or None, service_number=v["service_number"],
                                 tax_number=v["tax_number"]) for n, v in clean_rows], explain=True)
    entries = {e.pk: e for e in exchange.entries.all()}
    CounterRow.objects.filter(exchange=exchange).delete()
    counts: Counter = Counter()
    outcome_rows = []
    matched_entries: set[int] = set()
    for (number, values), result in zip(clean_rows, results, strict=True):
        entry = None
        candidates = []
        seen = set()
        for c in result.candidates:
            entry_id = int(c.registry_id[1:].split("a")[0])
            if entry_id in seen:
                continue
            seen.add(entry_id)
            candidates.append({"entry": entry_id, "person": entries[entry_id].person_id,
                               "probability": round(c.probability, 4),
                               "explanation": c.to_dict()["explanation"]})  # field by field, for the review
        decision = result.decision
        if decision == "match" and candidates:
            entry = entries[candidates[0]["entry"]]
            if entry.pk in matched_entries:
                decision = "review"
                entry = None
            else:
                matched_entries.add(entry.pk)
        counts[decision] += 1
        CounterRow.objects.create(exchange=exchange, row_number=number, data=values, decision=decision,
                                  entry=entry, candidates=candidates, reason=(result.reason or "")[:300])
        if entry is not None:
            entry.counter_row = {"row": number, **values}
            entry.save(update_fields=["counter_row"])
            if confirm and entry.state == EntryState.PROPOSED:
                old = entry.state
                entry.state = EntryState.CONFIRMED
                entry.save(update_fields=["state"])
                _entry_event(entry, old, EntryState.CONFIRMED,
                             _("On the other side's counter-list (row %(n)s)") % {"n": number}, actor).save()
                counts["confirmed"] += 1
        outcome_rows.append({"row": number, "decision": decision, "entry": entry.pk if entry else None,
                             "candidates": candidates})
    not_on_their_list = [e.pk for e in entries.values()
                         if e.pk not in matched_entries and e.state in selectors.ACTIVE_STATES]
    record(actor, "exchange.counter_list", object_type="exchange", object_id=exchange.pk,
           details={"rows": len(clean_rows), "match": counts["match"], "review": counts["review"],
                    "none": counts["none"], "confirmed": counts["confirmed"]}, request=request)
    return {"rows": outcome_rows, "match": counts["match"], "review": counts["review"], "none": counts["none"],
            "confirmed": counts["confirmed"], "not_on_their_list": not_on_their_list}
