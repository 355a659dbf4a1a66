"""What every remains service shares: the permissions, the one way a record is validated and
saved with its history (:class:`~homecoming.remains.models.Change`) and its audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.actors import user_of
from homecoming.common.permissions import require_all
from homecoming.registry.models import Person, Side

from ..models import Change

VIEW = "remains.view_forensic"
CHANGE = "remains.change_forensic"
CONFIRM = "remains.confirm_identification"


def require(actor, *perms: str) -> None:
    require_all(actor, *perms)


def plain(value):
    """A value as the history and the audit keep it (JSON)."""
    if isinstance(value, dt.date | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def _strip(values: dict) -> dict:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def save_with_history(actor, obj: models.Model, values: dict, *, action: str, object_type: str,
                      details: dict | None = None, request=None, exclude_clean=()) -> models.Model:
    """Set ``values`` on ``obj`` (new or existing), validate every field and constraint
    (``full_clean``: the limits stated once, on the model), save, append the change to the history
    and write the audit event. Raises ValidationError naming the field; nothing is saved then."""
    values = _strip(values)
    unknown = set(values) - {f.name for f in obj._meta.concrete_fields}
    if unknown:
        raise TypeError(f"no such fields: {sorted(unknown)}")
    creating = obj.pk is None
    before = {name: plain(getattr(obj, name)) for name in values}
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean(exclude=list(exclude_clean))
    after = {name: plain(getattr(obj, name)) for name in values}
    changed = {name: [before[name], after[name]] for name in values if creating or before[name] != after[name]}
    if not creating and not changed:
        return obj
    obj.save()
    Change.objects.create(object_type=object_type, object_id=obj.pk, action=action, changed_by=user_of(actor),
                          changes={name: (pair[1] if creating else pair) for name, pair in changed.items()})
    # The audit names the record and the fields changed, never their forensic values.
    record(actor, action, object_type=object_type, object_id=obj.pk,
           details={**(details or {}), "fields": sorted(changed)}, request=request)
    return obj


def missing_person(person_id) -> Person:
    """A person of ours in the register (not merged away): whose ante-mortem data and reference
    samples are kept."""
    person = Person.objects.filter(pk=person_id).first() if str(person_id or "").isdigit() else None
    if person is None:
        raise ValidationError({"person": [_("No such person.")]})
    if person.merged_into_id:
        raise ValidationError({"person": [_("This record was merged into %(ref)s; use that record.")
                                          % {"ref": person.merged_into.reference}]})
    if person.side != Side.OURS:
        raise ValidationError({"person": [_("Forensic records are kept for our own missing persons only.")]})
    return person


#: Statuses in which the register knows the person alive and home: remains are never theirs.
HOME_STATUSES = frozenset({"returned", "released_other", "found"})


def not_known_home(person: Person) -> None:
    """Refuse remains for a person the register knows came home (returned, released or found):
    the family was told so; if that entry was wrong, the register is corrected first."""
    if person.current_status in HOME_STATUSES:
        raise ValidationError({"person": [_(
            "The register says %(ref)s came home (%(status)s): remains cannot be identified as this person. "
            "If that entry is wrong, correct the register first.") % {
                "ref": person.reference, "status": person.get_current_status_display()}]})
