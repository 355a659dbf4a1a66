"""Who may set which person field, and how plain values (strings, ids, codes) become
model values with errors a person can read. Shared by create, edit, merge and bulk imports.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.common.permissions import require_all as _require  # noqa: F401 (used by the services)
from homecoming.common.text import name_problem, sentence, text_problem

from ..limits import length_errors
from ..models import (
    STATUSES_BY_SIDE,
    Branch,
    DatePrecision,
    Direction,
    Kind,
    MedicalCategory,
    Operation,
    Person,
    Rank,
    RankCategory,
    Sex,
    Side,
    Status,
)

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
        too_long = length_errors(Person, {field: value})
        if too_long:
            errors.setdefault(field, []).extend(too_long[field])
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


def _from_text(field: str, text: str):
    if text == "":
        return None if (field in FK_MODELS or field in DATE_FIELDS) else (
            MedicalCategory.NONE if field == "medical_category" else Sex.UNKNOWN if field == "sex" else "")
    if field in FK_MODELS:
        return FK_MODELS[field].objects.get(code=text)
    if field in DATE_FIELDS:
        return dt.date.fromisoformat(text)
    return text
