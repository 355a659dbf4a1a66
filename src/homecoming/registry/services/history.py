"""Status events: the append-only history a person's status is derived from. Checked against
the status model (registry/lifecycle.py) before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record

from .. import lifecycle, status_counts
from ..limits import length_errors
from ..models import (
    STATUSES_BY_SIDE,
    Person,
    Side,
    Source,
    SourceKind,
    Status,
    StatusEvent,
)
from .fields import EARLIEST_INCIDENT, _require

# Sent inside the transaction of add_status_event, after the event is saved and the current status
# refreshed, so that other apps (families: notifications) can react; kwargs: person, event.
status_event_added = Signal()
# Sent ONCE inside the transaction of add_status_events_bulk (instead of status_event_added for each
# event), after the events are saved and the current statuses refreshed; kwargs: events (the new
# StatusEvents, in order), persons (person id -> Person with its refreshed current status).
# A receiver of status_event_added should receive this one too.
status_events_added = Signal()


def derive_status(events) -> tuple[str, dt.date | None, bool]:
    """(current status, since, was ever missing) from a person's events, by the status model of
    :mod:`homecoming.registry.lifecycle`. Shared by the services, the demo and the checks."""
    return tuple(lifecycle.derive(events))


def refresh_current_status(person: Person) -> None:
    status, since, was_missing = derive_status(person.status_events.all())
    Person.objects.filter(pk=person.pk).update(current_status=status, current_status_date=since,
                                               was_missing=was_missing)
    person.current_status, person.current_status_date, person.was_missing = status, since, was_missing


def _validate_event_values(person: Person, *, status: str, effective_date) -> dt.date:
    errors: dict[str, list[str]] = {}
    if status not in Status.values:
        errors["status"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Status.values)}]
    elif status not in STATUSES_BY_SIDE[person.side]:
        errors["status"] = [
            _("The status “%(status)s” makes no sense for %(side)s.")
            % {"status": Status(status).label, "side": Side(person.side).label}
        ]
    date = effective_date
    if not isinstance(date, dt.date):
        try:
            date = dt.date.fromisoformat(str(effective_date))
        except ValueError:
            errors["effective_date"] = [_("Enter a date as YYYY-MM-DD.")]
            date = None
    if date is not None:
        if date > timezone.localdate():
            errors["effective_date"] = [_("The date cannot be in the future.")]
        elif person.birth_date and date < person.birth_date:
            errors["effective_date"] = [_("The date is before the date of birth.")]
        elif date < EARLIEST_INCIDENT:
            errors["effective_date"] = [_("The date is before the war began (20 February 2014).")]
    if errors:
        raise ValidationError(errors)
    return date


class Contradiction(ValidationError):
    """The event contradicts the person's history; it can be recorded with a stated reason
    (``exception_reason``). ``problems`` says what it contradicts, in the reader's language."""

    def __init__(self, problems: list[str], *, field: str = "effective_date"):
        self.problems = problems
        super().__init__({field: [*problems, _("Check the date and the status, or give the reason to record it "
                                                "anyway.")]}, code="contradiction")


MANAGED_BY_EXCHANGES = "exchanges"
#: the death a confirmed identification of remains wrote: changed through the identification only
MANAGED_BY_REMAINS = "remains"


