"""Writes of the forensic records: transfers, remains and their post-mortem data, marks, effects
found, ante-mortem records and reference samples. Each: the forensic expert's permission, one
transaction, the model's own validation, the appended history and the audit event."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homecoming.exchanges.models import Agreement, Exchange

from ..models import (
    AnteMortemRecord,
    Effect,
    Mark,
    ReferenceSample,
    Remains,
    SampleState,
    Transfer,
)
from .common import CHANGE, missing_person, require, save_with_history

TRANSFER_FIELDS = ("received_on", "place", "declared_count", "received_count", "documents", "discrepancy_note")
REMAINS_FIELDS = ("other_side_label", "declared_place", "declared_date", "sex", "age_min", "age_max",
                  "height_min_cm", "height_max_cm", "hair", "dental", "dental_notes", "condition", "storage_place")
ANTE_MORTEM_FIELDS = ("age_note", "height_min_cm", "height_max_cm", "hair", "dental", "dental_notes", "source",
                      "source_detail", "collected_on")
SAMPLE_FIELDS = ("donor_name", "relationship", "consent_purpose", "consent_on", "barcode", "laboratory",
                 "collected_on", "sent_on", "result_on", "state")


def _only(values: dict, allowed: tuple[str, ...]) -> dict:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"no such fields: {sorted(unknown)}")
    return values


def _by_id(model, pk, field: str, message: str):
    obj = model.objects.filter(pk=pk).first() if str(pk or "").isdigit() else None
    if obj is None:
        raise ValidationError({field: [message]})
    return obj


def _check_transfer(values: dict) -> None:
    """Rules across fields: what arrived and what was declared differ only with an explanation."""
    declared, received = values.get("declared_count"), values.get("received_count")
    if isinstance(declared, int) and isinstance(received, int) and declared != received \
            and not (values.get("discrepancy_note") or "").strip():
        raise ValidationError({"discrepancy_note": [
            _("%(declared)s were declared and %(received)s received: explain the discrepancy.")
            % {"declared": declared, "received": received}]})


@transaction.atomic
def record_transfer(actor, *, agreement_id=None, stage_id=None, request=None, **values) -> Transfer:
    """Record a transfer of remains. ``stage_id`` (a stage of ``agreement_id``; the agreement is
    taken from the stage when only the stage is given) where one exists."""
    require(actor, CHANGE)
    _only(values, TRANSFER_FIELDS)
    agreement = stage = None
    if stage_id not in (None, ""):
        stage = _by_id(Exchange, stage_id, "stage", _("No such stage."))
        if agreement_id not in (None, "") and str(stage.agreement_id) != str(agreement_id):
            raise ValidationError({"stage": [_("That stage belongs to another agreement.")]})
        agreement = stage.agreement
    elif agreement_id not in (None, ""):
        agreement = _by_id(Agreement, agreement_id, "agreement", _("No such agreement."))
    transfer = Transfer(agreement=agreement, stage=stage)
    transfer.created_by_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    obj = save_with_history(actor, transfer, values, action="transfer.record", object_type="remains_transfer",
                            request=request)
    _check_transfer({f: getattr(obj, f) for f in TRANSFER_FIELDS})
    return obj


@transaction.atomic
def update_transfer(actor, transfer_id, *, request=None, **values) -> Transfer:
    require(actor, CHANGE)
    _only(values, TRANSFER_FIELDS)
    transfer = Transfer.objects.select_for_update().filter(pk=transfer_id).first()
    if transfer is None:
        raise ValidationError(_("No such transfer."))
    merged = {**{f: getattr(transfer, f) for f in TRANSFER_FIELDS}, **values}
    if isinstance(merged.get("received_count"), int) and merged["received_count"] < transfer.remains.count():
        raise ValidationError({"received_count": [_("%(n)s remains of this transfer are recorded already.")
                                                  % {"n": transfer.remains.count()}]})
    obj = save_with_history(actor, transfer, values, action="transfer.update", object_type="remains_transfer",
                            request=request)
    _check_transfer({f: getattr(obj, f) for f in TRANSFER_FIELDS})
    return obj


@transaction.atomic
def record_remains(actor, transfer_id, *, request=None, **values) -> Remains:
    """Record remains of a transfer with our case number, made here: the transfer's reference and
    the remains' number within it (``TR-0007-0042``). No more remains than the transfer received."""
    require(actor, CHANGE)
    _only(values, REMAINS_FIELDS)
    transfer = Transfer.objects.select_for_update().filter(pk=transfer_id).first()
    if transfer is None:
        raise ValidationError({"transfer": [_("No such transfer.")]})
    count = transfer.remains.count()
    if count >= transfer.received_count:
        raise ValidationError({"transfer": [_("All %(n)s remains this transfer received are recorded already; "
                                              "correct the number received first.") % {"n": transfer.received_count}]})
    remains = Remains(transfer=transfer, case_number=f"{transfer.reference}-{count + 1:04d}")
    remains.created_by_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    return save_with_history(actor, remains, values, action="remains.record", object_type="remains",
                             details={"transfer": transfer.pk}, request=request)


