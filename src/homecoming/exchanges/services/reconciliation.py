"""The day of the exchange: crossings recorded, the reconciliation that gives every listed
person an outcome, the report and the communiqué published from it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.collation import sort_key
from homecoming.registry import services as registry_services
from homecoming.registry.models import Person, Side, Source, SourceKind, Status
from homecoming.registry.services import MANAGED_BY_EXCHANGES as MANAGED
from homecoming.registry.services import NewEvent

from .. import selectors
from ..models import (
    Communique,
    CounterRow,
    Crossing,
    Direction,
    EntryEvent,
    EntryState,
    Exchange,
    ExchangeStatus,
    ListEntry,
)
from ..signals import exchange_reconciled, person_returned, persons_returned
from .common import CHANGE_EXCHANGE, RECONCILE, _require, _user
from .entries import _entry_event


class AlreadyReconciled(ValidationError):
    """The exchange was reconciled already (perhaps a moment ago, by someone else)."""


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


def _lock_carried_out(exchange_id: int) -> Exchange:
    """The stage, locked; refused unless it is carried out and not yet reconciled."""
    exchange = Exchange.objects.select_for_update().select_related("agreement").get(pk=exchange_id)
    if exchange.status == ExchangeStatus.RECONCILED:
        raise AlreadyReconciled(_("This stage was already reconciled (%(when)s); nothing was changed.")
                                % {"when": timezone.localtime(exchange.reconciled_at).strftime("%Y-%m-%d %H:%M")})
    if exchange.status != ExchangeStatus.CARRIED_OUT:
        raise ValidationError(_("Only a carried-out stage can be reconciled (status now “%(status)s”).")
                              % {"status": ExchangeStatus(exchange.status).label})
    return exchange


def _close_entries(entries: list[ListEntry], plan, label: str, actor) -> None:
    """Every entry of the stage to its outcome (returned / not delivered), a returnee's entries on
    other stages withdrawn, one entry event per move."""
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
        exchange = _lock_carried_out(exchange_id)
        plan = selectors.reconcile_plan(exchange)
        if confirm is not None:
            check(confirm, plan.fingerprint)
        exception_reason = (exception_reason or "").strip() or next(
            (x["reason"] for x in exchange.exceptions if x.get("kind") == "before_listing"), "")
        day = exchange.carried_out_on
        crossings = list(exchange.crossings.select_related("person"))
        entries = list(exchange.entries.exclude(state=EntryState.WITHDRAWN).select_related("person"))
        label = exchange.source_label
        source = Source.objects.create(kind=SourceKind.EXCHANGE_RECORD, created_by=_user(actor),
                                       reference=f"{label}, {day.isoformat()}")
        missing_before = selectors.persons_missing_until(
            [c.person_id for c in crossings if c.person.side == Side.OURS], day)
        now = timezone.now()
        _close_entries(entries, plan, label, actor)
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
        rows.sort(key=lambda r: (sort_key(r["name"]), r["person"]))
    return {"exchange": exchange.pk, "carried_out_on": exchange.carried_out_on.isoformat(), "groups": groups}


def communique_texts(exchange: Exchange) -> dict[str, str]:
    """The generated communiqué in both languages, and the fingerprint a publisher confirms."""
    from homecoming.common.confirm import fingerprint

    from ..communique import communique_text

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
