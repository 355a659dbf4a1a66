"""Returns noted (from the reconciliation) and the entitlement computed from them by the
pure arithmetic, line by line.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record, record_many
from homecoming.registry.models import Person

from .. import arithmetic, selectors
from ..models import (
    CapturePrecision,
    Due,
    DueKind,
    Entitlement,
    EntitlementLine,
    PaymentProfile,
    ReturnRecord,
    RuleSet,
)
from .common import _require, _user


def note_return(actor, person, *, exchange=None, returned_on: dt.date) -> ReturnRecord:
    """Remember in which exchange a person came back (for the report). Called by the receiver of
    ``person_returned`` inside the reconciliation, whose permission the exchanges app checked."""
    rec = ReturnRecord.objects.create(person=person, exchange_id=getattr(exchange, "pk", None),
                                      exchange_label=str(exchange) if exchange is not None else "",
                                      returned_on=returned_on)
    record(actor, "payments.return_noted", object_type="person", object_id=person.pk,
           details={"exchange": rec.exchange_id, "returned_on": returned_on.isoformat()})
    return rec


def note_returns(actor, returns, *, exchange=None) -> list[ReturnRecord]:
    """:func:`note_return` for every ``(person, returned_on)`` of ``returns`` at once (the receiver
    of ``persons_returned``): the same records and audit events, in a few bulk INSERTs."""
    exchange_id = getattr(exchange, "pk", None)
    label = str(exchange) if exchange is not None else ""
    records = ReturnRecord.objects.bulk_create(
        [ReturnRecord(person=person, exchange_id=exchange_id, exchange_label=label, returned_on=returned_on)
         for person, returned_on in returns], batch_size=500)
    record_many(actor, [
        {"action": "payments.return_noted", "object_type": "person", "object_id": rec.person_id,
         "details": {"exchange": rec.exchange_id, "returned_on": rec.returned_on.isoformat()}}
        for rec in records
    ])
    return records


def _arithmetic_error(exc: arithmetic.ArithmeticError_) -> ValidationError:
    day = exc.date.isoformat() if exc.date else ""
    messages = {
        "no_capture": ("capture_date", _("The register has no date of capture for this person.")),
        "no_return": ("return_date", _("The register has no “Returned” or “Released by other means” status "
                                       "event for this person.")),
        "order": ("return_date", _("The return date must be after the capture date.")),
        "no_rules": ("rules", _("No payment rule set is in force on %(date)s: add one valid from that date or "
                                "earlier.") % {"date": day}),
        "no_pay": ("pay_data", _("The person has no pay data in force on %(date)s: add their monthly allowance "
                                 "valid from that date or earlier.") % {"date": day}),
    }
    field, message = messages.get(exc.code, ("__all__", str(exc)))
    return ValidationError({field: [message]})


@transaction.atomic
def compute_entitlement(actor, person_id: int, *, request=None) -> Entitlement:
    """Compute what the person is owed from the register's dates, the rule sets, their pay data and
    what their family was paid; store the explained lines. The first computation creates a due for
    the total; a later one that gives a different total creates a visible adjustment due for the
    difference (positive: to pay, negative: to recover). Approved amounts never change."""
    _require(actor, "payments.prepare_batch")
    person = Person.objects.select_for_update().get(pk=person_id)
    if person.merged_into_id:
        raise ValidationError({"person": [_("This record was merged into %(ref)s; compute there.")
                                          % {"ref": person.merged_into.reference}]})
    profile = PaymentProfile.objects.filter(person=person).first()
    precision = getattr(person, "incident_date_precision", None) or (
        profile.capture_precision if profile else CapturePrecision.DAY)
    rule_sets = {r.pk: r for r in RuleSet.objects.all()}
    try:
        comp = arithmetic.compute(
            capture_date=person.incident_date, return_date=selectors.return_date_of(person),
            capture_precision=precision,
            rules=[arithmetic.Rules(r.valid_from, r.one_time_amount, r.per_year_amount, r.part_year, key=r.pk)
                   for r in rule_sets.values()],
            pay=[arithmetic.Pay(p.valid_from, p.monthly_amount, key=p.pk) for p in person.pay_data.all()],
            family_paid=[arithmetic.FamilyPaid(f.paid_on, f.amount, f.reference, key=f.pk)
                         for f in person.family_payments.all()],
        )
    except arithmetic.ArithmeticError_ as exc:
        raise _arithmetic_error(exc) from exc
    ret = ReturnRecord.objects.filter(person=person).order_by("-returned_on", "-id").first()
    now = timezone.now()
    values = {
        "recorded_capture_date": comp.recorded_capture_date, "capture_precision": comp.capture_precision,
        "capture_date": comp.capture_date, "return_date": comp.return_date, "days": comp.days,
        "whole_years": comp.whole_years, "total": comp.total, "computed_at": now, "computed_by": _user(actor),
        "exchange_id": ret.exchange_id if ret else None, "exchange_label": ret.exchange_label if ret else "",
    }
    entitlement = Entitlement.objects.filter(person=person).select_for_update().first()
    if entitlement is None:
        entitlement = Entitlement.objects.create(person=person, **values)
    else:
        for field, value in values.items():
            setattr(entitlement, field, value)
        entitlement.save()
        entitlement.lines.all().delete()
    EntitlementLine.objects.bulk_create([
        EntitlementLine(entitlement=entitlement, position=i, kind=line.kind,
                        rule_set=rule_sets.get(line.rule_key), period_start=line.period_start,
                        period_end=line.period_end, days=line.days, basis=line.basis, numerator=line.numerator,
                        denominator=line.denominator, amount=line.amount, note=line.note[:200])
        for i, line in enumerate(comp.lines)
    ])
    used = {line.rule_key for line in comp.lines if line.rule_key is not None}
    for rule_set in RuleSet.objects.filter(pk__in=used, used_at__isnull=True):
        rule_set.used_at = now
        rule_set.save(update_fields=["used_at"])
    already = entitlement.dues.aggregate(s=Sum("amount"))["s"]
    if already is not None:  # exact kopiyky (SQLite sums decimals as floats)
        already = Decimal(already).quantize(arithmetic.KOPIYKA)
    due = None
    if already is None:
        due = Due.objects.create(entitlement=entitlement, kind=DueKind.ENTITLEMENT, amount=comp.total,
                                 new_total=comp.total, created_by=_user(actor))
    elif already != comp.total:
        due = Due.objects.create(entitlement=entitlement, kind=DueKind.ADJUSTMENT, amount=comp.total - already,
                                 previous_total=already, new_total=comp.total, created_by=_user(actor))
    record(actor, "payments.entitlement_compute", object_type="person", object_id=person.pk,
           details={"entitlement": entitlement.pk, "total": str(comp.total), "days": comp.days,
                    "due": due.pk if due else None, "due_kind": due.kind if due else None,
                    "due_amount": str(due.amount) if due else None}, request=request)
    return entitlement


def record_entitlement_view(actor, entitlement: Entitlement, *, request=None, via: str = "page") -> None:
    record(actor, "payments.entitlement_view", object_type="person", object_id=entitlement.person_id,
           details={"entitlement": entitlement.pk, "via": via}, request=request)
