"""The candidates' evidence in the reader's language. The pure ranking
(:mod:`homecoming.remains.candidates`) names each field's reason by a code with its values; this
module words it, as intake/reasons.py words the linkage engine's."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from homecoming.registry.models import Sex

from .models import BodyLocation, Dental, Hair, MarkKind

FIELDS = {
    "sex": _("Sex"), "age": _("Age"), "height": _("Height"), "hair": _("Hair"), "dental": _("Dental status"),
    "mark": _("Mark"), "place": _("Place"), "date": _("Date"), "documents": _("Name on a document found"),
}

REASONS = {
    "not_known": _("not known on one side"),
    "same": _("the same"),
    "differs": _("different"),
    "sex_differs": _("different sex: excluded"),
    "age_within": _("would have been %(age)s in %(year)s: within the estimate"),
    "age_outside": _("would have been %(age)s in %(year)s: %(years)s years outside the estimate"),
    "ranges_overlap": _("the ranges overlap"),
    "cm_apart": _("%(cm)s cm apart"),
    "hair_may_change": _("hair greys, falls out and discolours: this says little"),
    "mark_found": _("found on the body at the same place"),
    "mark_other_side": _("found on the other side of the body"),
    "mark_elsewhere": _("a mark of the same kind elsewhere on the body"),
    "mark_not_found": _("not found on the body"),
    "same_place": _("the same place"),
    "other_place": _("another place than the one declared"),
    "found_before_disappeared": _("found %(days)s days before the disappearance"),
    "days_after": _("%(days)s days after the disappearance"),
    "document_agree": _("the name on a document found is the person's"),
    "document_close": _("the name on a document found is close to the person's"),
    "document_surname": _("only the surname agrees"),
    "document_differ": _("the names differ"),
}

_CHOICES = {"sex": Sex, "hair": Hair, "dental": Dental}


def _value(field: str, value: str) -> str:
    if not value:
        return "—"
    if field in _CHOICES and value in _CHOICES[field].values:
        return str(_CHOICES[field](value).label)
    if field == "mark" and ":" in value:
        kind, location = value.split(":", 1)
        kind = str(MarkKind(kind).label) if kind in MarkKind.values else kind
        location = str(BodyLocation(location).label) if location in BodyLocation.values else location
        return f"{kind}: {location}"
    return value


def describe(evidence) -> dict:
    """One row of a candidate's evidence: field, the two values, weight and reason in words."""
    reason = REASONS.get(evidence.reason)
    text = str(reason) % dict(evidence.values) if reason is not None else evidence.reason
    weight = evidence.weight
    return {"field": str(FIELDS.get(evidence.field, evidence.field)), "level": evidence.level,
            "post_mortem": _value(evidence.field, evidence.pm), "ante_mortem": _value(evidence.field, evidence.am),
            "weight": "—" if weight == float("-inf") else f"{weight:+.1f}", "reason": text}
