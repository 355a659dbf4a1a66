"""Creating many persons at once (a file import): each row validated as one person at a time,
all written as plain rows (registry/rows.py) because model instances cost more than the insert.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record

from .. import status_counts
from ..keys import name_keys
from ..models import Person, PersonNameKey, Source, SourceKind, Status, StatusEvent
from ..rows import allocate_ids, db_values, insert_rows
from .fields import _coerce, _require, _validate, creatable_fields
from .history import _validate_event_values


def _checked_persons(rows, allowed: set[str], user, status: str, effective_date) -> tuple[list[Person], Any]:
    """Every row as an unsaved Person, validated as :func:`create_person` does, and the date of the
    shared first status event; the first invalid row raises a ``ValidationError`` naming it."""
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
    return persons, date


class _NameKeys:
    """Search keys per name part, computed once per distinct part (imports repeat names a lot)."""

    def __init__(self):
        self.cache: dict[str, set[str]] = {}

    def of(self, p: Person) -> set[str]:
        out: set[str] = set()
        for part in (p.last_name, p.first_name, p.patronymic):
            if part not in self.cache:
                self.cache[part] = name_keys([part])
            out |= self.cache[part]
        return out


def _write(persons: list[Person], *, source, status: str, date, user, batch_size: int, progress) -> None:
    """Persons, their search keys and (with a ``source``) their first status events, in batches."""
    now = timezone.now()
    now_db = connection.ops.adapt_datetimefield_value(now)
    date_db = connection.ops.adapt_datefield_value(date) if date else None
    keys = _NameKeys()
    for start in range(0, len(persons), batch_size):
        batch = persons[start:start + batch_size]
        for p, pk in zip(batch, allocate_ids(Person, len(batch)), strict=True):
            p.pk, p.created_at, p.updated_at = pk, now, now
            p.refresh_name_sort_key()  # no save() here: the register's name order (collation)
        insert_rows(Person, *db_values(Person, batch))
        insert_rows(PersonNameKey, ["person_id", "key"], [(p.pk, k) for p in batch for k in sorted(keys.of(p))])
        if source is not None:
            insert_rows(StatusEvent, ["person_id", "status", "effective_date", "source_id", "note", "author_id",
                                      "created_at"],
                        [(p.pk, status, date_db, source.pk, "", user.pk if user else None, now_db) for p in batch])
        if progress:
            progress(min(start + batch_size, len(persons)), len(persons))


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
    persons, date = _checked_persons(rows, allowed, user, status, effective_date)
    source = None
    if status and persons:
        source = Source.objects.create(kind=source_kind, reference=(source_reference or "").strip()[:300],
                                       created_by=user)
    _write(persons, source=source, status=status, date=date, user=user, batch_size=batch_size, progress=progress)
    record(actor, "person.bulk_create", object_type="person", object_id="",
           details={"count": len(persons), "first": persons[0].pk if persons else None,
                    "last": persons[-1].pk if persons else None, "source": source_kind,
                    "source_reference": source_reference, "status": status or None},
           request=request)
    if source is not None:  # after the audit event: see status_counts (the order of locks)
        status_counts.add(Counter((date, status, p.side) for p in persons))
    return persons
