"""Invariants between the remains app and the register (common/invariants.py). One confirmed
identification per remains and per person, and a confirmation by someone other than the proposer,
are database constraints (models.Identification): the database refuses them, so no check here."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q

from homecoming.common.invariants import invariant
from homecoming.registry.models import Status, StatusEvent
from homecoming.registry.services import MANAGED_BY_REMAINS

from .models import Identification, IdentificationState, Task, TaskKind, TaskState, Transfer


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
    early = Task.objects.filter(state="done").exclude(kind__in=[TaskKind.TELL_FAMILY, TaskKind.TELL_REVERSAL]).filter(
        identification__tasks__kind=TaskKind.TELL_FAMILY, identification__tasks__state="open")
    return sorted(set(without.values_list("pk", flat=True)) | set(early.values_list("identification_id", flat=True)))


@invariant("remains.transfer_counts",
           "A transfer holds no more remains than it received, and what it received differs from what was declared "
           "only with the discrepancy explained.", record="transfer")
def transfer_counts() -> list[int]:
    over = Transfer.objects.annotate(n=Count("remains")).filter(n__gt=F("received_count"))
    unexplained = Transfer.objects.exclude(declared_count=F("received_count")).filter(discrepancy_note="")
    return sorted(set(over.values_list("pk", flat=True)) | set(unexplained.values_list("pk", flat=True)))


def _benefits():
    """The payments app's death benefits, by name (same layer: no import); None without payments."""
    from django.apps import apps

    return apps.get_model("payments", "DeathBenefit") if apps.is_installed("homecoming.payments") else None


@invariant("remains.register_event_without_identification",
           "Every live event of death the register holds from identified remains is the death of exactly one "
           "confirmed identification of that person, and every correction written by the remains app is that of "
           "a reversed identification (one confirmed identification per remains and per person is a database "
           "constraint).", record="person")
def register_event_without_identification() -> list[int]:
    written = StatusEvent.objects.filter(managed_by=MANAGED_BY_REMAINS)
    deaths = written.filter(status=Status.DECEASED, corrects__isnull=True, corrections__isnull=True)
    confirmed = Identification.objects.filter(state=IdentificationState.CONFIRMED, person=OuterRef("person"),
                                              death_event=OuterRef("pk"))
    reversal = Identification.objects.filter(state=IdentificationState.REVERSED, person=OuterRef("person"),
                                             correction_event=OuterRef("pk"))
    return sorted(set(deaths.exclude(Exists(confirmed)).values_list("person_id", flat=True))
                  | set(written.filter(corrects__isnull=False).exclude(Exists(reversal))
                        .values_list("person_id", flat=True)))


@invariant("remains.task_before_confirmation",
           "A task is done only for an identification that was confirmed, and not before its confirmation; a "
           "hand-over names its day and the family member who received the remains, a burial its day and place.",
           record="identification")
def task_before_confirmation() -> list[int]:
    done = Task.objects.filter(state=TaskState.DONE)
    unconfirmed = done.filter(identification__confirmed_at__isnull=True)
    early = done.filter(done_at__lt=F("identification__confirmed_at"))
    handed = done.filter(kind=TaskKind.HAND_OVER).filter(Q(happened_on__isnull=True) | Q(recipient=""))
    buried = done.filter(kind=TaskKind.BURIAL).filter(Q(happened_on__isnull=True) | Q(place=""))
    return sorted({i for qs in (unconfirmed, early, handed, buried)
                   for i in qs.values_list("identification_id", flat=True)})


@invariant("remains.reversal_incomplete",
           "A reversed identification was reversed by someone other than its proposer, its death is corrected by the "
           "correction it wrote, no task of it is open but telling the family of the reversal (only when they had "
           "been told of the death), and only a confirmed one has open tasks.", record="identification")
def reversal_incomplete() -> list[int]:
    reversed_ = Identification.objects.filter(state=IdentificationState.REVERSED)
    uncorrected = reversed_.filter(Q(correction_event__isnull=True) | Q(death_event__isnull=True)
                                   | ~Q(correction_event__corrects=F("death_event")))
    unproposed = reversed_.filter(Q(reversal_proposed_by__isnull=True) | Q(reversed_by=F("reversal_proposed_by")))
    open_tasks = Task.objects.filter(state=TaskState.OPEN)
    stray = open_tasks.exclude(identification__state=IdentificationState.CONFIRMED).exclude(
        kind=TaskKind.TELL_REVERSAL, identification__state=IdentificationState.REVERSED)
    reversal_tasks = Task.objects.filter(kind=TaskKind.TELL_REVERSAL)
    untold_reversal = reversal_tasks.exclude(identification__tasks__kind=TaskKind.TELL_FAMILY,
                                             identification__tasks__state=TaskState.DONE)
    told = reversed_.filter(tasks__kind=TaskKind.TELL_FAMILY, tasks__state=TaskState.DONE)
    without_task = told.exclude(tasks__kind=TaskKind.TELL_REVERSAL)
    return sorted({i for qs in (uncorrected, unproposed, without_task) for i in qs.values_list("pk", flat=True)}
                  | {i for qs in (stray, untold_reversal) for i in qs.values_list("identification_id", flat=True)})


@invariant("remains.benefit_without_telling",
           "A death benefit stands (not cancelled, not flagged for finance) only for a confirmed identification whose "
           "family was told in person, for its person and its death; a confirmed identification whose family was "
           "told has one.", record="identification")
def benefit_without_telling() -> list[int]:
    DeathBenefit = _benefits()
    if DeathBenefit is None:
        return []
    live = DeathBenefit.objects.filter(state__in=["due", "approved", "paid"], flagged_at__isnull=True)
    told = Identification.objects.filter(state=IdentificationState.CONFIRMED, tasks__kind=TaskKind.TELL_FAMILY,
                                         tasks__state=TaskState.DONE)
    good = {(pk, person, death) for pk, person, death in told.values_list("pk", "person_id", "death_event_id")}
    bad = {b.identification_id for b in live.only("identification_id", "person_id", "death_event_id")
           if (b.identification_id, b.person_id, b.death_event_id) not in good}
    with_benefit = set(DeathBenefit.objects.values_list("identification_id", flat=True))
    return sorted(bad | {pk for pk, _, _ in good if pk not in with_benefit})
