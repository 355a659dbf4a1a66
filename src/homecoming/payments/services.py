"""Every write of payments: one transaction, a permission check on the actor, an audit event.

The arithmetic is :mod:`homecoming.payments.arithmetic` (pure); here it meets the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from homecoming.audit.services import record, record_many
from homecoming.common.cells import neutralise
from homecoming.common.confirm import check
from homecoming.registry.models import Person

from . import arithmetic, selectors
from .models import (
    Batch,
    BatchLine,
    BatchState,
    CapturePrecision,
    Due,
    DueKind,
    Entitlement,
    EntitlementLine,
    FamilyPayment,
    LedgerEntry,
    PartYear,
    PayData,
    PaymentProfile,
    ReturnRecord,
    RuleSet,
    RuleSetInUse,
)

MAX_AMOUNT = Decimal("1000000000")


def _require(actor, *perms: str) -> None:
    for perm in perms:
        if actor is None or not actor.has_perm(perm):
            raise PermissionDenied(_("You do not have the permission to do this."))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _date(value, field: str, errors: dict) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
        return None


def _amount(value, field: str, errors: dict, *, positive: bool = True) -> Decimal | None:
    """UAH with at most two decimals (a comma is accepted as the decimal mark)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value or "").strip().replace(",", "."))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        errors.setdefault(field, []).append(_("Enter an amount in hryvnias, e.g. 12500.50."))
        return None
    if amount.as_tuple().exponent < -2:
        errors.setdefault(field, []).append(_("At most two decimal places (kopiyky)."))
        return None
    if (positive and amount <= 0) or amount < 0 or amount >= MAX_AMOUNT:
        errors.setdefault(field, []).append(_("Enter an amount greater than zero and below 1,000,000,000."))
        return None
    return amount


# --- rule sets ---------------------------------------------------------------------------------

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
    if len(values["note"]) > 300:
        errors.setdefault("note", []).append(_("At most %(n)s characters.") % {"n": 300})
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


# --- a person's payment data ---------------------------------------------------------------------

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
    if len(account_holder) > 200:
        errors["account_holder"] = [_("At most %(n)s characters.") % {"n": 200}]
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
    if len(reference) > 200:
        errors["reference"] = [_("At most %(n)s characters.") % {"n": 200}]
    if errors:
        raise ValidationError(errors)
    payment = FamilyPayment.objects.create(person=person, paid_on=paid_on, amount=amount, reference=reference,
                                           created_by=_user(actor))
    record(actor, "payments.family_payment_add", object_type="person", object_id=person.pk,
           details={"family_payment": payment.pk, "paid_on": paid_on.isoformat()}, request=request)
    return payment


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


# --- entitlements ---------------------------------------------------------------------------------

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


# --- batches -------------------------------------------------------------------------------------

def _purpose(due: Due) -> str:
    with translation.override("uk"):
        kind = _("adjustment") if due.kind == DueKind.ADJUSTMENT else _("entitlement")
        return _("Payments to a person returned from captivity, %(ref)s, %(kind)s no. %(due)s") % {
            "ref": due.entitlement.person.reference, "kind": kind, "due": due.pk}


@transaction.atomic
def prepare_batch(actor, *, due_ids: list[int] | None = None, note: str = "", request=None) -> Batch:
    """Put the dues that are in no batch and not paid (all of them, or those in ``due_ids``) into a
    new batch waiting for a second finance officer's approval. Dues of persons without an IBAN are
    left out (the page lists them)."""
    _require(actor, "payments.prepare_batch")
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": [_("At most %(n)s characters.") % {"n": 300}]})
    dues = selectors.open_dues().select_for_update(of=("self",))
    if due_ids is not None:
        try:
            wanted = {int(d) for d in due_ids}
        except (TypeError, ValueError) as exc:
            raise ValidationError({"due_ids": [_("Give the numbers of the amounts due.")]}) from exc
        dues = dues.filter(pk__in=wanted)
    locked = [d.pk for d in dues]
    # Under the locks, read again: another officer's batch may have taken some of these dues while
    # we waited (PostgreSQL re-checks a locked row, not the batch lines joined to it).
    dues = list(selectors.open_dues().filter(pk__in=locked))
    if len(dues) < len(locked) and not dues:
        raise ValidationError({"due_ids": [_("Another finance officer has just put these amounts into another "
                                             "batch; nothing was prepared. Open the list of batches.")]})
    dues = [d for d in dues if d.amount != 0]
    payable = [d for d in dues if selectors.iban_of(d.entitlement.person)]
    if not payable:
        raise ValidationError({"due_ids": [_("Nothing to pay: no amount due has bank details and is outside a "
                                             "batch.")]})
    try:
        with transaction.atomic():
            batch = Batch.objects.create(prepared_by=actor, total=sum((d.amount for d in payable), Decimal("0.00")),
                                         note=note)
            for d in payable:
                profile = d.entitlement.person.payment_profile
                BatchLine.objects.create(batch=batch, due=d, amount=d.amount, iban=profile.iban,
                                         name=profile.account_holder or d.entitlement.person.full_name,
                                         purpose=_purpose(d))
    except IntegrityError:  # the last guard: a due in two active batches is refused by the database
        raise ValidationError({"due_ids": [_("Another finance officer has just put these amounts into another "
                                             "batch; nothing was prepared. Open the list of batches.")]}) from None
    record(actor, "payments.batch_prepare", object_type="batch", object_id=batch.pk,
           details={"lines": len(payable), "total": str(batch.total)}, request=request)
    return batch


