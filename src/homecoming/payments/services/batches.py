"""Batches of payments: prepared, approved by a second officer (four eyes), rejected, paid
and exported for the bank.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.cells import neutralise
from homecoming.common.confirm import check
from homecoming.registry.limits import length_errors

from .. import selectors
from ..models import (
    Batch,
    BatchLine,
    BatchState,
    Due,
    DueKind,
    LedgerEntry,
)
from .common import _require


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
    if too_long := length_errors(Batch, {"note": note}):
        raise ValidationError(too_long)
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
    if too_long := length_errors(Batch, {"note": reason}):  # the reason is kept as the batch's note
        raise ValidationError({"reason": too_long["note"]})
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
