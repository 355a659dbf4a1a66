"""Words for rules and reasons in the reader's language (homecoming.rules is framework-free)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from homecoming.registry.models import (
    Branch,
    Direction,
    Kind,
    MedicalCategory,
    Operation,
    RankCategory,
    Sex,
    Side,
    Status,
)
from homecoming.rules import Labels, RuleError


def rule_labels() -> Labels:
    values = {
        "side": dict(Side.choices), "kind": dict(Kind.choices), "sex": dict(Sex.choices),
        "rank_category": dict(RankCategory.choices), "medical_category": dict(MedicalCategory.choices),
        "status": dict(Status.choices),
    }
    values = {k: {code: str(label).lower() if k != "status" else str(label) for code, label in v.items()}
              for k, v in values.items()}
    for name, model in (("branch", Branch), ("direction", Direction), ("operation", Operation)):
        values[name] = {item.code: item.name for item in model.objects.all()}
    return Labels(
        fields={"side": _("side"), "kind": pgettext("person", "kind"), "sex": _("sex"),
                "rank_category": _("rank category"),
                "medical_category": _("medical category"), "status": _("status"), "branch": _("branch"),
                "direction": _("front direction"), "operation": _("operation"), "was_missing": _("was ever missing")},
        values=values,
        templates={
            "field": _("%(label)s: %(value)s") % {"label": "{label}", "value": "{value}"},
            "field_unknown": _("%(label)s unknown") % {"label": "{label}"},
            "age_on": _("age %(value)s on %(date)s") % {"value": "{value}", "date": "{date}"},
            "age_on_unknown": _("age on %(date)s unknown") % {"date": "{date}"},
            "age_on_name": _("age on %(date)s") % {"date": "{date}"},
            "captivity_days_on": _("%(value)s days in captivity on %(date)s") % {"value": "{value}", "date": "{date}"},
            "captivity_days_on_unknown": _("days in captivity on %(date)s unknown") % {"date": "{date}"},
            "captivity_days_on_name": _("days in captivity on %(date)s") % {"date": "{date}"},
            "captivity_years_on": _("%(value)s full years in captivity on %(date)s")
            % {"value": "{value}", "date": "{date}"},
            "captivity_years_on_unknown": _("years in captivity on %(date)s unknown") % {"date": "{date}"},
            "captivity_years_on_name": _("full years in captivity on %(date)s") % {"date": "{date}"},
            "held": _("%(subject)s (%(condition)s)") % {"subject": "{subject}", "condition": "{condition}"},
            "failed": _("%(subject)s (must be %(condition)s)") % {"subject": "{subject}", "condition": "{condition}"},
            "held_not": _("%(subject)s (not %(condition)s)") % {"subject": "{subject}", "condition": "{condition}"},
            "failed_not": _("%(subject)s (must not be %(condition)s)")
            % {"subject": "{subject}", "condition": "{condition}"},
            "in": _("one of %(values)s") % {"values": "{values}"},
            "not in": _("none of %(values)s") % {"values": "{values}"},
            "between": _("between %(low)s and %(high)s") % {"low": "{low}", "high": "{high}"},
            "yes": _("yes"), "no": _("no"), "and": _("all of"), "or": _("any of"), "not": _("not"),
            "empty_and": _("always"), "empty_or": _("never"),
        },
    )


def rule_vocabulary() -> dict[str, list[str]]:
    """Codes that are data (reference lists) for rule validation."""
    return {name: list(model.objects.values_list("code", flat=True))
            for name, model in (("branch", Branch), ("direction", Direction), ("operation", Operation))}


def error_text(error: RuleError) -> str:
    """A rule error in the reader's language, with its JSON path."""
    return f"{error.path}: {error_message(error)}"


def error_message(error: RuleError) -> str:
    """A rule error in the reader's language (the rule editor of forms shows it next to its row)."""
    p = dict(error.params)
    messages = {
        "not_an_expression": _('Expected an object with exactly one operator, e.g. {"and": [...]}.'),
        "expected_list": _("This operator takes a list of rules."),
        "unknown_operator": _("Unknown operator %(op)s; use and, or, not, =, ≠, <, ≤, >, ≥, in, not in, between.")
        % {"op": p.get("op", "")},
        "wrong_arity": _("This operator takes a list %(example)s.") % {"example": p.get("example", "")},
        "expected_number": _("Expected a number, got %(got)s.") % {"got": p.get("got", "")},
        "empty_range": _("The low end of the range is above the high end."),
        "operator_not_for_field": _("This operator cannot be used with this field."),
        "expected_bool": _("Expected true or false, got %(got)s.") % {"got": p.get("got", "")},
        "expected_text": _("Expected a non-empty text value, got %(got)s.") % {"got": p.get("got", "")},
        "unknown_value": _("Unknown value %(got)s; use one of: %(choices)s.")
        % {"got": p.get("got", ""), "choices": p.get("choices", "")},
        "expected_nonempty_list": _("Expected a non-empty list of values."),
        "list_too_long": _("Too many values in the list (at most %(limit)s).") % {"limit": p.get("limit", "")},
        "expected_value": _('Expected a value such as {"field": "sex"} or {"age_on": "2025-06-09"}.'),
        "unknown_field": _("Unknown field %(got)s; use one of: %(choices)s.")
        % {"got": p.get("got", ""), "choices": p.get("choices", "")},
        "expected_date": _("Expected a date as YYYY-MM-DD, got %(got)s.") % {"got": p.get("got", "")},
        "unknown_value_kind": _("Unknown value %(got)s; use one of: %(choices)s.")
        % {"got": p.get("got", ""), "choices": p.get("choices", "")},
        "too_large": _("The rule has too many parts (at most %(limit)s).") % {"limit": p.get("limit", "")},
        "too_deep": _("The rule is nested too deeply (at most %(limit)s levels).") % {"limit": p.get("limit", "")},
    }
    return str(messages.get(error.code, error.message))
