"""Following the register: a merge or a status event that would lose money records is
refused (the receivers raise inside the writer's transaction); otherwise the records follow.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from homecoming.audit.services import record

from .. import selectors
from ..models import (
    DeathBenefit,
    Entitlement,
    FamilyPayment,
    LedgerEntry,
    PayData,
    PaymentProfile,
    ReturnRecord,
)


def refuse_merge_of_money(duplicate) -> None:
    """Money data (pay data, family payments, a payment profile, an entitlement, the ledger) never
    moves between records: a merge whose duplicate holds any is refused; keep that record instead."""
    if (PayData.objects.filter(person=duplicate).exists() or FamilyPayment.objects.filter(person=duplicate).exists()
            or PaymentProfile.objects.filter(person=duplicate).exists()
            or Entitlement.objects.filter(person=duplicate).exists()
            or LedgerEntry.objects.filter(person=duplicate).exists()
            or DeathBenefit.objects.filter(person=duplicate).exists()):
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
