"""Every write of the exchanges app. Each function runs in one transaction, checks the actor's
permission, writes the audit event and any status event (through the register's services)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.linkage import LinkageIndex, Record
from homecoming.registry import lifecycle
from homecoming.registry import services as registry_services
from homecoming.registry.models import Person, Side, Source, SourceKind, Status
from homecoming.registry.services import MANAGED_BY_EXCHANGES as MANAGED
from homecoming.registry.services import NewEvent
from homecoming.rules import validate

from . import selectors
from .labels import error_text, rule_vocabulary
from .models import (
    Agreement,
    Category,
    Communique,
    CounterRow,
    Crossing,
    Direction,
    EntryEvent,
    EntryState,
    Exchange,
    ExchangeStatus,
    ListEntry,
    TradeRule,
)
from .signals import entries_changed, exchange_reconciled, person_returned, persons_returned

VIEW_AGREEMENT = "exchanges.view_agreement"
CHANGE_AGREEMENT = "exchanges.change_agreement"
VIEW_EXCHANGE = "exchanges.view_exchange"
CHANGE_EXCHANGE = "exchanges.change_exchange"
RECONCILE = "exchanges.reconcile_exchange"

#: allowed changes of an exchange's status (reconciled only through :func:`reconcile`)
EXCHANGE_TRANSITIONS = {
    ExchangeStatus.PLANNING: {ExchangeStatus.LISTS_SENT},
    ExchangeStatus.LISTS_SENT: {ExchangeStatus.PLANNING, ExchangeStatus.LISTS_AGREED},
    ExchangeStatus.LISTS_AGREED: {ExchangeStatus.LISTS_SENT, ExchangeStatus.CARRIED_OUT},
    ExchangeStatus.CARRIED_OUT: set(),
    ExchangeStatus.RECONCILED: set(),
}
#: allowed changes of an entry's state by hand; "returned" and "not delivered" are set by reconciliation
ENTRY_TRANSITIONS = {
    EntryState.PROPOSED: {EntryState.CONFIRMED, EntryState.CONTESTED, EntryState.WITHDRAWN},
    EntryState.CONFIRMED: {EntryState.CONTESTED, EntryState.WITHDRAWN, EntryState.PROPOSED},
    EntryState.CONTESTED: {EntryState.CONFIRMED, EntryState.WITHDRAWN, EntryState.PROPOSED},
    EntryState.WITHDRAWN: {EntryState.PROPOSED},
    EntryState.RETURNED: set(),
    EntryState.NOT_DELIVERED: set(),
}
LISTS_OPEN = (ExchangeStatus.PLANNING, ExchangeStatus.LISTS_SENT)
ENTRIES_CHANGEABLE = (ExchangeStatus.PLANNING, ExchangeStatus.LISTS_SENT, ExchangeStatus.LISTS_AGREED)


class AlreadyReconciled(ValidationError):
    """The exchange was reconciled already (perhaps a moment ago, by someone else)."""


def _require(actor, *perms: str) -> None:
    for perm in perms:
        if actor is None or not actor.has_perm(perm):
            raise PermissionDenied(_("You do not have the permission to do this."))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _date(value, field: str, errors: dict, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
        return None


# --- agreements and categories ------------------------------------------------------------------

AGREEMENT_TEXT = {"title": 200, "place": 200, "parties": 300, "mediator": 200, "notes": 10000}


def _agreement_values(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    unknown = set(data) - set(AGREEMENT_TEXT) - {"date", "withhold_counts_until_last_stage"}
    for name in sorted(unknown):
        errors[name] = [_("Unknown field.")]
    for name, limit in AGREEMENT_TEXT.items():
        if name in data or (not partial and name == "title"):
            text = str(data.get(name) or "").strip()
            if name == "title" and not text:
                errors[name] = [_("This field is required.")]
            elif len(text) > limit:
                errors[name] = [_("At most %(n)s characters.") % {"n": limit}]
            out[name] = text
    if "date" in data or not partial:
        out["date"] = _date(data.get("date"), "date", errors, required=True)
    if "withhold_counts_until_last_stage" in data:
        value = data["withhold_counts_until_last_stage"]
        if not isinstance(value, bool):
            errors["withhold_counts_until_last_stage"] = [_("Expected true or false.")]
        out["withhold_counts_until_last_stage"] = value
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def create_agreement(actor, data: dict[str, Any], *, request=None) -> Agreement:
    _require(actor, CHANGE_AGREEMENT)
    agreement = Agreement(created_by=_user(actor), **_agreement_values(data, partial=False))
    agreement.save()
    record(actor, "agreement.create", object_type="agreement", object_id=agreement.pk,
           details={"title": agreement.title}, request=request)
    return agreement


@transaction.atomic
def update_agreement(actor, agreement_id: int, data: dict[str, Any], *, request=None) -> Agreement:
    _require(actor, CHANGE_AGREEMENT)
    agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
    values = _agreement_values(data, partial=True)
    for name, value in values.items():
        setattr(agreement, name, value)
    agreement.save()
    record(actor, "agreement.update", object_type="agreement", object_id=agreement.pk,
           details={"fields": sorted(values)}, request=request)
    return agreement


def check_rule(rule) -> list[str]:
    """The problems of a rule in the reader's language, each with its JSON path."""
    return [error_text(e) for e in validate(rule, rule_vocabulary())]