class FourEyes(PermissionDenied):
    pass


@transaction.atomic
def approve_batch(actor, batch_id: int, *, confirm: str | None = None, request=None) -> Batch:
    """A second finance officer approves: the batch's lines become ledger entries. The same person
    cannot prepare and approve, whatever their roles. Two approvals at the same moment: the batch
    row is locked, the second sees the batch already approved; the ledger's unique due is the
    last guard against paying anything twice. ``confirm``: the fingerprint of the lines and total
    the approver saw (selectors.batch_fingerprint); when given, anything else is refused."""
    _require(actor, "payments.approve_batch")
    batch = Batch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise ValidationError({"batch": [_("No such batch.")]})
    if batch.prepared_by_id == getattr(actor, "pk", None):
        raise FourEyes(_("You prepared this batch: a different finance officer must approve it."))
    if batch.state != BatchState.PREPARED:
        raise ValidationError({"batch": [_("This batch is not waiting for approval (it is “%(state)s”).")
                                         % {"state": BatchState(batch.state).label}]})
    if confirm is not None:
        check(confirm, selectors.batch_fingerprint(batch))
    lines = list(batch.lines.filter(active=True).select_related("due__entitlement"))
    if LedgerEntry.objects.filter(due__in=[line.due_id for line in lines]).exists():
        raise ValidationError({"batch": [_("Some of these amounts have already been paid: reject this batch.")]})
    try:
        with transaction.atomic():
            LedgerEntry.objects.bulk_create([
                LedgerEntry(due=line.due, batch=batch, person_id=line.due.entitlement.person_id, amount=line.amount,
                            iban=line.iban, name=line.name, purpose=line.purpose)
                for line in lines
            ])
    except IntegrityError as exc:
        raise ValidationError({"batch": [_("Some of these amounts have already been paid: reject this batch.")]}) \
            from exc
    batch.state = BatchState.APPROVED
    batch.approved_by = actor
    batch.approved_at = timezone.now()
    batch.save(update_fields=["state", "approved_by", "approved_at"])
    record(actor, "payments.batch_approve", object_type="batch", object_id=batch.pk,
           details={"lines": len(lines), "total": str(batch.total)}, request=request)
    return batch


