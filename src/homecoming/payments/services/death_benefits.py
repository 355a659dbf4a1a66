"""The death benefit to the family: an effective-dated rule (the amount is data), and the benefit
itself, which arises when the family is told in person of a death from a confirmed identification
of remains, is approved by one finance officer and recorded as paid by another. When the
identification is reversed an unpaid benefit is cancelled and a paid one is flagged for finance to
settle (recover or write off, with a note), never silently.

The remains app (same layer) asks for these by name through ``PaymentsConfig``; payments never
imports remains and names the identification by its id.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.registry.limits import length_errors
from homecoming.registry.models import Person, StatusEvent

from ..models import LIVE_DEATH_BENEFIT_STATES, DeathBenefit, DeathBenefitRule, DeathBenefitState
from .common import _amount, _date, _require, _user

APPROVE = "payments.approve_batch"
PAY = "payments.prepare_batch"


def _text(data: dict, name: str) -> str:
    return (data.get(name) or "").strip() if isinstance(data.get(name) or "", str) else ""


@transaction.atomic
def create_death_benefit_rule(actor, data: dict, *, request=None) -> DeathBenefitRule:
    """A death benefit amount from a date (``demo`` marks an amount made up for the demo)."""
    _require(actor, "payments.add_deathbenefitrule")
    errors: dict[str, list[str]] = {}
    values = {"valid_from": _date(data.get("valid_from"), "valid_from", errors),
              "amount": _amount(data.get("amount"), "amount", errors),
              "note": _text(data, "note"), "demo": bool(data.get("demo"))}
    for name, messages in length_errors(DeathBenefitRule, {"note": values["note"]}).items():
        errors.setdefault(name, []).extend(messages)
    if values["valid_from"] and DeathBenefitRule.objects.filter(valid_from=values["valid_from"]).exists():
        errors.setdefault("valid_from", []).append(_("A rule valid from this date already exists."))
    if errors:
        raise ValidationError(errors)
    rule = DeathBenefitRule.objects.create(created_by=_user(actor), **values)
    record(actor, "payments.death_rule_create", object_type="death_benefit_rule", object_id=rule.pk,
           details={k: str(v) for k, v in values.items()}, request=request)
    return rule


def rule_for(day: dt.date) -> DeathBenefitRule | None:
    """The rule in force on ``day``: the latest valid from that day or before."""
    return DeathBenefitRule.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def _apply_rule(benefit: DeathBenefit) -> None:
    rule = rule_for(benefit.death_date)
    if rule is None:
        return
    benefit.rule, benefit.amount = rule, rule.amount
    if rule.used_at is None:
        rule.used_at = timezone.now()
        rule.save(update_fields=["used_at"])


@transaction.atomic
def death_benefit_arises(actor, *, person_id: int, identification_id: int, death_event_id: int,
                         permission: str, request=None) -> DeathBenefit:
    """Asked by the remains app, inside its transaction, when the family has been told in person
    of the death a confirmed identification wrote (``permission``: the one the caller checked,
    checked here again). The amount is the rule's in force on the date of death; with no rule yet
    the benefit waits for one (finance sees it without an amount, and approval adds it)."""
    _require(actor, permission)
    person = Person.objects.get(pk=person_id)
    event = StatusEvent.objects.get(pk=death_event_id, person=person)
    existing = DeathBenefit.objects.filter(identification_id=identification_id).first()
    if existing is not None:
        return existing
    benefit = DeathBenefit(person=person, identification_id=identification_id, death_event=event,
                           death_date=event.effective_date, arose_by=_user(actor))
    _apply_rule(benefit)
    benefit.save()
    record(actor, "payments.death_benefit_arise", object_type="death_benefit", object_id=benefit.pk,
           details={"person": person.pk, "identification": identification_id,
                    "amount": str(benefit.amount) if benefit.amount is not None else None,
                    "rule": benefit.rule_id}, request=request)
    return benefit


def _benefit(pk) -> DeathBenefit:
    benefit = DeathBenefit.objects.select_for_update().filter(pk=pk).first() if str(pk or "").isdigit() else None
    if benefit is None:
        raise ValidationError(_("No such death benefit."))
    return benefit


@transaction.atomic
def approve_death_benefit(actor, benefit_id, *, recipient: str, iban: str = "", request=None) -> DeathBenefit:
    """A finance officer approves the benefit for a named family member (and their account)."""
    _require(actor, APPROVE)
    benefit = _benefit(benefit_id)
    if benefit.state != DeathBenefitState.DUE:
        raise ValidationError(_("Only a benefit that is due can be approved."))
    errors: dict[str, list[str]] = {}
    recipient, iban = (recipient or "").strip(), (iban or "").replace(" ", "").upper()
    if not recipient:
        errors["recipient"] = [_("Name the family member the benefit is paid to.")]
    for name, messages in length_errors(DeathBenefit, {"recipient": recipient, "iban": iban}).items():
        errors.setdefault(name, []).extend(messages)
    if benefit.rule_id is None:
        _apply_rule(benefit)
        if benefit.rule_id is None:
            errors["amount"] = [_("No death benefit rule is in force on %(date)s: add one first.")
                                % {"date": benefit.death_date.isoformat()}]
    if errors:
        raise ValidationError(errors)
    benefit.state, benefit.recipient, benefit.iban = DeathBenefitState.APPROVED, recipient, iban
    benefit.approved_by, benefit.approved_at = _user(actor), timezone.now()
    benefit.save()
    record(actor, "payments.death_benefit_approve", object_type="death_benefit", object_id=benefit.pk,
           details={"person": benefit.person_id, "amount": str(benefit.amount)}, request=request)
    return benefit


@transaction.atomic
def mark_death_benefit_paid(actor, benefit_id, *, request=None) -> DeathBenefit:
    """A second finance officer records the approved benefit as paid (never the approver)."""
    _require(actor, PAY)
    benefit = _benefit(benefit_id)
    if benefit.state != DeathBenefitState.APPROVED:
        raise ValidationError(_("Only an approved benefit can be recorded as paid."))
    if benefit.approved_by_id == getattr(_user(actor), "pk", None):
        raise PermissionDenied(_("The person who approved a benefit cannot record it as paid: a second person "
                                 "must."))
    benefit.state, benefit.paid_by, benefit.paid_at = DeathBenefitState.PAID, _user(actor), timezone.now()
    benefit.save(update_fields=["state", "paid_by", "paid_at"])
    record(actor, "payments.death_benefit_paid", object_type="death_benefit", object_id=benefit.pk,
           details={"person": benefit.person_id, "amount": str(benefit.amount)}, request=request)
    return benefit


@transaction.atomic
def death_reversed(actor, *, identification_id: int, reason: str, permission: str,
                   request=None) -> DeathBenefit | None:
    """Asked by the remains app, inside its transaction, when a confirmed identification is
    reversed: an unpaid benefit is cancelled; a paid one is flagged for finance (the money went
    out on a death the register no longer holds). Returns the benefit, or None when none arose."""
    _require(actor, permission)
    benefit = DeathBenefit.objects.select_for_update().filter(identification_id=identification_id).first()
    if benefit is None or benefit.state == DeathBenefitState.CANCELLED or benefit.flagged_at:
        return benefit
    reason = reason.strip()[:300]
    details = {"person": benefit.person_id, "identification": identification_id,
               "amount": str(benefit.amount) if benefit.amount is not None else None}
    if benefit.state == DeathBenefitState.PAID:
        benefit.flagged_at, benefit.flag_reason = timezone.now(), reason
        benefit.save(update_fields=["flagged_at", "flag_reason"])
        record(actor, "payments.death_benefit_flag", object_type="death_benefit", object_id=benefit.pk,
               details=details, request=request)
    else:
        benefit.state, benefit.cancelled_at, benefit.cancel_reason = (DeathBenefitState.CANCELLED, timezone.now(),
                                                                      reason)
        benefit.save(update_fields=["state", "cancelled_at", "cancel_reason"])
        record(actor, "payments.death_benefit_cancel", object_type="death_benefit", object_id=benefit.pk,
               details=details, request=request)
    return benefit


@transaction.atomic
def settle_flagged_death_benefit(actor, benefit_id, *, note: str, request=None) -> DeathBenefit:
    """Finance records how a paid benefit whose death was reversed was settled (recovered,
    written off by a decision): the flag stays, with its settlement beside it."""
    _require(actor, APPROVE)
    benefit = _benefit(benefit_id)
    if not benefit.flagged_at:
        raise ValidationError(_("Only a flagged benefit is settled."))
    if benefit.settled_at:
        raise ValidationError(_("This benefit is settled already."))
    note = (note or "").strip()
    errors = length_errors(DeathBenefit, {"settlement_note": note})
    if not note:
        errors["settlement_note"] = [_("Say how it was settled.")]
    if errors:
        raise ValidationError(errors)
    benefit.settled_at, benefit.settled_by, benefit.settlement_note = timezone.now(), _user(actor), note
    benefit.save(update_fields=["settled_at", "settled_by", "settlement_note"])
    record(actor, "payments.death_benefit_settle", object_type="death_benefit", object_id=benefit.pk,
           details={"person": benefit.person_id}, request=request)
    return benefit


def live_benefits():
    """Benefits that still stand: not cancelled and not flagged."""
    return DeathBenefit.objects.filter(state__in=LIVE_DEATH_BENEFIT_STATES, flagged_at__isnull=True)
