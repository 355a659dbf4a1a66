"""Payment rule sets: amounts with the dates they are effective from, changed with history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.registry.limits import length_errors

from ..models import (
    PartYear,
    RuleSet,
    RuleSetInUse,
)
from .common import _amount, _date, _require, _user


def _rule_values(data: dict, errors: dict) -> dict:
    values = {
        "valid_from": _date(data.get("valid_from"), "valid_from", errors),
        "one_time_amount": _amount(data.get("one_time_amount"), "one_time_amount", errors),
        "per_year_amount": _amount(data.get("per_year_amount"), "per_year_amount", errors),
        "part_year": data.get("part_year") or "",
        "note": (data.get("note") or "").strip(),
    }
    if values["part_year"] not in PartYear.values:
        errors.setdefault("part_year", []).append(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(PartYear.values)})
    for name, messages in length_errors(RuleSet, {"note": values["note"]}).items():
        errors.setdefault(name, []).extend(messages)
    return values


@transaction.atomic
def create_rule_set(actor, data: dict, *, request=None) -> RuleSet:
    _require(actor, "payments.add_ruleset")
    errors: dict[str, list[str]] = {}
    values = _rule_values(data, errors)
    if values["valid_from"] and RuleSet.objects.filter(valid_from=values["valid_from"]).exists():
        errors.setdefault("valid_from", []).append(_("A rule set valid from this date already exists."))
    if errors:
        raise ValidationError(errors)
    rule_set = RuleSet.objects.create(created_by=_user(actor), **values)
    record(actor, "payments.ruleset_create", object_type="ruleset", object_id=rule_set.pk,
           details={k: str(v) for k, v in values.items()}, request=request)
    return rule_set


@transaction.atomic
def update_rule_set(actor, rule_set_id: int, data: dict, *, request=None) -> RuleSet:
    """Only a rule set that no computation has used yet may change."""
    _require(actor, "payments.change_ruleset")
    rule_set = RuleSet.objects.select_for_update().get(pk=rule_set_id)
    if rule_set.used_at:
        raise RuleSetInUse(_("This rule set has been used: it cannot change. Add a new rule set."))
    errors: dict[str, list[str]] = {}
    values = _rule_values({**{f: getattr(rule_set, f) for f in ("valid_from", "one_time_amount", "per_year_amount",
                                                                 "part_year", "note")}, **data}, errors)
    if values["valid_from"] and RuleSet.objects.filter(valid_from=values["valid_from"]).exclude(
            pk=rule_set.pk).exists():
        errors.setdefault("valid_from", []).append(_("A rule set valid from this date already exists."))
    if errors:
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(rule_set, field, value)
    rule_set.save()
    record(actor, "payments.ruleset_update", object_type="ruleset", object_id=rule_set.pk,
           details={k: str(v) for k, v in values.items()}, request=request)
    return rule_set
