"""Every write to the register. Each function runs in one transaction, checks the actor's
permission, writes the audit event and keeps the derived columns (current status, search keys)
right. Views, the API, commands and other apps call these; nothing else saves a register model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.text import name_problem, sentence, text_problem

from . import lifecycle
from .keys import name_keys
from .models import (
    STATUSES_BY_SIDE,
    AlternativeName,
    Branch,
    DatePrecision,
    Direction,
    FieldChange,
    Kind,
    MedicalCategory,
    Merge,
    Operation,
    Person,
    PersonNameKey,
    Rank,
    RankCategory,
    Script,
    Sex,
    Side,
    Source,
    SourceKind,
    Status,
    StatusEvent,
)

# Sent after a merge and after its undo, so that other apps can re-point their own rows.
person_merged = Signal()  # kwargs: merge, survivor, duplicate
person_merge_undone = Signal()  # kwargs: merge, survivor, duplicate
# Sent inside the transaction of add_status_event, after the event is saved and the current status
# refreshed, so that other apps (families: notifications) can react; kwargs: person, event.
status_event_added = Signal()
# Sent ONCE inside the transaction of add_status_events_bulk (instead of status_event_added for each
# event), after the events are saved and the current statuses refreshed; kwargs: events (the new
# StatusEvents, in order), persons (person id -> Person with its refreshed current status).
# A receiver of status_event_added should receive this one too.
status_events_added = Signal()

EARLIEST_INCIDENT = dt.date(2014, 2, 20)
EARLIEST_BIRTH = dt.date(1900, 1, 1)

GENERAL_FIELDS = (
    "side", "kind", "last_name", "first_name", "patronymic", "sex", "birth_date", "birth_date_precision",
    "service_number", "tax_number", "documents", "branch", "unit", "rank", "rank_category",
    "incident_date", "incident_place", "direction", "operation",
)
MEDICAL_CATEGORY_FIELDS = ("medical_category",)
MEDICAL_NOTES_FIELDS = ("medical_notes",)
CONTACT_FIELDS = ("family_contacts",)
ALL_FIELDS = GENERAL_FIELDS + MEDICAL_CATEGORY_FIELDS + MEDICAL_NOTES_FIELDS + CONTACT_FIELDS
FK_MODELS = {"branch": Branch, "rank": Rank, "direction": Direction, "operation": Operation}
CHOICES = {
    "side": Side, "kind": Kind, "sex": Sex, "birth_date_precision": DatePrecision,
    "rank_category": RankCategory, "medical_category": MedicalCategory,
}
DATE_FIELDS = ("birth_date", "incident_date")
REQUIRED = ("last_name", "first_name")
NAME_FIELDS = ("last_name", "first_name", "patronymic")


class StaleVersion(Exception):
    """The record changed since the editor loaded it: nothing was saved."""

    def __init__(self, person: Person):
        self.person = person
        self.current_version = person.version
        super().__init__(
            _("This record was changed by someone else while you were editing it (it is now at version "
              "%(version)s). Nothing was saved: reload the record, check the changes and edit again.")
            % {"version": person.version}
        )


def _require(actor, *perms: str) -> None:
    for perm in perms:
        if actor is None or not actor.has_perm(perm):
            raise PermissionDenied(_("You do not have the permission to do this."))


def editable_fields(actor) -> tuple[str, ...]:
    """The person fields this actor may set."""
    fields: list[str] = []
    if actor is not None and actor.has_perm("registry.change_person"):
        fields += GENERAL_FIELDS + MEDICAL_CATEGORY_FIELDS
        if actor.has_perm("registry.view_contacts"):
            fields += CONTACT_FIELDS
    if actor is not None and actor.has_perm("registry.change_medical"):
        fields += [f for f in MEDICAL_CATEGORY_FIELDS if f not in fields]
        if actor.has_perm("registry.view_medical"):
            fields += MEDICAL_NOTES_FIELDS
    return tuple(fields)


def creatable_fields(actor) -> tuple[str, ...]:
    fields = list(GENERAL_FIELDS + MEDICAL_CATEGORY_FIELDS)
    if actor.has_perm("registry.view_contacts"):
        fields += CONTACT_FIELDS
    if actor.has_perm("registry.view_medical") and actor.has_perm("registry.change_medical"):
        fields += MEDICAL_NOTES_FIELDS
    return tuple(fields)


# --- validation ---------------------------------------------------------------------------

def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    """Turn plain values (strings, ids, codes) into model values, collecting clear errors."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for field, value in values.items():
        if field not in ALL_FIELDS:
            errors.setdefault(field, []).append(_("Unknown field."))
            continue
        if field in FK_MODELS:
            model = FK_MODELS[field]
            if value in (None, ""):
                out[field] = None
            elif isinstance(value, model):
                out[field] = value
            else:
                obj = None
                if isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit()):
                    obj = model.objects.filter(pk=int(value)).first()
                if obj is None and isinstance(value, str):
                    obj = model.objects.filter(code=value).first()
                if obj is None:
                    errors.setdefault(field, []).append(_("Unknown value %(value)r.") % {"value": value})
                out[field] = obj
        elif field in DATE_FIELDS:
            if value in (None, ""):
                out[field] = None
            elif isinstance(value, dt.date):
                out[field] = value
            else:
                try:
                    out[field] = dt.date.fromisoformat(str(value))
                except ValueError:
                    errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
        elif field in CHOICES:
            value = "" if value is None else str(value)
            if value == "" and field == "rank_category":
                out[field] = ""
            elif value not in CHOICES[field].values:
                errors.setdefault(field, []).append(
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(CHOICES[field].values)}
                )
            else:
                out[field] = value
        else:
            out[field] = "" if value is None else str(value).strip()
    if errors:
        raise ValidationError(errors)
    return out


