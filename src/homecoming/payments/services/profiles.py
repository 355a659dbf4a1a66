"""What payments need to know of a returnee: bank details, pay data, payments the family received.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.registry.limits import length_errors
from homecoming.registry.models import Person

from ..models import (
    CapturePrecision,
    FamilyPayment,
    PayData,
    PaymentProfile,
)
from .common import _amount, _date, _require, _user


def _iban_ok(iban: str) -> bool:
    if not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:4].isdigit() and iban.isalnum()
            and iban.isascii()):
        return False
    if iban.startswith("UA") and len(iban) != 29:
        return False
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


PAYMENT_DATA_PERMS = ("payments.view_payment_data", "payments.prepare_batch")


@transaction.atomic
def set_payment_profile(actor, person_id: int, *, iban: str, account_holder: str, capture_precision: str,
                        request=None) -> PaymentProfile:
    _require(actor, *PAYMENT_DATA_PERMS)
    person = Person.objects.select_for_update().get(pk=person_id)
    errors: dict[str, list[str]] = {}
    iban = "".join((iban or "").split()).upper()
    account_holder = (account_holder or "").strip()
    if iban and not _iban_ok(iban):
        errors["iban"] = [_("Enter a valid IBAN (a Ukrainian one is UA and 27 digits), e.g. UA21 3223 1300 0002 "
                            "6007 2335 6600 1.")]
    errors.update(length_errors(PaymentProfile, {"account_holder": account_holder}))
    if capture_precision not in CapturePrecision.values:
        errors["capture_precision"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(CapturePrecision.values)}]
    if errors:
        raise ValidationError(errors)
    profile, _created = PaymentProfile.objects.get_or_create(person=person)
    profile.iban, profile.account_holder, profile.capture_precision = iban, account_holder, capture_precision
    profile.updated_by = _user(actor)
    profile.save()
    # The audit says what changed, never the account number itself.
    record(actor, "payments.profile_set", object_type="person", object_id=person.pk,
           details={"iban_set": bool(iban), "capture_precision": capture_precision}, request=request)
    return profile


@transaction.atomic
def add_pay_data(actor, person_id: int, *, valid_from, monthly_amount, request=None) -> PayData:
    _require(actor, *PAYMENT_DATA_PERMS)
    person = Person.objects.select_for_update().get(pk=person_id)
    errors: dict[str, list[str]] = {}
    valid_from = _date(valid_from, "valid_from", errors)
    monthly_amount = _amount(monthly_amount, "monthly_amount", errors)
    if valid_from and PayData.objects.filter(person=person, valid_from=valid_from).exists():
        errors.setdefault("valid_from", []).append(_("This person already has pay data valid from this date."))
    if errors:
        raise ValidationError(errors)
    pay = PayData.objects.create(person=person, valid_from=valid_from, monthly_amount=monthly_amount,
                                 created_by=_user(actor))
    record(actor, "payments.paydata_add", object_type="person", object_id=person.pk,
           details={"pay_data": pay.pk, "valid_from": valid_from.isoformat()}, request=request)
    return pay


@transaction.atomic
def add_family_payment(actor, person_id: int, *, paid_on, amount, reference: str = "", request=None) -> FamilyPayment:
    _require(actor, *PAYMENT_DATA_PERMS)
    person = Person.objects.select_for_update().get(pk=person_id)
    errors: dict[str, list[str]] = {}
    paid_on = _date(paid_on, "paid_on", errors)
    amount = _amount(amount, "amount", errors)
    reference = (reference or "").strip()
    if paid_on and paid_on > timezone.localdate():
        errors.setdefault("paid_on", []).append(_("The date cannot be in the future."))
    errors.update(length_errors(FamilyPayment, {"reference": reference}))
    if errors:
        raise ValidationError(errors)
    payment = FamilyPayment.objects.create(person=person, paid_on=paid_on, amount=amount, reference=reference,
                                           created_by=_user(actor))
    record(actor, "payments.family_payment_add", object_type="person", object_id=person.pk,
           details={"family_payment": payment.pk, "paid_on": paid_on.isoformat()}, request=request)
    return payment