def _check_event_fits(person: Person, history: list[StatusEvent], *, status: str, date: dt.date, corrects,
                      ends, managed_by: str, exception_reason: str) -> None:
    """The rules of the status model at write time (lifecycle.py): an event that contradicts the
    history needs a reason; a listing is closed only by its exchange; while a person is on an
    exchange list, the register does not record an outcome past the list."""
    if managed_by != MANAGED_BY_EXCHANGES:
        if status == Status.ON_EXCHANGE_LIST:
            raise ValidationError({"status": [_("A person is put on an exchange list by the negotiator, on the "
                                                "stage's page.")]})
        corrected = next((e for e in history if e.pk == corrects), None)
        if corrected is not None and corrected.managed_by == MANAGED_BY_REMAINS and managed_by != MANAGED_BY_REMAINS:
            raise ValidationError({"corrects": [_("That event was written by the confirmed identification of "
                                                  "remains; a forensic expert and a registrar change it there.")]})
        if corrected is not None and corrected.managed_by and corrected.managed_by != managed_by:
            raise ValidationError({"corrects": [_("That event was written by an exchange stage; change it there "
                                                  "(withdraw the entry, or correct the crossing before the "
                                                  "reconciliation).")]})
        listings = lifecycle.open_listings(lifecycle.live_events(history))
        if listings and status not in lifecycle.LISTABLE:
            raise ValidationError({"status": [_("%(ref)s is on an exchange list: take them off the list first "
                                                "(withdraw the entry, with the reason), or record the outcome by "
                                                "reconciling the stage.") % {"ref": person.reference}]})
    if ends is not None:
        target = next((e for e in history if e.pk == ends), None)
        if target is None or target.status != Status.ON_EXCHANGE_LIST or lifecycle.is_closing(target):
            raise ValidationError({"ends": [_("That event is not a listing of this person.")]})
        if any(e.ends_id == ends for e in history if e.pk not in {c.corrects_id for c in history}):
            raise ValidationError({"ends": [_("That listing is closed already.")]})
    problems = []
    if ends is not None and date < target.effective_date:
        problems.append(_("The list was closed before the person was put on it (%(date)s).")
                        % {"date": target.effective_date.isoformat()})
    if ends is None or status in lifecycle.HOME:  # a closing alone changes no state: nothing to contradict
        problems += lifecycle.contradictions(person.side, history, status=status, effective_date=date,
                                             corrects=corrects, incident_date=person.incident_date)
    if problems and not (exception_reason or "").strip():
        raise Contradiction(problems)


@transaction.atomic
def add_status_event(actor, person_id: int, *, status: str, effective_date, source_kind: str = "",
                     source_reference: str = "", source: Source | None = None, note: str = "",
                     corrects: int | None = None, ends: int | None = None, exception_reason: str = "",
                     managed_by: str = "", permission: str = "registry.add_statusevent",
                     request=None) -> StatusEvent:
    """Append a status event. Another app that has checked its own permission (an exchange being
    reconciled) passes that permission name in ``permission`` and may share one ``source``; the
    exchanges app passes ``managed_by="exchanges"`` for the listings and their outcomes it keeps.

    Raises :class:`Contradiction` when the event contradicts the history (lifecycle.py) and no
    ``exception_reason`` is given."""
    _require(actor, permission)
    person = Person.objects.select_for_update().get(pk=person_id)
    if person.merged_into_id:
        raise ValidationError(_("This record was merged into %(ref)s; add the event there.")
                              % {"ref": person.merged_into.reference})
    date = _validate_event_values(person, status=status, effective_date=effective_date)
    errors: dict[str, list[str]] = {}
    if source is None:
        if source_kind not in SourceKind.values:
            errors["source_kind"] = [_("Choose the kind of source.")]
        elif source_kind == SourceKind.IDENTIFIED_REMAINS and managed_by != MANAGED_BY_REMAINS:
            errors["source_kind"] = [_("A death known from identified remains is recorded by confirming the "
                                       "identification.")]
        if too_long := length_errors(Source, {"reference": source_reference or ""}):
            errors["source_reference"] = too_long["reference"]
    exception_reason = (exception_reason or "").strip()
    errors.update(length_errors(StatusEvent, {"exception_reason": exception_reason}))
    corrected = None
    if corrects not in (None, ""):
        corrected = StatusEvent.objects.filter(pk=corrects, person=person).first()
        if corrected is None:
            errors["corrects"] = [_("That event is not in this person's history.")]
        elif corrected.corrections.exists():
            errors["corrects"] = [_("That event has already been corrected.")]
    if errors:
        raise ValidationError(errors)
    history = list(person.status_events.all())
    _check_event_fits(person, history, status=status, date=date, corrects=corrected.pk if corrected else None,
                      ends=ends, managed_by=managed_by, exception_reason=exception_reason)
    user = actor if getattr(actor, "is_authenticated", False) else None
    if source is None:
        source = Source.objects.create(kind=source_kind, reference=(source_reference or "").strip(),
                                       created_by=user)
    event = StatusEvent.objects.create(person=person, status=status, effective_date=date, source=source,
                                       note=(note or "").strip(), corrects=corrected, ends_id=ends,
                                       managed_by=managed_by, exception_reason=exception_reason, author=user)
    refresh_current_status(person)
    if managed_by != MANAGED_BY_REMAINS and person.current_status != Status.DECEASED and hasattr(
            person, "identifications") and person.identifications.filter(state="confirmed").exists():
        # remains (named here, not imported: the app is above the register) hold this person dead
        raise ValidationError(_("Remains were identified as this person: the register says deceased until a "
                                "forensic expert and a registrar reverse the identification."))
    record(actor, "person.status_event", object_type="person", object_id=person.pk,
           details={"event": event.pk, "status": status, "effective_date": date.isoformat(),
                    "source": source.kind, "corrects": corrected.pk if corrected else None,
                    "ends": ends, "exception_reason": exception_reason or None},
           request=request)
    status_counts.events_added([event], {person.pk: person.side})  # after the audit event (order of locks)
    status_event_added.send(sender=StatusEvent, person=person, event=event)
    return event


