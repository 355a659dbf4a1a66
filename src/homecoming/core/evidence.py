"""The evidence beside a linkage candidate, in the reader's words: one way for every review.

The linkage engine explains each candidate field by field (``homecoming.linkage``: field, level,
weight, both values). Every page that asks a person to decide a match shows that evidence the same
way: the review queue of an incoming list (intake), the other side's counter-list of a stage
(exchanges), an inquiry's candidates (families). Those apps are siblings or above one another, so
the labels and the table live here in the shell below them all (``core/templatetags/evidence.py``
draws the table).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy, pgettext_lazy

TENTH = Decimal("0.1")
#: the engine's field and comparison-level codes, in words
FIELD_LABELS = {
    "last_name": gettext_lazy("Last name"), "first_name": gettext_lazy("First name"),
    "patronymic": gettext_lazy("Patronymic"), "birth_date": gettext_lazy("Date of birth"),
    "service_number": gettext_lazy("Service number"), "tax_number": gettext_lazy("Tax number"),
}
LEVEL_LABELS = {
    "same": gettext_lazy("same"), "close": gettext_lazy("a typo away"), "initial": gettext_lazy("initial agrees"),
    "differ": gettext_lazy("differs"), "missing": gettext_lazy("not known on one side"),
    "exact": gettext_lazy("same date"), "swap": gettext_lazy("day and month swapped"),
    "typo": gettext_lazy("one digit differs"), "near": gettext_lazy("one day, month or year apart"),
    "month": gettext_lazy("same month"), "year": gettext_lazy("same year"),
}


def evidence(explanation: list[dict], labels: dict | None = None) -> list[dict]:
    """The evidence rows of one candidate. ``labels`` (from ``evidence_labels``) is made once per
    page: a review page shows some 300 evidence rows, and a lazy label translated, and a weight
    formatted by a template filter, in each of them made the page the slowest one of the load test."""
    labels = labels or evidence_labels()
    fields, levels, decimal = labels["fields"], labels["levels"], labels["decimal"]
    out = []
    for f in explanation if isinstance(explanation, list) else ():  # text from before issue 19: no table
        w = f.get("weight", 0.0)
        out.append({
            "label": fields.get(f["field"], f["field"]), "list_value": f.get("list_value", ""),
            "registry_value": f.get("registry_value", ""), "level": levels.get(f["level"], f["level"]),
            "weight": w, "weight_text": str(Decimal(repr(w)).quantize(TENTH, ROUND_HALF_UP)).replace(".", decimal),
            "agreement": "agree" if w > 0.5 else "disagree" if w < -0.5 else "neutral",
        })
    return out


#: the columns of the evidence table; a page names the two sides in its own words
HEADERS = (gettext_lazy("Field"), gettext_lazy("In the list"), gettext_lazy("In the register"),
           pgettext_lazy("match", "Agreement"), gettext_lazy("Weight"))


def evidence_labels(*, list_side=None, register_side=None) -> dict:
    """The field and level labels in the request's language, its decimal separator and the table's
    column headers (``list_side``, ``register_side``: the names of the two sides compared)."""
    headers = [str(h) for h in HEADERS]
    if list_side:
        headers[1] = str(list_side)
    if register_side:
        headers[2] = str(register_side)
    return {"fields": {k: str(v) for k, v in FIELD_LABELS.items()},
            "levels": {k: str(v) for k, v in LEVEL_LABELS.items()},
            "decimal": str(formats.get_format("DECIMAL_SEPARATOR")), "headers": headers}
