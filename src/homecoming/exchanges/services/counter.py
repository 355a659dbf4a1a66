"""A person's decisions on the other side's counter-list (the rows linkage left to review), and
their undo.

``match_counter_list`` matches the rows that are certain; a doubtful row waits for a negotiator,
who reads its evidence beside each of our entries (the same table as the intake review) and
decides: this row is that entry (``accept``: the entry gets the row, and is confirmed by the other
side as an automatic match would confirm it) or it is none of ours (``reject``). Any decision can
be undone, by the negotiator who made it or by one who may reconcile the stage, until a later step
used it: the entry moved on since (contested, withdrawn, confirmed again), a crossing was recorded
for it, or the stage left the state in which its lists change. The undo then names that step and
changes nothing; otherwise the row and the entry are back as they were (the confirmation it wrote
is taken back, the audit log keeps it).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record

from ..models import CounterRow, Crossing, EntryEvent, EntryState, Exchange, ExchangeStatus, ListEntry
from ..signals import entries_changed
from .common import CHANGE_EXCHANGE, RECONCILE, _require, _user

COUNTER_ACTIONS = ("accept", "reject")
ACCEPTED, REJECTED = "accepted", "rejected"
#: stages whose counter-list decisions may still be made or undone
DECIDABLE = (ExchangeStatus.PLANNING, ExchangeStatus.LISTS_SENT, ExchangeStatus.LISTS_AGREED,
             ExchangeStatus.CARRIED_OUT)


class CounterRowChanged(ValidationError):
    """The row was decided or undone meanwhile (its version moved on): nothing was changed."""


def _locked(row_id: int, version) -> tuple[CounterRow, Exchange]:
    row = CounterRow.objects.select_for_update(of=("self",)).filter(pk=row_id).first()
    if row is None:
        raise ValidationError(_("No such row of the counter-list."))
    exchange = Exchange.objects.select_for_update().get(pk=row.exchange_id)
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValidationError(_("The row version is missing; reload the page.")) from None
    if row.version != version:
        raise CounterRowChanged(_("Row %(n)s of the counter-list changed since you looked at it (decided or undone "
                                  "by someone else). Nothing was changed.") % {"n": row.row_number})
    if exchange.status not in DECIDABLE:
        raise ValidationError(_("The lists of this stage can no longer be changed (status “%(status)s”).")
                              % {"status": ExchangeStatus(exchange.status).label})
    return row, exchange


@transaction.atomic
def decide_counter_row(actor, row_id: int, *, action: str, version, entry_id: int | None = None,
                       request=None) -> CounterRow:
    """Decide a row of the counter-list left to review (see the module)."""
    _require(actor, CHANGE_EXCHANGE)
    if action not in COUNTER_ACTIONS:
        raise ValidationError(_("Unknown decision."))
    row, exchange = _locked(row_id, version)
    if row.decision != "review" or row.state:
        raise ValidationError(_("Row %(n)s of the counter-list is not waiting for a decision.") % {"n": row.row_number})
    wrote: dict = {}
    if action == "accept":
        if entry_id not in {c["entry"] for c in row.candidates}:
            raise ValidationError(_("Choose one of the entries proposed for this row."))
        entry = ListEntry.objects.select_for_update().get(pk=entry_id)
        if CounterRow.objects.filter(exchange=exchange, entry=entry).exists():
            raise ValidationError(_("That entry is already matched to another row of the counter-list."))
        wrote["counter_row"] = entry.counter_row
        entry.counter_row = {"row": row.row_number, **row.data}
        entry.save(update_fields=["counter_row"])
        if exchange.status != ExchangeStatus.CARRIED_OUT and entry.state == EntryState.PROPOSED:
            entry.state = EntryState.CONFIRMED
            entry.save(update_fields=["state"])
            event = EntryEvent.objects.create(
                entry=entry, from_state=EntryState.PROPOSED, to_state=EntryState.CONFIRMED, actor=_user(actor),
                reason=(_("On the other side's counter-list (row %(n)s)") % {"n": row.row_number})[:300])
            wrote["event"] = event.pk
        row.entry = entry
        entries_changed.send(sender=ListEntry, person_ids=[entry.person_id])
    row.state, row.wrote = (ACCEPTED if action == "accept" else REJECTED), wrote
    row.decided_by, row.decided_at = _user(actor), timezone.now()
    row.version += 1
    row.save(update_fields=["state", "wrote", "entry", "decided_by", "decided_at", "version"])
    details = {"row": row.row_number, "counter_row": row.pk, "entry": row.entry_id, **wrote}
    if action == "accept":  # the codes spelt out: the audit viewer's test reads them (audit/sentences.py)
        record(actor, "exchange.counter_row_accept", object_type="exchange", object_id=exchange.pk,
               details=details, request=request)
    else:
        record(actor, "exchange.counter_row_reject", object_type="exchange", object_id=exchange.pk,
               details=details, request=request)
    return row


def may_undo_counter(actor, row: CounterRow) -> bool:
    user = _user(actor)
    return bool(actor.has_perm(CHANGE_EXCHANGE) and (
        (user is not None and row.decided_by_id == user.pk) or actor.has_perm(RECONCILE)))


def _used_since(row: CounterRow, entry: ListEntry) -> str | None:
    """The later step that used the match, in words; None when nothing did."""
    mine = row.wrote.get("event")
    later = EntryEvent.objects.filter(entry=entry, at__gte=row.decided_at).exclude(pk=mine).order_by("at").first()
    if later is not None:
        return _("the entry of %(ref)s was set to “%(state)s” since") % {
            "ref": entry.person.reference, "state": EntryState(later.to_state).label}
    if Crossing.objects.filter(entry=entry).exists():
        return _("%(ref)s was recorded as having crossed") % {"ref": entry.person.reference}
    return None


@transaction.atomic
def undo_counter_decision(actor, row_id: int, *, version, request=None) -> CounterRow:
    """Undo a decision on a row of the counter-list (see the module)."""
    _require(actor, CHANGE_EXCHANGE)
    row, exchange = _locked(row_id, version)
    if not row.state:
        raise ValidationError(_("Row %(n)s of the counter-list is not decided: there is nothing to undo.")
                              % {"n": row.row_number})
    if not may_undo_counter(actor, row):
        raise PermissionDenied(_("Only the negotiator who decided this row, or one who may reconcile the stage, may "
                                 "undo the decision."))
    undone = {"row": row.row_number, "counter_row": row.pk, "state": row.state, "entry": row.entry_id,
              "decided_by": row.decided_by_id, **row.wrote}
    if row.state == ACCEPTED and row.entry_id:
        entry = ListEntry.objects.select_for_update().select_related("person").get(pk=row.entry_id)
        used = _used_since(row, entry)
        if used:
            raise ValidationError(_("Row %(n)s: %(step)s; the decision has been used and cannot be undone. Nothing "
                                    "was changed.") % {"n": row.row_number, "step": used})
        if row.wrote.get("event"):
            EntryEvent.objects.filter(pk=row.wrote["event"]).delete()
            entry.state = EntryState.PROPOSED
        entry.counter_row = row.wrote.get("counter_row")
        entry.save(update_fields=["state", "counter_row"])
        entries_changed.send(sender=ListEntry, person_ids=[entry.person_id])
    row.state, row.wrote, row.entry, row.decided_by, row.decided_at = "", {}, None, None, None
    row.version += 1
    row.save(update_fields=["state", "wrote", "entry", "decided_by", "decided_at", "version"])
    record(actor, "exchange.counter_row_undo", object_type="exchange", object_id=exchange.pk, details=undone,
           request=request)
    return row
