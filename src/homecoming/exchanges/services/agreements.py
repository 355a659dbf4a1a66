"""Agreements and their categories (with the eligibility rule each category applies).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.registry.limits import length_errors, max_length
from homecoming.rules import validate

from ..labels import error_text, rule_vocabulary
from ..models import (
    Agreement,
    Category,
    TradeRule,
)
from .common import CHANGE_AGREEMENT, _date, _require, _user

#: the text fields of an agreement and their limits (stated on the model)
AGREEMENT_TEXT = {name: max_length(Agreement, name)
                  for name in ("title", "place", "place_en", "parties", "mediator", "notes")}


def _agreement_values(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    unknown = set(data) - set(AGREEMENT_TEXT) - {"date", "withhold_counts_until_last_stage"}
    for name in sorted(unknown):
        errors[name] = [_("Unknown field.")]
    for name in AGREEMENT_TEXT:
        if name in data or (not partial and name == "title"):
            text = str(data.get(name) or "").strip()
            if name == "title" and not text:
                errors[name] = [_("This field is required.")]
            else:
                errors.update(length_errors(Agreement, {name: text}))
            out[name] = text
    if "date" in data or not partial:
        out["date"] = _date(data.get("date"), "date", errors, required=True)
    if "withhold_counts_until_last_stage" in data:
        value = data["withhold_counts_until_last_stage"]
        if not isinstance(value, bool):
            errors["withhold_counts_until_last_stage"] = [_("Expected true or false.")]
        out["withhold_counts_until_last_stage"] = value
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def create_agreement(actor, data: dict[str, Any], *, request=None) -> Agreement:
    _require(actor, CHANGE_AGREEMENT)
    agreement = Agreement(created_by=_user(actor), **_agreement_values(data, partial=False))
    agreement.save()
    record(actor, "agreement.create", object_type="agreement", object_id=agreement.pk,
           details={"title": agreement.title}, request=request)
    return agreement


@transaction.atomic
def update_agreement(actor, agreement_id: int, data: dict[str, Any], *, request=None) -> Agreement:
    _require(actor, CHANGE_AGREEMENT)
    agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
    values = _agreement_values(data, partial=True)
    for name, value in values.items():
        setattr(agreement, name, value)
    agreement.save()
    record(actor, "agreement.update", object_type="agreement", object_id=agreement.pk,
           details={"fields": sorted(values)}, request=request)
    return agreement


def check_rule(rule) -> list[str]:
    """The problems of a rule in the reader's language, each with its JSON path."""
    return [error_text(e) for e in validate(rule, rule_vocabulary())]


def _category_values(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name in sorted(set(data) - {"name_uk", "name_en", "rule", "trade_rule", "ratio_receive",
                                    "ratio_hand_over", "position"}):
        errors[name] = [_("Unknown field.")]
    for name in ("name_uk", "name_en"):
        if name in data or not partial:
            text = str(data.get(name) or "").strip()
            if not text:
                errors[name] = [_("This field is required.")]
            else:
                errors.update(length_errors(Category, {name: text}))
            out[name] = text
    if "rule" in data or not partial:
        problems = check_rule(data.get("rule"))
        if problems:
            errors["rule"] = problems
        out["rule"] = data.get("rule")
    if "trade_rule" in data or not partial:
        trade = data.get("trade_rule") or TradeRule.ALL_FOR_ALL
        if trade not in TradeRule.values:
            errors["trade_rule"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(TradeRule.values)}]
        out["trade_rule"] = trade
    for name in ("ratio_receive", "ratio_hand_over", "position"):
        if name in data:
            try:
                number = int(data[name])
                if number < (0 if name == "position" else 1) or number > 100000:
                    raise ValueError
                out[name] = number
            except (TypeError, ValueError):
                errors[name] = [_("Enter a whole number from 1 to 100000.")]
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def create_category(actor, agreement_id: int, data: dict[str, Any], *, request=None) -> Category:
    _require(actor, CHANGE_AGREEMENT)
    agreement = Agreement.objects.get(pk=agreement_id)
    values = _category_values(data, partial=False)
    values.setdefault("position", agreement.categories.count())
    category = Category.objects.create(agreement=agreement, **values)
    record(actor, "category.create", object_type="category", object_id=category.pk,
           details={"agreement": agreement.pk, "name": category.name_en, "rule": category.rule,
                    "trade_rule": category.trade_rule}, request=request)
    return category


@transaction.atomic
def update_category(actor, category_id: int, data: dict[str, Any], *, request=None) -> Category:
    _require(actor, CHANGE_AGREEMENT)
    category = Category.objects.select_for_update().get(pk=category_id)
    values = _category_values(data, partial=True)
    before = category.rule
    for name, value in values.items():
        setattr(category, name, value)
    category.version += 1
    category.save()
    record(actor, "category.update", object_type="category", object_id=category.pk,
           details={"fields": sorted(values), "rule_before": before if "rule" in values else None,
                    "rule": category.rule if "rule" in values else None}, request=request)
    return category
