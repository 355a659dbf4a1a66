"""Creating and editing a person, alternative names, the derived columns (search keys,
current status) and the audited reads of persons.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.text import name_problem, sentence, text_problem

from .. import status_counts
from ..keys import name_keys
from ..limits import length_errors
from ..models import (
    AlternativeName,
    FieldChange,
    Person,
    PersonNameKey,
    Script,
)
from .fields import ALL_FIELDS, _as_text, _coerce, _require, _validate, creatable_fields, editable_fields
from .history import _validate_event_values, add_status_event


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


def rebuild_name_keys(person: Person) -> None:
    parts = [person.last_name, person.first_name, person.patronymic]
    for alt in person.alternative_names.all():
        parts += [alt.last_name, alt.first_name, alt.patronymic]
    wanted = name_keys(parts)
    PersonNameKey.objects.filter(person=person).exclude(key__in=wanted).delete()
    have = set(PersonNameKey.objects.filter(person=person).values_list("key", flat=True))
    PersonNameKey.objects.bulk_create([PersonNameKey(person=person, key=k) for k in sorted(wanted - have)])


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
    old_side = person.side
    for field, value in coerced.items():
        setattr(person, field, value)
    _validate(person)
    changed = [f for f in ALL_FIELDS if _as_text(person, f) != before[f]]
    if not changed:
        return person
    new_version = person.version + 1
    columns = {Person._meta.get_field(f).attname: getattr(person, Person._meta.get_field(f).attname) for f in changed}
    if {"last_name", "first_name", "patronymic"} & set(changed):
        columns["name_sort_key"] = person.refresh_name_sort_key()  # the register's order (collation)
    updated = Person.objects.filter(pk=person.pk, version=version).update(
        version=new_version, updated_at=timezone.now(), **columns,
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
    if "side" in changed:  # the dashboard's counts of status events go by side (after the audit event)
        status_counts.side_changed(person.pk, old_side, person.side)
    return person


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
    too_long = length_errors(AlternativeName, values)
    for field, value in values.items():
        if field in too_long:
            errors.setdefault(field, []).extend(too_long[field])
        elif name_problem(value):
            errors.setdefault(field, []).append(sentence(name_problem(value)))
    if text_problem(source or ""):
        errors.setdefault("source", []).append(sentence(text_problem(source)))
    if script not in Script.values:
        errors["script"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(Script.values)}]
    if too_long := length_errors(AlternativeName, {"source": source or ""}):
        errors["source"] = too_long["source"]
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
