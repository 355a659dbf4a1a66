"""Reasons and rules in words. English by default; a user interface passes :class:`Labels`
with its own (translated) words, so this package stays free of any framework."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .engine import ALIASES, LeafOutcome


def _default_fields() -> dict[str, str]:
    return {"side": "side", "kind": "kind", "sex": "sex", "rank_category": "rank category",
            "medical_category": "medical category", "status": "status", "branch": "branch",
            "direction": "front direction", "operation": "operation", "was_missing": "was ever missing"}


def _default_templates() -> dict[str, str]:
    return {
        "field": "{label} {value}",
        "field_unknown": "{label} unknown",
        "age_on": "age {value} on {date}",
        "age_on_unknown": "age on {date} unknown",
        "captivity_days_on": "{value} days in captivity on {date}",
        "captivity_days_on_unknown": "days in captivity on {date} unknown",
        "captivity_years_on": "{value} full years in captivity on {date}",
        "captivity_years_on_unknown": "years in captivity on {date} unknown",
        "age_on_name": "age on {date}",
        "captivity_days_on_name": "days in captivity on {date}",
        "captivity_years_on_name": "full years in captivity on {date}",
        "held": "{subject} ({condition})",
        "failed": "{subject} (must be {condition})",
        "held_not": "{subject} (not {condition})",
        "failed_not": "{subject} (must not be {condition})",
        "in": "one of {values}",
        "not in": "none of {values}",
        "between": "between {low} and {high}",
        "yes": "yes",
        "no": "no",
        "and": "all of",
        "or": "any of",
        "not": "not",
        "empty_and": "always",
        "empty_or": "never",
    }


@dataclass
class Labels:
    """Words for reasons: field labels, value labels per field (``{"sex": {"male": "male"}}``)
    and sentence templates (see ``_default_templates``)."""

    fields: dict[str, str] = field(default_factory=_default_fields)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=_default_templates)

    def t(self, key: str) -> str:
        return self.templates.get(key) or _default_templates()[key]


DEFAULT = Labels()


def _value(labels: Labels, fieldname: str | None, v: Any) -> str:
    if isinstance(v, bool):
        return labels.t("yes") if v else labels.t("no")
    if isinstance(v, dt.date):
        return v.isoformat()
    if fieldname is not None:
        return str(labels.values.get(fieldname, {}).get(v, v))
    return str(v)


def _condition(labels: Labels, subject: str, argument: str, op: str, operand) -> str:
    fieldname = argument if subject == "field" else None
    if op in ("in", "not in"):
        return labels.t(op).format(values=", ".join(_value(labels, fieldname, x) for x in operand))
    if op == "between":
        low, high = operand
        return labels.t("between").format(low=_value(labels, fieldname, low), high=_value(labels, fieldname, high))
    return f"{op} {_value(labels, fieldname, operand)}"


def _subject(labels: Labels, subject: str, argument: str, value: Any) -> str:
    if subject == "field":
        label = labels.fields.get(argument, argument)
        if value is None:
            return labels.t("field_unknown").format(label=label)
        return labels.t("field").format(label=label, value=_value(labels, argument, value))
    if value is None:
        return labels.t(f"{subject}_unknown").format(date=argument)
    return labels.t(subject).format(value=value, date=argument)


def describe_leaf(outcome: LeafOutcome, labels: Labels | None = None) -> str:
    """E.g. ``age 25 on 2025-06-09 (must be ≤ 24)`` or ``medical category seriously wounded
    (one of seriously wounded, seriously ill)``."""
    labels = labels or DEFAULT
    subject = _subject(labels, outcome.subject, outcome.argument, outcome.value)
    condition = _condition(labels, outcome.subject, outcome.argument, outcome.op, outcome.operand)
    key = ("held" if outcome.satisfied else "failed") + ("" if outcome.wanted else "_not")
    return labels.t(key).format(subject=subject, condition=condition)


def describe_rule(rule, labels: Labels | None = None) -> str:
    """A (valid) rule in words, e.g. ``all of (age on 2025-06-09 ≤ 24; sex = male)``."""
    labels = labels or DEFAULT
    (key, arg), = rule.items()
    op = ALIASES.get(key, key)
    if op in ("and", "or"):
        if not arg:
            return labels.t(f"empty_{op}")
        return f"{labels.t(op)} (" + "; ".join(describe_rule(c, labels) for c in arg) + ")"
    if op == "not":
        return f"{labels.t('not')} ({describe_rule(arg, labels)})"
    (subject, argument), = arg[0].items()
    if subject == "field":
        name = labels.fields.get(argument, argument)
    else:
        name = labels.t(f"{subject}_name").format(date=argument)
    operand = tuple(arg[1:]) if op == "between" else (tuple(arg[1]) if op in ("in", "not in") else arg[1])
    return f"{name} {_condition(labels, subject, argument, op, operand)}"