def _category_values(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name in sorted(set(data) - {"name_uk", "name_en", "rule", "trade_rule", "ratio_receive",
                                    "ratio_hand_over", "position"}):
        errors[name] = [_("Unknown field.")]
    for name in ("name_uk", "name_en"):
        if name in data or not partial:
            text = str(data.get(name) or "").strip()
            if not text:
                errors[name] = [_("This field is required.")]
            elif len(text) > 200:
                errors[name] = [_("At most %(n)s characters.") % {"n": 200}]
            out[name] = text
    if "rule" in data or not partial:
        problems = check_rule(data.get("rule"))
        if problems:
            errors["rule"] = problems
        out["rule"] = data.get("rule")
    if "trade_rule" in data or not partial:
        trade = data.get("trade_rule") or TradeRule.ALL_FOR_ALL
        if trade not in TradeRule.values:
            errors["trade_rule"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(TradeRule.values)}]
        out["trade_rule"] = trade
    for name in ("ratio_receive", "ratio_hand_over", "position"):
        if name in data:
            try:
                number = int(data[name])
                if number < (0 if name == "position" else 1) or number > 100000:
                    raise ValueError
                out[name] = number
            except (TypeError, ValueError):
                errors[name] = [_("Enter a whole number from 1 to 100000.")]
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def create_category(actor, agreement_id: int, data: dict[str, Any], *, request=None) -> Category:
    _require(actor, CHANGE_AGREEMENT)
    agreement = Agreement.objects.get(pk=agreement_id)
    values = _category_values(data, partial=False)
    values.setdefault("position", agreement.categories.count())
    category = Category.objects.create(agreement=agreement, **values)
    record(actor, "category.create", object_type="category", object_id=category.pk,
           details={"agreement": agreement.pk, "name": category.name_en, "rule": category.rule,
                    "trade_rule": category.trade_rule}, request=request)
    return category


@transaction.atomic
def update_category(actor, category_id: int, data: dict[str, Any], *, request=None) -> Category:
    _require(actor, CHANGE_AGREEMENT)
    category = Category.objects.select_for_update().get(pk=category_id)
    values = _category_values(data, partial=True)
    before = category.rule
    for name, value in values.items():
        setattr(category, name, value)
    category.version += 1
    category.save()
    record(actor, "category.update", object_type="category", object_id=category.pk,
           details={"fields": sorted(values), "rule_before": before if "rule" in values else None,
                    "rule": category.rule if "rule" in values else None}, request=request)
    return category


# --- exchanges (stages) -------------------------------------------------------------------------

