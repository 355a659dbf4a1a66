"""Invariants between the remains app and the register (common/invariants.py). One confirmed
identification per remains and per person, and a confirmation by someone other than the proposer,
are database constraints (models.Identification): the database refuses them, so no check here."""

from __future__ import annotations

from django.db.models import Count, F

from homecoming.common.invariants import invariant
from homecoming.registry.models import Status

from .models import Identification, IdentificationState, Task, TaskKind, Transfer


@invariant("remains.confirmed_person_not_deceased",
           "The person of a confirmed identification is deceased in the register, by the live event of death the "
           "confirmation wrote (not corrected).", record="identification")
def confirmed_person_not_deceased() -> list[int]:
    confirmed = Identification.objects.filter(state=IdentificationState.CONFIRMED)
    return sorted(set(confirmed.exclude(person__current_status=Status.DECEASED).values_list("pk", flat=True))
                  | set(confirmed.filter(death_event__isnull=True).values_list("pk", flat=True))
                  | set(confirmed.filter(death_event__corrections__isnull=False).values_list("pk", flat=True))
                  | set(confirmed.exclude(death_event__person=F("person")).values_list("pk", flat=True)))


@invariant("remains.confirmed_without_telling_first",
           "Every confirmed identification has the task of telling the family in person, and no other task of it "
           "is done while that one is open.", record="identification")
def confirmed_without_telling_first() -> list[int]:
    confirmed = Identification.objects.filter(state=IdentificationState.CONFIRMED)
    without = confirmed.exclude(tasks__kind=TaskKind.TELL_FAMILY)
    early = Task.objects.filter(state="done").exclude(kind=TaskKind.TELL_FAMILY).filter(
        identification__tasks__kind=TaskKind.TELL_FAMILY, identification__tasks__state="open")
    return sorted(set(without.values_list("pk", flat=True)) | set(early.values_list("identification_id", flat=True)))


@invariant("remains.transfer_counts",
           "A transfer holds no more remains than it received, and what it received differs from what was declared "
           "only with the discrepancy explained.", record="transfer")
def transfer_counts() -> list[int]:
    over = Transfer.objects.annotate(n=Count("remains")).filter(n__gt=F("received_count"))
    unexplained = Transfer.objects.exclude(declared_count=F("received_count")).filter(discrepancy_note="")
    return sorted(set(over.values_list("pk", flat=True)) | set(unexplained.values_list("pk", flat=True)))