@transaction.atomic
def update_remains(actor, remains_id, *, request=None, **values) -> Remains:
    """Change post-mortem data; the history keeps every earlier value."""
    require(actor, CHANGE)
    _only(values, REMAINS_FIELDS)
    remains = Remains.objects.select_for_update().filter(pk=remains_id).first()
    if remains is None:
        raise ValidationError(_("No such remains."))
    return save_with_history(actor, remains, values, action="remains.update", object_type="remains",
                             request=request)


@transaction.atomic
def add_mark(actor, *, remains_id=None, ante_mortem_id=None, kind: str, location: str, description: str = "",
             request=None) -> Mark:
    """A distinguishing mark on remains (post-mortem) or on a missing person's ante-mortem record."""
    require(actor, CHANGE)
    if (remains_id in (None, "")) == (ante_mortem_id in (None, "")):
        raise TypeError("a mark belongs to remains or to an ante-mortem record, exactly one")
    mark = Mark()
    if remains_id not in (None, ""):
        mark.remains = _by_id(Remains, remains_id, "remains", _("No such remains."))
    else:
        mark.ante_mortem = _by_id(AnteMortemRecord, ante_mortem_id, "ante_mortem", _("No such record."))
    return save_with_history(actor, mark, {"kind": kind, "location": location, "description": description},
                             action="mark.add", object_type="remains_mark",
                             details={"remains": mark.remains_id, "ante_mortem": mark.ante_mortem_id},
                             request=request)


@transaction.atomic
def add_effect(actor, remains_id, *, kind: str, description: str, name_as_found: str = "",
               request=None) -> Effect:
    """A personal effect or document found with the remains, with the name written on it as found."""
    require(actor, CHANGE)
    effect = Effect(remains=_by_id(Remains, remains_id, "remains", _("No such remains.")))
    return save_with_history(actor, effect, {"kind": kind, "description": description,
                                             "name_as_found": name_as_found},
                             action="effect.add", object_type="remains_effect",
                             details={"remains": effect.remains_id}, request=request)


@transaction.atomic
def record_ante_mortem(actor, person_id, *, request=None, **values) -> AnteMortemRecord:
    """Create or change the ante-mortem record of a missing person (one per person; the history
    keeps every earlier value)."""
    require(actor, CHANGE)
    _only(values, ANTE_MORTEM_FIELDS)
    person = missing_person(person_id)
    existing = AnteMortemRecord.objects.select_for_update().filter(person=person).first()
    record = existing or AnteMortemRecord(person=person)
    if existing is None:
        record.collected_by_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    return save_with_history(actor, record, values, action="ante_mortem.record", object_type="ante_mortem",
                             details={"person": person.pk}, request=request)


@transaction.atomic
def add_reference_sample(actor, person_id, *, request=None, **values) -> ReferenceSample:
    """A relative's reference sample for a missing person, with the consent's purpose and date."""
    require(actor, CHANGE)
    _only(values, SAMPLE_FIELDS)
    person = missing_person(person_id)
    if isinstance(values.get("barcode"), str):
        values["barcode"] = values["barcode"].strip().upper()
    sample = ReferenceSample(person=person)
    sample.created_by_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    obj = save_with_history(actor, sample, values, action="sample.add", object_type="reference_sample",
                            details={"person": person.pk}, request=request)
    _check_sample_dates(obj)
    return obj


@transaction.atomic
def update_reference_sample(actor, sample_id, *, request=None, **values) -> ReferenceSample:
    """The laboratory's progress: sent, result, state (a withdrawn consent is a state too)."""
    require(actor, CHANGE)
    _only(values, ("laboratory", "sent_on", "result_on", "state"))
    sample = ReferenceSample.objects.select_for_update().filter(pk=sample_id).first()
    if sample is None:
        raise ValidationError(_("No such sample."))
    obj = save_with_history(actor, sample, values, action="sample.update", object_type="reference_sample",
                            details={"person": sample.person_id}, request=request)
    _check_sample_dates(obj)
    return obj


def _check_sample_dates(sample: ReferenceSample) -> None:
    """Dates in the order things happen; a result needs a date. Raised inside the transaction:
    the write is rolled back."""
    errors = {}
    if sample.consent_on and sample.collected_on and sample.collected_on < sample.consent_on:
        errors["collected_on"] = [_("A sample is collected after the consent is given.")]
    if sample.sent_on and sample.collected_on and sample.sent_on < sample.collected_on:
        errors["sent_on"] = [_("A sample is sent after it is collected.")]
    if sample.result_on and sample.sent_on and sample.result_on < sample.sent_on:
        errors["result_on"] = [_("A result comes after the sample is sent.")]
    if sample.state in (SampleState.PROFILED, SampleState.FAILED) and not sample.result_on:
        errors["result_on"] = [_("Enter the date of the result.")]
    if errors:
        raise ValidationError(errors)