def _validate(person: Person) -> None:
    """Rules over the whole record, after the changes are applied (not saved yet)."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    for field in REQUIRED:
        if not getattr(person, field):
            errors.setdefault(field, []).append(_("This field is required."))
    for field in GENERAL_FIELDS + MEDICAL_NOTES_FIELDS + CONTACT_FIELDS:
        f = Person._meta.get_field(field)
        value = getattr(person, f.attname)
        if getattr(f, "max_length", None) and isinstance(value, str) and len(value) > f.max_length:
            errors.setdefault(field, []).append(
                _("At most %(n)s characters.") % {"n": f.max_length})
        elif isinstance(value, str) and not f.choices and not f.is_relation:
            problem = name_problem(value) if field in NAME_FIELDS else text_problem(
                value, multiline=f.get_internal_type() == "TextField")
            if problem:
                errors.setdefault(field, []).append(sentence(problem))
    if person.birth_date:
        if person.birth_date > today:
            errors.setdefault("birth_date", []).append(_("The date of birth cannot be in the future."))
        elif person.birth_date < EARLIEST_BIRTH:
            errors.setdefault("birth_date", []).append(_("The date of birth is before 1900."))
        if person.birth_date_precision == DatePrecision.MONTH:
            person.birth_date = person.birth_date.replace(day=1)
        elif person.birth_date_precision == DatePrecision.YEAR:
            person.birth_date = person.birth_date.replace(month=1, day=1)
    if person.incident_date:
        if person.incident_date > today:
            errors.setdefault("incident_date", []).append(_("The date cannot be in the future."))
        elif person.incident_date < EARLIEST_INCIDENT:
            errors.setdefault("incident_date", []).append(_("The date is before the war began (20 February 2014)."))
        elif person.birth_date and person.incident_date < person.birth_date:
            errors.setdefault("incident_date", []).append(_("The date is before the date of birth."))
    if person.tax_number and not (person.tax_number.isascii() and person.tax_number.isdigit()
                                  and len(person.tax_number) == 10):
        errors.setdefault("tax_number", []).append(_("A tax number has exactly 10 digits."))
    if person.rank_id and person.rank_category and person.rank.category != person.rank_category:
        errors.setdefault("rank_category", []).append(
            _("The rank %(rank)s belongs to the category %(category)s.")
            % {"rank": person.rank.name, "category": RankCategory(person.rank.category).label}
        )
    if person.rank_id and not person.rank_category:
        person.rank_category = person.rank.category
    if person.pk:
        bad = [
            s for s in person.status_events.values_list("status", flat=True).distinct()
            if s not in STATUSES_BY_SIDE[person.side]
        ]
        if bad:
            errors.setdefault("side", []).append(
                _("The status history holds statuses that make no sense for this side (%(statuses)s).")
                % {"statuses": ", ".join(str(Status(s).label) for s in bad)}
            )
    if errors:
        raise ValidationError(errors)


def _as_text(person: Person, field: str) -> str:
    value = getattr(person, field)
    if value is None:
        return ""
    if field in FK_MODELS:
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- derived columns ------------------------------------------------------------------------

def rebuild_name_keys(person: Person) -> None:
    parts = [person.last_name, person.first_name, person.patronymic]
    for alt in person.alternative_names.all():
        parts += [alt.last_name, alt.first_name, alt.patronymic]
    wanted = name_keys(parts)
    PersonNameKey.objects.filter(person=person).exclude(key__in=wanted).delete()
    have = set(PersonNameKey.objects.filter(person=person).values_list("key", flat=True))
    PersonNameKey.objects.bulk_create([PersonNameKey(person=person, key=k) for k in sorted(wanted - have)])


def derive_status(events) -> tuple[str, dt.date | None, bool]:
    """(current status, since, was ever missing) from a person's events, by the status model of
    :mod:`homecoming.registry.lifecycle`. Shared by the services, the demo and the checks."""
    return tuple(lifecycle.derive(events))


def refresh_current_status(person: Person) -> None:
    status, since, was_missing = derive_status(person.status_events.all())
    Person.objects.filter(pk=person.pk).update(current_status=status, current_status_date=since,
                                               was_missing=was_missing)
    person.current_status, person.current_status_date, person.was_missing = status, since, was_missing


# --- create and edit ------------------------------------------------------------------------

@transaction.atomic
def create_person(actor, data: dict[str, Any], *, initial_event: dict[str, Any] | None = None,
                  request=None) -> Person:
    """Create a person from plain values (see ``creatable_fields``); optionally with the first
    status event (``initial_event``: the keyword arguments of :func:`add_status_event`)."""
    _require(actor, "registry.add_person")
    allowed = creatable_fields(actor)
    forbidden = sorted(set(data) - set(allowed))
    if forbidden:
        raise PermissionDenied(_("You may not set: %(fields)s.") % {"fields": ", ".join(forbidden)})
    person = Person(created_by=actor if getattr(actor, "is_authenticated", False) else None)
    for field, value in _coerce(data).items():
        setattr(person, field, value)
    _validate(person)
    if initial_event is not None:
        _validate_event_values(person, **{k: v for k, v in initial_event.items()
                                          if k in ("status", "effective_date")})
    person.save()
    rebuild_name_keys(person)
    record(actor, "person.create", object_type="person", object_id=person.pk,
           details={"reference": person.reference}, request=request)
    if initial_event is not None:
        add_status_event(actor, person.pk, request=request, **initial_event)
        person.refresh_from_db()
    return person


@transaction.atomic
def update_person(actor, person_id: int, *, version: int, changes: dict[str, Any], request=None,
                  reason: str = "edit") -> Person:
    """Apply ``changes`` (field -> plain value) if the record is still at ``version``.

    Raises :class:`StaleVersion` (nothing saved) when someone else saved in between,
    ``PermissionDenied`` for a field the actor may not change, ``ValidationError`` for bad values.
    """
    allowed = editable_fields(actor)
    if not allowed:
        raise PermissionDenied(_("You do not have the permission to do this."))
    forbidden = sorted(set(changes) - set(allowed))
    if forbidden:
        raise PermissionDenied(_("You may not change: %(fields)s.") % {"fields": ", ".join(forbidden)})
    person = Person.objects.select_for_update().get(pk=person_id)
    if person.merged_into_id:
        raise ValidationError(_("This record was merged into %(ref)s; edit that one.")
                              % {"ref": person.merged_into.reference})
    try:
        version = int(version)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"version": [_("The version must be a whole number.")]}) from exc
    if person.version != version:
        raise StaleVersion(person)
    coerced = _coerce(changes)
    before = {f: _as_text(person, f) for f in ALL_FIELDS}
    for field, value in coerced.items():
        setattr(person, field, value)
    _validate(person)
    changed = [f for f in ALL_FIELDS if _as_text(person, f) != before[f]]
    if not changed:
        return person
    new_version = person.version + 1
    updated = Person.objects.filter(pk=person.pk, version=version).update(
        version=new_version, updated_at=timezone.now(),
        **{Person._meta.get_field(f).attname: getattr(person, Person._meta.get_field(f).attname) for f in changed},
    )
    if updated != 1:  # cannot happen under the row lock, but never overwrite silently
        raise StaleVersion(Person.objects.get(pk=person.pk))
    person.version = new_version
    user = actor if getattr(actor, "is_authenticated", False) else None
    FieldChange.objects.bulk_create([
        FieldChange(person=person, field=f, old_value=before[f], new_value=_as_text(person, f),
                    version=new_version, reason=reason, changed_by=user)
        for f in changed
    ])
    if {"last_name", "first_name", "patronymic"} & set(changed):
        rebuild_name_keys(person)
    record(actor, "person.update", object_type="person", object_id=person.pk,
           details={"fields": changed, "version": new_version}, request=request)
    return person


# --- status history -------------------------------------------------------------------------

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
        if corrected is not None and corrected.managed_by:
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
        if len(source_reference or "") > Source._meta.get_field("reference").max_length:
            errors["source_reference"] = [_("At most %(n)s characters.") % {"n": 300}]
    exception_reason = (exception_reason or "").strip()
    if len(exception_reason) > 300:
        errors["exception_reason"] = [_("At most %(n)s characters.") % {"n": 300}]
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
    record(actor, "person.status_event", object_type="person", object_id=person.pk,
           details={"event": event.pk, "status": status, "effective_date": date.isoformat(),
                    "source": source.kind, "corrects": corrected.pk if corrected else None,
                    "ends": ends, "exception_reason": exception_reason or None},
           request=request)
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
    status_events_added.send(sender=StatusEvent, events=events, persons=persons)
    return events


# --- names ------------------------------------------------------------------------------

@transaction.atomic
def add_alternative_name(actor, person_id: int, *, last_name: str = "", first_name: str = "",
                         patronymic: str = "", script: str = "", source: str = "", request=None) -> AlternativeName:
    _require(actor, "registry.change_person")
    person = Person.objects.select_for_update().get(pk=person_id)
    errors: dict[str, list[str]] = {}
    values = {"last_name": (last_name or "").strip(), "first_name": (first_name or "").strip(),
              "patronymic": (patronymic or "").strip()}
    if not any(values.values()):
        errors["last_name"] = [_("Give at least one part of the name.")]
    for field, value in values.items():
        if len(value) > 100:
            errors.setdefault(field, []).append(_("At most %(n)s characters.") % {"n": 100})
        elif name_problem(value):
            errors.setdefault(field, []).append(sentence(name_problem(value)))
    if text_problem(source or ""):
        errors.setdefault("source", []).append(sentence(text_problem(source)))
    if script not in Script.values:
        errors["script"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Script.values)}]
    if len(source or "") > 200:
        errors["source"] = [_("At most %(n)s characters.") % {"n": 200}]
    if person.merged_into_id:
        errors.setdefault("__all__", []).append(
            _("This record was merged; add the name to the record it was merged into."))
    if errors:
        raise ValidationError(errors)
    alt = AlternativeName.objects.create(
        person=person, script=script, source=(source or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None, **values,
    )
    rebuild_name_keys(person)
    record(actor, "person.alternative_name", object_type="person", object_id=person.pk,
           details={"alternative_name": alt.pk, "script": script}, request=request)
    return alt


# --- merge ------------------------------------------------------------------------------

MERGE_FILL_FIELDS = tuple(f for f in ALL_FIELDS if f not in ("side", "last_name", "first_name"))
NAME_FIELDS = ("last_name", "first_name", "patronymic")
#: names.name_language -> the script an alternative name is labelled with
SCRIPT_OF_LANGUAGE = {"uk": Script.UKRAINIAN, "ru": Script.RUSSIAN, "latin": Script.LATIN}


def _empty(person: Person, field: str) -> bool:
    value = getattr(person, Person._meta.get_field(field).attname)
    return value in (None, "") or (field == "medical_category" and value == MedicalCategory.NONE) or (
        field in ("sex",) and value == Sex.UNKNOWN)


def merge_conflicts(survivor: Person, duplicate: Person) -> list[str]:
    """The fields where both records hold a value and the values differ: a person chooses which
    one the kept record holds (the name counts as one field, ``name``)."""
    out = []
    if (survivor.last_name, survivor.first_name) != (duplicate.last_name, duplicate.first_name) or (
            survivor.patronymic and duplicate.patronymic and survivor.patronymic != duplicate.patronymic):
        out.append("name")  # an empty patronymic is filled like any empty field
    out += [f for f in MERGE_FILL_FIELDS if f not in NAME_FIELDS and not _empty(survivor, f)
            and not _empty(duplicate, f) and _as_text(survivor, f) != _as_text(duplicate, f)]
    return out


def merge_fingerprint(survivor: Person, duplicate: Person) -> str:
    """What the person who merges saw: both records at their versions (common.confirm)."""
    from homecoming.common.confirm import fingerprint

    return fingerprint([(p.pk, p.version, p.merged_into_id, sorted(
        p.status_events.values_list("pk", flat=True))) for p in (survivor, duplicate)])


def _name_script(last: str, first: str, patronymic: str) -> str:
    from homecoming.names.language import name_language

    return SCRIPT_OF_LANGUAGE.get(name_language(last, first, patronymic), Script.OTHER)


@transaction.atomic
def merge_persons(actor, survivor_id: int, duplicate_id: int, *, keep: dict[str, str] | None = None,
                  confirm: str | None = None, request=None) -> Merge:
    """Fold ``duplicate`` into ``survivor``: its status events and alternative names move, empty
    survivor fields are filled from it, and it leaves the register (``merged_into``).

    Where both hold different values (:func:`merge_conflicts`), ``keep`` says per field which
    one the survivor holds: ``"survivor"`` (the default) or ``"duplicate"``. Nothing is lost: a
    name not kept becomes an alternative name labelled with its own script (names.name_language:
    a Russian rendering is "Russian", not "Ukrainian"); any other value not kept stays in the edit
    history (reason ``merge_other``). ``confirm``: the fingerprint the person saw
    (:func:`merge_fingerprint`). Refused when the two histories together contradict the status
    model, and when another app cannot follow (its ``person_merged`` receiver raises: both on one
    stage's list, payments recorded on the duplicate). Undo with :func:`undo_merge`."""
    from homecoming.common.confirm import check

    _require(actor, "registry.merge_person")
    if str(survivor_id) == str(duplicate_id):
        raise ValidationError(_("A record cannot be merged with itself."))
    # rows locked in one order (by id), so that two crossed merges queue instead of deadlocking
    persons = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor_id, duplicate_id])
               .order_by("pk")}
    survivor, duplicate = persons.get(int(survivor_id)), persons.get(int(duplicate_id))
    if survivor is None or duplicate is None:
        raise ValidationError(_("Both records must exist."))
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise ValidationError(_("One of these records has already been merged into another."))
    if survivor.side != duplicate.side:
        raise ValidationError(_("Records of different sides cannot be the same person."))
    if confirm is not None:
        check(confirm, merge_fingerprint(survivor, duplicate))
    conflicts = merge_conflicts(survivor, duplicate)
    keep = dict(keep or {})
    bad = sorted(f for f, side in keep.items() if f not in conflicts or side not in ("survivor", "duplicate"))
    if bad:
        raise ValidationError({"keep": [_("Nothing to choose for: %(fields)s.") % {"fields": ", ".join(bad)}]})
    user = actor if getattr(actor, "is_authenticated", False) else None
    event_ids = list(duplicate.status_events.values_list("pk", flat=True))
    alt_ids = list(duplicate.alternative_names.values_list("pk", flat=True))
    combined = list(survivor.status_events.all()) + list(duplicate.status_events.all())
    clashes = lifecycle.broken_transitions(survivor.side, combined)
    if clashes:
        raise ValidationError(_("The two histories contradict each other (%(events)s): correct the wrong event "
                                "first, then merge.") % {"events": "; ".join(
                                    f"{Status(e.status).label} {e.effective_date.isoformat()}" for e in clashes)})
    StatusEvent.objects.filter(pk__in=event_ids).update(person=survivor)
    AlternativeName.objects.filter(pk__in=alt_ids).update(person=survivor)
    changed: dict[str, list[str]] = {}  # field -> [survivor's old value, new value]: undone by undo_merge

    def take(field: str) -> None:
        attname = Person._meta.get_field(field).attname
        changed[field] = [_as_text(survivor, field), _as_text(duplicate, field)]
        setattr(survivor, attname, getattr(duplicate, attname))

    other_name = (duplicate.last_name, duplicate.first_name, duplicate.patronymic)
    if keep.get("name") == "duplicate":
        other_name = (survivor.last_name, survivor.first_name, survivor.patronymic)
        for field in NAME_FIELDS:
            if _as_text(survivor, field) != _as_text(duplicate, field):
                take(field)
    created_alts = []
    if "name" in conflicts:
        created_alts.append(AlternativeName.objects.create(
            person=survivor, last_name=other_name[0], first_name=other_name[1], patronymic=other_name[2],
            script=_name_script(*other_name), source=_("merged record %(ref)s") % {"ref": duplicate.reference},
            created_by=user).pk)
    kept_over: dict[str, list[str]] = {}  # field -> [the duplicate's value not kept, the value kept]
    for field in MERGE_FILL_FIELDS:
        if field == "patronymic" and "name" in conflicts:
            continue  # part of the name, chosen above
        if _empty(survivor, field) and not _empty(duplicate, field):
            take(field)
        elif field in conflicts:
            if keep.get(field) == "duplicate":
                kept_over[field] = [_as_text(survivor, field), _as_text(duplicate, field)]
                take(field)
            else:
                kept_over[field] = [_as_text(duplicate, field), _as_text(survivor, field)]
    if changed:
        _validate(survivor)
    survivor.version += 1
    survivor.save()
    duplicate.merged_into = survivor
    duplicate.version += 1
    duplicate.save(update_fields=["merged_into", "version", "updated_at"])
    FieldChange.objects.bulk_create([
        FieldChange(person=survivor, field=f, old_value=old, new_value=new, version=survivor.version,
                    reason="merge", changed_by=user)
        for f, (old, new) in changed.items()
    ] + [
        FieldChange(person=survivor, field=f, old_value=other, new_value=kept, version=survivor.version,
                    reason="merge_other", changed_by=user)
        for f, (other, kept) in kept_over.items() if f not in changed
    ])
    merge = Merge.objects.create(
        survivor=survivor, duplicate=duplicate, merged_by=user,
        moved={"events": event_ids, "alternative_names": alt_ids, "created_alternative_names": created_alts,
               "filled": changed, "kept_over": kept_over, "keep": keep},
    )
    rebuild_name_keys(survivor)
    PersonNameKey.objects.filter(person=duplicate).delete()
    refresh_current_status(survivor)
    refresh_current_status(duplicate)
    record(actor, "person.merge", object_type="person", object_id=survivor.pk,
           details={"merge": merge.pk, "survivor": survivor.reference, "duplicate": duplicate.reference,
                    "events": len(event_ids), "alternative_names": len(alt_ids), "filled": sorted(changed),
                    "kept_over": sorted(kept_over)},
           request=request)
    person_merged.send(sender=Merge, merge=merge, survivor=survivor, duplicate=duplicate)
    return merge