@dataclass(frozen=True)
class NewEvent:
    """One event of :func:`add_status_events_bulk`."""

    person_id: int
    status: str
    effective_date: dt.date
    ends: int | None = None
    note: str = ""


@transaction.atomic
def add_status_events_bulk(actor, items, *, source: Source, permission: str, note: str = "",
                           managed_by: str = "", exception_reason: str = "", request=None) -> list[StatusEvent]:
    """Append one status event to each of many persons at once (an exchange being reconciled, a list
    being drawn up). ``items``: :class:`NewEvent` or (person_id, status, effective_date) triples.
    The same checks as :func:`add_status_event` (merged records, statuses per side, dates, the status
    model; ``exception_reason`` answers every contradiction), all or nothing; the current status
    of every person is refreshed; ONE audit event names every event; ``status_events_added`` is
    sent once with every event. Added for the exchanges app (reconciling 1,000 returnees in seconds)."""
    _require(actor, permission)
    items = [i if isinstance(i, NewEvent) else NewEvent(*i) for i in items]
    ids = [i.person_id for i in items]
    persons = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=ids)}
    history: dict[int, list[StatusEvent]] = {pid: [] for pid in persons}
    for event in StatusEvent.objects.filter(person_id__in=list(persons)):
        history[event.person_id].append(event)
    problems: list[str] = []
    rows = []
    for item in items:
        person = persons.get(item.person_id)
        if person is None:
            problems.append(_("Person %(id)s is not in the register.") % {"id": item.person_id})
            continue
        if person.merged_into_id:
            problems.append(_("%(ref)s was merged into another record; add the event there.")
                            % {"ref": person.reference})
            continue
        try:
            date = _validate_event_values(person, status=item.status, effective_date=item.effective_date)
            _check_event_fits(person, history[person.pk], status=item.status, date=date, corrects=None,
                              ends=item.ends, managed_by=managed_by, exception_reason=exception_reason)
        except ValidationError as exc:
            problems.append(f"{person.reference}: {' '.join(exc.messages)}")
            continue
        rows.append((person, item, date))
    if problems:
        raise ValidationError(problems)
    user = actor if getattr(actor, "is_authenticated", False) else None
    events = StatusEvent.objects.bulk_create(
        [StatusEvent(person=person, status=item.status, effective_date=date, source=source,
                     note=(item.note or note or "").strip(), ends_id=item.ends, managed_by=managed_by,
                     exception_reason=(exception_reason or "").strip(), author=user)
         for person, item, date in rows], batch_size=500)
    history = {pid: [] for pid in persons}
    for event in StatusEvent.objects.filter(person_id__in=list(persons)).only(
            "id", "person_id", "status", "effective_date", "corrects_id", "ends_id"):
        history[event.person_id].append(event)
    groups: dict[tuple, list[int]] = {}
    for pid, person in persons.items():
        person.current_status, person.current_status_date, person.was_missing = derive_status(history[pid])
        groups.setdefault((person.current_status, person.current_status_date, person.was_missing), []).append(pid)
    for (status, since, was_missing), pids in groups.items():  # usually one or two groups: one UPDATE each
        for start in range(0, len(pids), 500):
            Person.objects.filter(pk__in=pids[start:start + 500]).update(
                current_status=status, current_status_date=since, was_missing=was_missing)
    record(actor, "person.status_events_bulk", object_type="source", object_id=source.pk,
           details={"source": source.kind, "events": [[e.person_id, e.pk, e.status, e.effective_date.isoformat()]
                                                      for e in events],
                    "exception_reason": exception_reason or None}, request=request)
    status_counts.events_added(events, {pid: p.side for pid, p in persons.items()})  # after the audit event
    status_events_added.send(sender=StatusEvent, events=events, persons=persons)
    return events