@transaction.atomic
def reject_batch(actor, batch_id: int, *, reason: str = "", request=None) -> Batch:
    """The approver sends a prepared batch back: its dues are free for a new batch."""
    _require(actor, "payments.approve_batch")
    batch = Batch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise ValidationError({"batch": [_("No such batch.")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the batch is rejected.")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("At most %(n)s characters.") % {"n": 300}]})
    if batch.state != BatchState.PREPARED:
        raise ValidationError({"batch": [_("This batch is not waiting for approval (it is “%(state)s”).")
                                         % {"state": BatchState(batch.state).label}]})
    batch.lines.update(active=False)
    batch.state = BatchState.REJECTED
    batch.note = reason
    batch.save(update_fields=["state", "note"])
    record(actor, "payments.batch_reject", object_type="batch", object_id=batch.pk, details={"reason": reason},
           request=request)
    return batch


@transaction.atomic
def mark_batch_paid(actor, batch_id: int, *, confirm: str | None = None, request=None) -> Batch:
    """The bank confirmed the payment of an approved batch (``confirm`` as for approve_batch)."""
    _require(actor, "payments.prepare_batch")
    batch = Batch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise ValidationError({"batch": [_("No such batch.")]})
    if batch.state != BatchState.APPROVED:
        raise ValidationError({"batch": [_("Only an approved batch can be marked paid.")]})
    if confirm is not None:
        check(confirm, selectors.batch_fingerprint(batch))
    batch.state = BatchState.PAID
    batch.paid_by = actor
    batch.paid_at = timezone.now()
    batch.save(update_fields=["state", "paid_by", "paid_at"])
    record(actor, "payments.batch_paid", object_type="batch", object_id=batch.pk, request=request)
    return batch


def export_batch_csv(actor, batch_id: int, *, request=None) -> str:
    """The bank's file of an approved (or paid) batch: IBAN, name, amount, purpose. Audited."""
    _require(actor, "payments.view_payment_data")
    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise ValidationError({"batch": [_("No such batch.")]})
    if batch.state not in (BatchState.APPROVED, BatchState.PAID):
        raise ValidationError({"batch": [_("Only an approved batch goes to the bank.")]})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["iban", "name", "amount", "purpose"])
    for entry in batch.ledger_entries.order_by("id"):
        writer.writerow([neutralise(entry.iban), neutralise(entry.name), f"{entry.amount:.2f}",
                         neutralise(entry.purpose)])
    record(actor, "payments.batch_export", object_type="batch", object_id=batch.pk,
           details={"lines": batch.ledger_entries.count()}, request=request)
    return out.getvalue()


def record_entitlement_view(actor, entitlement: Entitlement, *, request=None, via: str = "page") -> None:
    record(actor, "payments.entitlement_view", object_type="person", object_id=entitlement.person_id,
           details={"entitlement": entitlement.pk, "via": via}, request=request)


# --- merges of persons ----------------------------------------------------------------------------

def refuse_merge_of_money(duplicate) -> None:
    """Money data (pay data, family payments, a payment profile, an entitlement, the ledger) never
    moves between records: a merge whose duplicate holds any is refused; keep that record instead."""
    if (PayData.objects.filter(person=duplicate).exists() or FamilyPayment.objects.filter(person=duplicate).exists()
            or PaymentProfile.objects.filter(person=duplicate).exists()
            or Entitlement.objects.filter(person=duplicate).exists()
            or LedgerEntry.objects.filter(person=duplicate).exists()):
        raise ValidationError(_("%(ref)s holds payment records: keep that record and merge the other one into it, "
                                "or ask a finance officer.") % {"ref": duplicate.reference})


def refuse_losing_a_paid_return(persons) -> None:
    """A status event must not take the return away from a person who is owed or paid for it (the
    money would have no ground); a finance officer settles it first."""
    from homecoming.registry import lifecycle

    ids = [p.pk for p in persons if p.current_status not in selectors.RETURN_STATUSES]
    if not ids:
        return
    with_money = set(Entitlement.objects.filter(person_id__in=ids).values_list("person_id", flat=True)) | set(
        LedgerEntry.objects.filter(person_id__in=ids).values_list("person_id", flat=True))
    for person in persons:
        if person.pk in with_money and not any(
                e.status in selectors.RETURN_STATUSES for e in lifecycle.live_events(person.status_events.all())):
            raise ValidationError(_("%(ref)s is owed or paid for a return: the register cannot lose that return "
                                    "until a finance officer settles the payments.") % {"ref": person.reference})


def follow_merge(merge, survivor, duplicate) -> int:
    """The duplicate's returns move to the survivor (undone exactly). Money data (pay data, family
    payments, entitlements, the ledger) never moves: see :func:`refuse_merge_of_money`."""
    moved = ReturnRecord.objects.filter(person=duplicate).update(person=survivor, moved_from_person_id=duplicate.pk)
    if moved:
        record(None, "payments.follow_merge", object_type="person", object_id=survivor.pk,
               details={"merge": merge.pk, "duplicate": duplicate.pk, "returns": moved})
    return moved


def follow_merge_undo(merge, survivor, duplicate) -> int:
    moved = ReturnRecord.objects.filter(person=survivor, moved_from_person_id=duplicate.pk).update(
        person=duplicate, moved_from_person_id=None)
    if moved:
        record(None, "payments.follow_merge_undo", object_type="person", object_id=duplicate.pk,
               details={"merge": merge.pk, "survivor": survivor.pk, "returns": moved})
    return moved