@transaction.atomic
def undo_merge(actor, merge_id: int, *, request=None) -> Merge:
    """Put everything a merge moved back where it was. Fields filled by the merge get their old
    (empty) value back unless someone has changed them since."""
    _require(actor, "registry.merge_person")
    merge = Merge.objects.select_for_update().filter(pk=merge_id).first()
    if merge is None:
        raise ValidationError(_("No such merge."))
    if merge.undone_at:
        raise ValidationError(_("This merge has already been undone."))
    persons = {p.pk: p for p in Person.objects.select_for_update().filter(
        pk__in=[merge.survivor_id, merge.duplicate_id]).order_by("pk")}
    survivor, duplicate = persons[merge.survivor_id], persons[merge.duplicate_id]
    if survivor.merged_into_id:
        raise ValidationError(_("The surviving record has since been merged into %(ref)s: undo that merge first.")
                              % {"ref": survivor.merged_into.reference})
    user = actor if getattr(actor, "is_authenticated", False) else None
    moved = merge.moved
    StatusEvent.objects.filter(pk__in=moved.get("events", [])).update(person=duplicate)
    AlternativeName.objects.filter(pk__in=moved.get("alternative_names", [])).update(person=duplicate)
    created = moved.get("created_alternative_names") or (
        [moved["created_alternative_name"]] if moved.get("created_alternative_name") else [])
    AlternativeName.objects.filter(pk__in=created).delete()
    restored = {}
    for field, (old, new) in moved.get("filled", {}).items():
        if _as_text(survivor, field) == new:
            setattr(survivor, field, _from_text(field, old))
            restored[field] = [new, old]
    survivor.version += 1
    survivor.save()
    duplicate.merged_into = None
    duplicate.version += 1
    duplicate.save(update_fields=["merged_into", "version", "updated_at"])
    FieldChange.objects.bulk_create([
        FieldChange(person=survivor, field=f, old_value=a, new_value=b, version=survivor.version,
                    reason="undo_merge", changed_by=user)
        for f, (a, b) in restored.items()
    ])
    merge.undone_at = timezone.now()
    merge.undone_by = user
    merge.save(update_fields=["undone_at", "undone_by"])
    rebuild_name_keys(survivor)
    rebuild_name_keys(duplicate)
    refresh_current_status(survivor)
    refresh_current_status(duplicate)
    record(actor, "person.merge_undo", object_type="person", object_id=survivor.pk,
           details={"merge": merge.pk, "survivor": survivor.reference, "duplicate": duplicate.reference},
           request=request)
    person_merge_undone.send(sender=Merge, merge=merge, survivor=survivor, duplicate=duplicate)
    return merge


