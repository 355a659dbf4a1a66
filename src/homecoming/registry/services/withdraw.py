"""Taking back what a review decision wrote a moment ago, before anything used it.

A reviewer who confirms the wrong person, or creates a person from a row that was somebody
already, undoes the decision (``intake.services.undo_decision``). The register then holds exactly
what it held before the decision: the status event the decision wrote (and the person it created)
are removed, not corrected, so the person's history does not carry a mistake that lived for a
minute. That is allowed only while nothing has been built on it:

* no later status event of the person (another list confirmed, a listing on an exchange, a
  return): the event is no longer the last word, later steps read it;
* no record of any app pointing at the event or the person (found through the models' relations,
  so an app added later is covered without being named here: an exchange entry, an inquiry, a
  case, a payment);
* no app refuses through :data:`status_event_withdrawing` (the families app refuses once a family
  was sent a message after the event).

Otherwise the undo is refused with what used it, and the register is corrected the usual way (a
correcting status event, a merge). The audit log keeps what was removed, field by field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from homecoming.audit.services import record

from .. import status_counts
from ..models import Person, PersonNameKey, Source, StatusEvent
from .fields import ALL_FIELDS, _as_text, _require
from .history import refresh_current_status

#: sent inside the transaction before an event is withdrawn (kwargs: person, event); raise a
#: ValidationError to refuse (the message names what used the event)
status_event_withdrawing = Signal()


class StillInUse(ValidationError):
    """What a decision wrote has been used by a later step: nothing was changed."""


def _used_by(obj, ignore: dict[type, set[int]]) -> list[str]:
    """The names of the kinds of records pointing at ``obj``, leaving out the records in ``ignore``
    (model -> primary keys): those the caller is about to take back with it."""
    found = []
    for rel in obj._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.is_relation) or rel.many_to_many:
            continue
        model = rel.related_model
        rows = model._base_manager.filter(**{rel.field.name: obj.pk})
        if ignore.get(model):
            rows = rows.exclude(pk__in=ignore[model])
        if rows.exists():
            name = str(model._meta.verbose_name)
            if name not in found:
                found.append(name)
    return found


def _later_event(person: Person, event: StatusEvent) -> StatusEvent | None:
    return person.status_events.filter(pk__gt=event.pk).select_related("source").order_by("pk").first()


def _refuse_later(person: Person, later: StatusEvent) -> None:
    raise StillInUse(_("%(ref)s has a later status event, “%(status)s” of %(date)s (%(source)s): the decision "
                       "has been used and cannot be undone; correct the register instead.")
                     % {"ref": person.reference, "status": later.get_status_display(),
                        "date": later.effective_date.isoformat(), "source": later.source.reference or
                        later.source.get_kind_display()})


def _refuse_used(person: Person, names: list[str]) -> None:
    raise StillInUse(_("%(ref)s is used since the decision (%(what)s): the decision cannot be undone; correct "
                       "the register instead.") % {"ref": person.reference, "what": ", ".join(names)})


def _event_details(event: StatusEvent) -> dict:
    return {"event": event.pk, "status": event.status, "effective_date": event.effective_date.isoformat(),
            "source_kind": event.source.kind, "source_reference": event.source.reference, "note": event.note}


def _drop_source(source_id: int) -> None:
    if not StatusEvent.objects.filter(source_id=source_id).exists():
        Source.objects.filter(pk=source_id).delete()


@transaction.atomic
def withdraw_status_event(actor, event_id: int, *, permission: str, ignore: dict | None = None,
                          request=None) -> dict:
    """Remove the status event ``event_id`` that a decision wrote, when nothing used it (see the
    module). ``ignore``: records pointing at the event that the caller takes back with it (the
    decision's own row). Returns what was removed, as the audit event holds it."""
    _require(actor, permission)
    event = StatusEvent.objects.select_related("source").get(pk=event_id)
    person = Person.objects.select_for_update().get(pk=event.person_id)
    if person.merged_into_id:
        raise StillInUse(_("%(ref)s has since been merged into %(other)s: the decision cannot be undone.")
                         % {"ref": person.reference, "other": person.merged_into.reference})
    later = _later_event(person, event)
    if later is not None:
        _refuse_later(person, later)
    used = _used_by(event, ignore or {})
    if used:
        _refuse_used(person, used)
    status_event_withdrawing.send(sender=StatusEvent, person=person, event=event)
    details = _event_details(event)
    counts = status_counts.events_removing([event])
    source_id = event.source_id
    event.delete()
    _drop_source(source_id)
    refresh_current_status(person)
    record(actor, "person.status_event_withdrawn", object_type="person", object_id=person.pk,
           details=details, request=request)
    status_counts.add(counts)  # after the audit event, as every writer (status_counts.py)
    return details


@transaction.atomic
def withdraw_new_person(actor, person_id: int, *, permission: str, ignore: dict | None = None,
                        request=None) -> dict:
    """Remove a person that a decision created a moment ago, with its first status event, when
    nothing used them: never edited, no other event, nothing of any app pointing at it."""
    _require(actor, permission)
    _require(actor, "registry.add_person")
    person = Person.objects.select_for_update().get(pk=person_id)
    if person.merged_into_id:
        raise StillInUse(_("%(ref)s has since been merged into %(other)s: the decision cannot be undone.")
                         % {"ref": person.reference, "other": person.merged_into.reference})
    events = list(person.status_events.select_related("source").order_by("pk"))
    if len(events) > 1:
        _refuse_later(person, events[1])
    if person.version != 1:
        raise StillInUse(_("%(ref)s has been edited since the decision: the decision cannot be undone; correct "
                           "the register instead.") % {"ref": person.reference})
    ignore = {**(ignore or {}), StatusEvent: {e.pk for e in events},
              PersonNameKey: set(PersonNameKey.objects.filter(person=person).values_list("pk", flat=True))}
    used = _used_by(person, ignore)
    for e in events:
        used += [n for n in _used_by(e, ignore) if n not in used]
    if used:
        _refuse_used(person, used)
    for e in events:
        status_event_withdrawing.send(sender=StatusEvent, person=person, event=e)
    details = {"reference": person.reference, "fields": {f: _as_text(person, f) for f in ALL_FIELDS
                                                         if _as_text(person, f)},
               "events": [_event_details(e) for e in events]}
    sources = {e.source_id for e in events}
    counts = status_counts.events_removing(events)
    PersonNameKey.objects.filter(person=person).delete()
    StatusEvent.objects.filter(person=person).delete()
    for source_id in sources:
        _drop_source(source_id)
    pk = person.pk
    person.delete()
    record(actor, "person.withdrawn", object_type="person", object_id=pk, details=details, request=request)
    status_counts.add(counts)  # after the audit event, as every writer (status_counts.py)
    return details
