"""Invariants between aftercare and the register (common/invariants.py)."""

from __future__ import annotations

from homecoming.common.invariants import invariant
from homecoming.registry.models import Person, Status, StatusEvent
from homecoming.registry.services import MANAGED_BY_EXCHANGES

from .models import Case


@invariant("aftercare.returnee_without_case",
           "Every person of ours whose return a reconciliation recorded, and who is home now, has an aftercare "
           "case (open or closed).", record="person")
def returnee_without_case() -> list[int]:
    reconciled = StatusEvent.objects.filter(status=Status.RETURNED, managed_by=MANAGED_BY_EXCHANGES,
                                            corrections__isnull=True).values("person_id")
    return list(Person.objects.filter(pk__in=reconciled, current_status=Status.RETURNED, merged_into__isnull=True)
                .exclude(pk__in=Case.objects.values("person_id")).values_list("pk", flat=True))


@invariant("aftercare.case_of_merged_record",
           "No aftercare case belongs to a record merged into another.", record="aftercare case")
def case_of_merged_record() -> list[int]:
    return list(Case.objects.filter(person__merged_into__isnull=False).values_list("pk", flat=True))