def _from_text(field: str, text: str):
    if text == "":
        return None if (field in FK_MODELS or field in DATE_FIELDS) else (
            MedicalCategory.NONE if field == "medical_category" else Sex.UNKNOWN if field == "sex" else "")
    if field in FK_MODELS:
        return FK_MODELS[field].objects.get(code=text)
    if field in DATE_FIELDS:
        return dt.date.fromisoformat(text)
    return text


# --- reads that are audited -------------------------------------------------------------------

def record_person_view(actor, person: Person, *, request=None, via: str = "page") -> None:
    """Every read of a person's detail is audited (page or API)."""
    record(actor, "person.view", object_type="person", object_id=person.pk,
           details={"via": via}, request=request)


def record_person_search(actor, persons, filters: dict, *, request=None, via: str = "page") -> None:
    """Every page of register search results is audited: the filters and the persons shown."""
    from homecoming.audit.services import record_list_read

    record_list_read(actor, "person.search", object_type="person", ids=[p.pk for p in persons],
                     details={"via": via, "filters": {k: str(v) for k, v in filters.items() if v not in (None, "")}},
                     request=request)


# --- bulk creation (imports) -------------------------------------------------------------------

def _allocate_ids(model, n: int) -> list[int]:
    """``n`` new primary keys: from the sequence on PostgreSQL (safe beside concurrent inserts); on
    SQLite after the largest id (the transaction holds the database's write lock)."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [model._meta.db_table, n])
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - a model's own table
        first = cursor.fetchone()[0] + 1
        return list(range(first, first + n))


@transaction.atomic
def bulk_create_persons(actor, rows: list[dict[str, Any]], *, source_kind: str, source_reference: str = "",
                        status: str = "", effective_date=None, request=None, batch_size: int = 2000,
                        progress=None) -> list[Person]:
    """Create many persons at once (a file import): every row is coerced and validated as
    :func:`create_person` does, and nothing is written unless all rows are valid (a
    ``ValidationError`` names the row index). Search keys are built, and when ``status`` is given
    each person gets that first status event (``effective_date``, one shared source of
    ``source_kind``/``source_reference``), with the current status set to match. ONE audit event
    ``person.bulk_create`` covers the whole import. ``progress(done, total)`` is called per batch."""
    _require(actor, "registry.add_person")
    allowed = set(creatable_fields(actor))
    if source_kind not in SourceKind.values:
        raise ValidationError({"source_kind": [_("Choose the kind of source.")]})
    user = actor if getattr(actor, "is_authenticated", False) else None
    date = None
    persons: list[Person] = []
    for i, data in enumerate(rows):
        forbidden = sorted(set(data) - allowed)
        if forbidden:
            raise PermissionDenied(_("You may not set: %(fields)s.") % {"fields": ", ".join(forbidden)})
        person = Person(created_by=user)
        try:
            for field, value in _coerce(data).items():
                setattr(person, field, value)
            _validate(person)
            if status and date is None:
                date = _validate_event_values(person, status=status, effective_date=effective_date)
            elif status and person.birth_date and date < person.birth_date:
                raise ValidationError({"effective_date": [_("The date is before the date of birth.")]})
        except ValidationError as exc:
            raise ValidationError(_("Row %(n)s: %(errors)s") % {"n": i + 1, "errors": "; ".join(
                f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())}) from exc
        if status:
            person.current_status, person.current_status_date = status, date
            person.was_missing = status == Status.MISSING
        persons.append(person)
    source = None
    if status and persons:
        source = Source.objects.create(kind=source_kind, reference=(source_reference or "").strip()[:300],
                                       created_by=user)
    key_cache: dict[str, set[str]] = {}

    def keys_of(p: Person) -> set[str]:
        out: set[str] = set()
        for part in (p.last_name, p.first_name, p.patronymic):
            if part not in key_cache:
                key_cache[part] = name_keys([part])
            out |= key_cache[part]
        return out

    from django.db import connection

    from .demo import _insert  # plain rows (COPY on PostgreSQL): model instances cost more than the insert

    now_db = connection.ops.adapt_datetimefield_value(timezone.now())
    date_db = connection.ops.adapt_datefield_value(date) if date else None
    fields = list(Person._meta.concrete_fields)
    now = timezone.now()
    dates = connection.ops.adapt_datefield_value
    stamps = connection.ops.adapt_datetimefield_value

    def db_value(f, value):
        if value is None:
            return None
        if f.get_internal_type() == "DateTimeField":
            return stamps(value)
        if f.get_internal_type() == "DateField":
            return dates(value)
        return value

    for start in range(0, len(persons), batch_size):
        batch = persons[start:start + batch_size]
        for p, pk in zip(batch, _allocate_ids(Person, len(batch)), strict=True):
            p.pk, p.created_at, p.updated_at = pk, now, now
        _insert(Person, [f.column for f in fields],
                [tuple(db_value(f, getattr(p, f.attname)) for f in fields) for p in batch])
        _insert(PersonNameKey, ["person_id", "key"], [(p.pk, k) for p in batch for k in sorted(keys_of(p))])
        if source is not None:
            _insert(StatusEvent, ["person_id", "status", "effective_date", "source_id", "note", "author_id",
                                  "created_at"],
                    [(p.pk, status, date_db, source.pk, "", user.pk if user else None, now_db) for p in batch])
        if progress:
            progress(min(start + batch_size, len(persons)), len(persons))
    record(actor, "person.bulk_create", object_type="person", object_id="",
           details={"count": len(persons), "first": persons[0].pk if persons else None,
                    "last": persons[-1].pk if persons else None, "source": source_kind,
                    "source_reference": source_reference, "status": status or None},
           request=request)
    return persons