@transaction.atomic
def create_exchange(actor, agreement_id: int, *, number: int | None = None, planned_date=None, notes: str = "",
                    request=None) -> Exchange:
    _require(actor, CHANGE_EXCHANGE)
    agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
    errors: dict[str, list[str]] = {}
    planned = _date(planned_date, "planned_date", errors)
    taken = set(agreement.exchanges.values_list("number", flat=True))
    if number in (None, ""):
        number = max(taken, default=0) + 1
    else:
        try:
            number = int(number)
            if number < 1:
                raise ValueError
            if number in taken:
                errors["number"] = [_("Stage %(n)s of this agreement exists already.") % {"n": number}]
        except (TypeError, ValueError):
            errors["number"] = [_("Enter a whole number from 1.")]
    if errors:
        raise ValidationError(errors)
    exchange = Exchange.objects.create(agreement=agreement, number=number, planned_date=planned,
                                       notes=(notes or "").strip())
    record(actor, "exchange.create", object_type="exchange", object_id=exchange.pk,
           details={"agreement": agreement.pk, "number": number}, request=request)
    return exchange


class NeedsException(ValidationError):
    """The move breaks a rule of the stage; the negotiator may record an exception with a reason.
    ``problems`` lists what it breaks, in the reader's language."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__({"exception_reason": [*problems, _("Put it right, or record an exception with the "
                                                             "reason.")]}, code="needs_exception")


@transaction.atomic
def set_exchange_status(actor, exchange_id: int, status: str, *, carried_out_on=None, exception_reason: str = "",
                        request=None) -> Exchange:
    """Move a stage along EXCHANGE_TRANSITIONS. "Lists agreed" is refused while a category's trade
    rule does not balance or an entry is contested; "carried out" is refused on a day before a
    person was put on its lists (selectors.stage_problems). Either goes through when the
    negotiator records an exception with a reason, kept on the stage and in the audit log."""
    _require(actor, CHANGE_EXCHANGE)
    exchange = Exchange.objects.select_for_update().select_related("agreement").get(pk=exchange_id)
    if status not in ExchangeStatus.values:
        raise ValidationError({"status": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(
            ExchangeStatus.values)}]})
    if status == ExchangeStatus.RECONCILED:
        raise ValidationError({"status": [_("An exchange is reconciled by the reconciliation, not by hand.")]})
    if status not in EXCHANGE_TRANSITIONS[exchange.status]:
        raise ValidationError({"status": [
            _("An exchange cannot go from “%(old)s” to “%(new)s”.")
            % {"old": ExchangeStatus(exchange.status).label, "new": ExchangeStatus(status).label}]})
    errors: dict[str, list[str]] = {}
    day = None
    if status == ExchangeStatus.CARRIED_OUT:
        day = _date(carried_out_on, "carried_out_on", errors, required=True)
        if day and day > timezone.localdate():
            errors["carried_out_on"] = [_("The date cannot be in the future.")]
    exception_reason = (exception_reason or "").strip()
    if len(exception_reason) > 300:
        errors["exception_reason"] = [_("At most %(n)s characters.") % {"n": 300}]
    if errors:
        raise ValidationError(errors)
    problems = selectors.stage_problems(exchange, status, carried_out_on=day)
    if problems and not exception_reason:
        raise NeedsException([p.message for p in problems])
    if problems:
        exchange.exceptions = [*exchange.exceptions, *(
            {"kind": p.kind, "to": status, "reason": exception_reason, "details": p.message,
             "by": getattr(_user(actor), "username", ""), "at": timezone.now().isoformat()} for p in problems)]
    if day is not None:
        exchange.carried_out_on = day
    old = exchange.status
    exchange.status = status
    exchange.save(update_fields=["status", "carried_out_on", "exceptions"])
    record(actor, "exchange.status", object_type="exchange", object_id=exchange.pk,
           details={"from": old, "to": status,
                    "carried_out_on": exchange.carried_out_on.isoformat() if exchange.carried_out_on else None,
                    "exceptions": [p.kind for p in problems], "exception_reason": exception_reason or None},
           request=request)
    return exchange


# --- list entries -------------------------------------------------------------------------------

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

    from .labels import rule_labels

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
                                   reference=f"{exchange.agreement.title}, {_('stage')} {exchange.number}")
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
        source_kind=SourceKind.EXCHANGE_RECORD, source_reference=str(entry.exchange), note=note,
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
    if len(reason) > 300:
        raise ValidationError({"reason": [_("At most %(n)s characters.") % {"n": 300}]})
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
    label = f"{entry.exchange.agreement.title}, {_('stage')} {entry.exchange.number}"
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


# --- the other side's counter-list ------------------------------------------------------------------

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
                               "probability": round(c.probability, 4), "explanation": c.explain_text()})
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


# --- exchange day --------------------------------------------------------------------------------

@transaction.atomic
def record_crossings(actor, exchange_id: int, *, person_ids: list[int] = (), all_confirmed: bool = False,
                     from_counter_list: bool = False, how: str = Crossing.How.CHECK_IN,
                     request=None) -> list[Crossing]:
    """Record who crossed on exchange day: every confirmed entry (``all_confirmed``: the final
    list), every entry matched with certainty on the other side's list of the day
    (``from_counter_list``: matched through linkage, see :func:`match_counter_list`), or persons
    one by one (listed or not). Recording a person twice changes nothing."""
    _require(actor, CHANGE_EXCHANGE)
    exchange = Exchange.objects.select_for_update().get(pk=exchange_id)
    if exchange.status != ExchangeStatus.CARRIED_OUT:
        raise ValidationError(_("Record who crossed once the stage is carried out (status now “%(status)s”).")
                              % {"status": ExchangeStatus(exchange.status).label})
    if how not in Crossing.How.values:
        raise ValidationError({"how": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Crossing.How.values)}]})
    entries = {e.person_id: e for e in exchange.entries.exclude(state=EntryState.WITHDRAWN)}
    wanted: list[int] = []
    if all_confirmed:
        wanted += [pid for pid, e in entries.items() if e.state == EntryState.CONFIRMED]
    if from_counter_list:
        matched = set(CounterRow.objects.filter(exchange=exchange, decision="match", entry__isnull=False)
                      .values_list("entry__person_id", flat=True))
        wanted += [pid for pid in entries if pid in matched]
        how = Crossing.How.LINKAGE
    wanted += [int(p) for p in person_ids]
    wanted = list(dict.fromkeys(wanted))
    persons = {p.pk: p for p in Person.objects.filter(pk__in=wanted)}
    problems = []
    for pid in wanted:
        p = persons.get(pid)
        if p is None:
            problems.append(_("Person %(id)s is not in the register.") % {"id": pid})
        elif p.merged_into_id:
            problems.append(_("%(ref)s was merged into another record; record that one.") % {"ref": p.reference})
        elif pid not in entries and p.current_status in (Status.RETURNED, Status.EXCHANGED, Status.DECEASED):
            problems.append(_("%(ref)s cannot have crossed: status “%(status)s”.")
                            % {"ref": p.reference, "status": p.get_current_status_display()})
    if problems:
        raise ValidationError(problems)
    have = set(exchange.crossings.values_list("person_id", flat=True))
    created = Crossing.objects.bulk_create([
        Crossing(exchange=exchange, person_id=pid, entry=entries.get(pid),
                 how=Crossing.How.LIST if all_confirmed and pid in entries and not person_ids else how,
                 recorded_by=_user(actor))
        for pid in wanted if pid not in have])
    record(actor, "exchange.crossings", object_type="exchange", object_id=exchange.pk,
           details={"persons": [c.person_id for c in created], "how": how, "all_confirmed": all_confirmed},
           request=request)
    return created


@transaction.atomic
def remove_crossing(actor, exchange_id: int, person_id: int, *, request=None) -> None:
    _require(actor, CHANGE_EXCHANGE)
    exchange = Exchange.objects.select_for_update().get(pk=exchange_id)
    if exchange.status != ExchangeStatus.CARRIED_OUT:
        raise ValidationError(_("Only before reconciliation."))
    deleted, _x = Crossing.objects.filter(exchange=exchange, person_id=person_id).delete()
    if deleted:
        record(actor, "exchange.crossing_remove", object_type="exchange", object_id=exchange.pk,
               details={"person": person_id}, request=request)


def reconcile(actor, exchange_id: int, *, confirm: str | None = None, exception_reason: str = "",
              request=None) -> dict[str, Any]:
    """Reconcile a carried-out stage, all or nothing (selectors.reconcile_plan is the preview):
    every returnee of ours gets the status "returned", every handed-over prisoner "exchanged", each
    closing the listing of their entry; a listed person who did not cross is "not delivered" and
    goes back to what they were beneath the list; a returnee's entries on other stages are
    withdrawn; ``persons_returned`` is sent once with all of ours (then ``person_returned`` for
    each) inside the transaction; the report is stored.

    ``confirm``: the fingerprint of the plan the person saw; when given, a different plan is
    refused (common.confirm.ChangedSincePreview). A new event that contradicts a person's history
    (a return dated before the capture) needs ``exception_reason``.
    A second reconciliation (also a concurrent one) is refused with :class:`AlreadyReconciled`."""
    from homecoming.common.confirm import check

    _require(actor, RECONCILE)
    with transaction.atomic():
        exchange = Exchange.objects.select_for_update().select_related("agreement").get(pk=exchange_id)
        if exchange.status == ExchangeStatus.RECONCILED:
            raise AlreadyReconciled(_("This stage was already reconciled (%(when)s); nothing was changed.")
                                    % {"when": timezone.localtime(exchange.reconciled_at).strftime("%Y-%m-%d %H:%M")})
        if exchange.status != ExchangeStatus.CARRIED_OUT:
            raise ValidationError(_("Only a carried-out stage can be reconciled (status now “%(status)s”).")
                                  % {"status": ExchangeStatus(exchange.status).label})
        plan = selectors.reconcile_plan(exchange)
        if confirm is not None:
            check(confirm, plan.fingerprint)
        exception_reason = (exception_reason or "").strip() or next(
            (x["reason"] for x in exchange.exceptions if x.get("kind") == "before_listing"), "")
        day = exchange.carried_out_on
        crossings = list(exchange.crossings.select_related("person"))
        entries = list(exchange.entries.exclude(state=EntryState.WITHDRAWN).select_related("person"))
        label = f"{exchange.agreement.title}, {_('stage')} {exchange.number}"
        source = Source.objects.create(kind=SourceKind.EXCHANGE_RECORD, created_by=_user(actor),
                                       reference=f"{label}, {day.isoformat()}")
        missing_before = selectors.persons_missing_until(
            [c.person_id for c in crossings if c.person.side == Side.OURS], day)
        now = timezone.now()
        by_entry = {o["entry"]: o for o in plan.outcomes if o["entry"]}
        changed_entries, events = [], []
        for entry in entries:
            outcome = by_entry.get(entry.pk)
            if outcome is None:  # already returned / not delivered: cannot happen on a carried-out stage
                raise ValidationError(_("Entry %(id)s cannot be reconciled from “%(old)s”.")
                                      % {"id": entry.pk, "old": EntryState(entry.state).label})
            new = outcome["outcome"]
            events.append(_entry_event(entry, entry.state, new, _("Reconciliation"), actor))
            entry.state = new
            changed_entries.append(entry)
        for state in (EntryState.RETURNED, EntryState.NOT_DELIVERED):
            ids = [e.pk for e in changed_entries if e.state == state]
            for start in range(0, len(ids), 500):
                ListEntry.objects.filter(pk__in=ids[start:start + 500]).update(state=state)
        # a returnee's entries on other stages: they are home, no list holds them any more
        for other in plan.other_entries:
            events.append(_entry_event(other, other.state, EntryState.WITHDRAWN,
                                       _("Returned in %(stage)s") % {"stage": label}, actor))
        ListEntry.objects.filter(pk__in=[e.pk for e in plan.other_entries]).update(state=EntryState.WITHDRAWN)
        EntryEvent.objects.bulk_create(events, batch_size=500)
        not_delivered = _("Not delivered in %(stage)s") % {"stage": label}
        try:
            registry_services.add_status_events_bulk(
                actor, [NewEvent(o["person"], o["status"], day, ends=o["ends"],
                                 note=not_delivered if o["outcome"] == EntryState.NOT_DELIVERED else "")
                        for o in plan.outcomes],
                source=source, permission=RECONCILE, managed_by=MANAGED, exception_reason=exception_reason,
                request=request)
        except ValidationError as exc:
            raise ValidationError([_("Nothing was reconciled: the register refused these events."),
                                   *exc.messages]) from exc
        report = build_report(exchange, entries, crossings, missing_before)
        exchange.status = ExchangeStatus.RECONCILED
        exchange.reconciled_at = now
        exchange.reconciled_by = _user(actor)
        exchange.report = report
        try:
            exchange.save(update_fields=["status", "reconciled_at", "reconciled_by", "report"])
        except IntegrityError as exc:  # pragma: no cover - defensive
            raise ValidationError(str(exc)) from exc
        returns = [(c.person, day) for c in crossings if c.person.side == Side.OURS]
        persons_returned.send(sender=Exchange, returns=returns, exchange=exchange, actor=actor)
        for person, returned_on in returns:
            person_returned.send(sender=Exchange, person=person, exchange=exchange, returned_on=returned_on,
                                 actor=actor)
        exchange_reconciled.send(sender=Exchange, exchange=exchange, report=report, actor=actor)
        record(actor, "exchange.reconcile", object_type="exchange", object_id=exchange.pk,
               details={**{k: len(v) for k, v in report["groups"].items()},
                        "withdrawn_elsewhere": [e.pk for e in plan.other_entries],
                        "exception_reason": exception_reason or None}, request=request)
    return report


def build_report(exchange: Exchange, entries: list[ListEntry], crossings: list[Crossing],
                 missing_before: dict[int, str]) -> dict[str, Any]:
    def person_row(p: Person, entry: ListEntry | None) -> dict:
        return {"person": p.pk, "reference": p.reference, "name": p.full_name, "side": p.side,
                "category": entry.category_id if entry else None,
                "list": entry.direction if entry else None}

    crossed = {c.person_id for c in crossings}
    entry_of = {e.person_id: e for e in entries}
    groups: dict[str, list[dict]] = {"returned_as_listed": [], "listed_not_returned": [],
                                     "returned_unlisted": [], "handed_over": [], "not_handed_over": [],
                                     "handed_over_unlisted": [], "considered_missing": []}
    for e in entries:
        ours = e.direction == Direction.RECEIVE
        if e.person_id in crossed:
            groups["returned_as_listed" if ours else "handed_over"].append(person_row(e.person, e))
        else:
            groups["listed_not_returned" if ours else "not_handed_over"].append(person_row(e.person, e))
    for c in crossings:
        if c.person_id not in entry_of:
            groups["returned_unlisted" if c.person.side == Side.OURS else "handed_over_unlisted"].append(
                person_row(c.person, None))
        if c.person_id in missing_before:
            groups["considered_missing"].append({**person_row(c.person, entry_of.get(c.person_id)),
                                                 "missing": missing_before[c.person_id]})
    for rows in groups.values():
        rows.sort(key=lambda r: (r["name"], r["person"]))
    return {"exchange": exchange.pk, "carried_out_on": exchange.carried_out_on.isoformat(), "groups": groups}


# --- the communiqué -----------------------------------------------------------------------------------

def communique_texts(exchange: Exchange) -> dict[str, str]:
    """The generated communiqué in both languages, and the fingerprint a publisher confirms."""
    from homecoming.common.confirm import fingerprint

    from .communique import communique_text

    texts = {"uk": communique_text(exchange, "uk"), "en": communique_text(exchange, "en")}
    return {**texts, "fingerprint": fingerprint(texts)}


@transaction.atomic
def publish_communique(actor, exchange_id: int, *, confirm: str | None = None, request=None) -> Communique:
    """Freeze the generated communiqué of a reconciled stage in both languages. ``confirm``: the
    fingerprint of the texts the publisher read; when given, other texts are refused."""
    from homecoming.common.confirm import check

    _require(actor, RECONCILE)
    exchange = Exchange.objects.select_for_update().select_related("agreement").get(pk=exchange_id)
    if exchange.status != ExchangeStatus.RECONCILED:
        raise ValidationError(_("A communiqué is published once the stage is reconciled."))
    if Communique.objects.filter(exchange=exchange).exists():
        raise ValidationError(_("The communiqué of this stage is already published."))
    texts = communique_texts(exchange)
    if confirm is not None:
        check(confirm, texts["fingerprint"])
    item = Communique.objects.create(exchange=exchange, text_uk=texts["uk"], text_en=texts["en"],
                                     published_by=_user(actor))
    record(actor, "exchange.communique_publish", object_type="exchange", object_id=exchange.pk,
           details={"communique": item.pk}, request=request)
    return item


# --- merges in the register ----------------------------------------------------------------------------

def follow_merge(merge, survivor, duplicate) -> int:
    """Re-point entries and crossings of a merged-away record to the survivor, remembering which,
    for :func:`follow_merge_undo`. Refuses (rolling the merge back) when both records are on one
    stage, and when an open entry would hold a survivor the register does not hold as listed
    (one of them is home, or dead): a list must never name someone twice or someone it cannot hold."""
    from .models import MergeFollow

    both = (set(ListEntry.objects.filter(person=survivor).values_list("exchange_id", flat=True))
            & set(ListEntry.objects.filter(person=duplicate).values_list("exchange_id", flat=True))) | (
        set(Crossing.objects.filter(person=survivor).values_list("exchange_id", flat=True))
        & set(Crossing.objects.filter(person=duplicate).values_list("exchange_id", flat=True)))
    if both:
        raise ValidationError(_("Both records are on the lists of the same stage: withdraw one entry first."))
    open_entries = ListEntry.objects.filter(person__in=[survivor, duplicate], state__in=selectors.ACTIVE_STATES) \
        .exclude(exchange__status=ExchangeStatus.RECONCILED)
    if open_entries.exists() and survivor.current_status != Status.ON_EXCHANGE_LIST:
        raise ValidationError(_("One record is on an exchange list while the merged history says “%(status)s”: "
                                "withdraw the entry first, then merge.")
                              % {"status": survivor.get_current_status_display() or "—"})
    moved: dict[str, list[int]] = {}
    for key, model in (("entries", ListEntry), ("crossings", Crossing)):
        taken = set(model.objects.filter(person=survivor).values_list("exchange_id", flat=True))
        ids = list(model.objects.filter(person=duplicate).exclude(exchange_id__in=taken).values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).update(person=survivor)
        moved[key] = ids
    MergeFollow.objects.update_or_create(merge_id=merge.pk, defaults=moved)
    return len(moved["entries"]) + len(moved["crossings"])


def follow_merge_undo(merge, survivor, duplicate) -> int:
    from .models import MergeFollow

    follow = MergeFollow.objects.filter(merge_id=merge.pk).first()
    if follow is None:
        return 0
    n = ListEntry.objects.filter(pk__in=follow.entries, person=survivor).update(person=duplicate)
    n += Crossing.objects.filter(pk__in=follow.crossings, person=survivor).update(person=duplicate)
    follow.delete()
    return n
