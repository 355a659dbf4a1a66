"""Invariants between payments and the register (common/invariants.py): nothing is owed or paid
to someone the register does not hold as returned, and every reconciled return reaches finance."""

from __future__ import annotations

from homecoming.common.invariants import invariant
from homecoming.registry.models import Person, Status, StatusEvent
from homecoming.registry.services import MANAGED_BY_EXCHANGES

from .models import Entitlement, LedgerEntry, ReturnRecord
from .selectors import RETURN_STATUSES


def _returned_ever():
    """Persons with a live (not corrected) return in their history."""
    return StatusEvent.objects.filter(status__in=RETURN_STATUSES, corrections__isnull=True).values("person_id")


@invariant("payments.owed_to_someone_not_returned",
           "An entitlement or a ledger entry belongs to a person whose history holds a live return.",
           record="person")
def owed_to_someone_not_returned() -> list[int]:
    return sorted(set(Entitlement.objects.exclude(person_id__in=_returned_ever()).values_list("person_id", flat=True))
                  | set(LedgerEntry.objects.exclude(person_id__in=_returned_ever())
                        .values_list("person_id", flat=True)))


@invariant("payments.return_not_noted",
           "Every return a reconciliation recorded is noted for finance (a return record).", record="person")
def return_not_noted() -> list[int]:
    reconciled = StatusEvent.objects.filter(status=Status.RETURNED, managed_by=MANAGED_BY_EXCHANGES,
                                            corrections__isnull=True).values("person_id")
    return list(Person.objects.filter(pk__in=reconciled, merged_into__isnull=True)
                .exclude(pk__in=ReturnRecord.objects.values("person_id")).values_list("pk", flat=True))


@invariant("payments.records_of_merged_record",
           "No entitlement, ledger entry or return record belongs to a record merged into another.", record="person")
def records_of_merged_record() -> list[int]:
    merged = Person.objects.filter(merged_into__isnull=False).values("pk")
    return sorted(set(Entitlement.objects.filter(person_id__in=merged).values_list("person_id", flat=True))
                  | set(LedgerEntry.objects.filter(person_id__in=merged).values_list("person_id", flat=True))
                  | set(ReturnRecord.objects.filter(person_id__in=merged).values_list("person_id", flat=True)))
