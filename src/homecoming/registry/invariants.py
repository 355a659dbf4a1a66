"""Invariants of the register (common/invariants.py): the derived columns equal the status
model's derivation, histories contradict themselves only with a stated reason, and a merged-away
record holds nothing any more."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from homecoming.common.invariants import invariant

from . import lifecycle
from .models import AlternativeName, Person, PersonNameKey, StatusEvent


class _Event(NamedTuple):
    pk: int
    person_id: int
    status: str
    effective_date: object
    corrects_id: int | None
    ends_id: int | None
    exception_reason: str


def histories() -> dict[int, list[_Event]]:
    """Every person's events, read once as plain tuples (about a second per 250,000 events)."""
    out: dict[int, list[_Event]] = defaultdict(list)
    for row in StatusEvent.objects.values_list("pk", "person_id", "status", "effective_date", "corrects_id",
                                               "ends_id", "exception_reason").iterator(chunk_size=20000):
        out[row[1]].append(_Event(*row))
    return out


@invariant("registry.status_not_derived",
           "A person's current status, its date and 'was missing' equal the status model's derivation from "
           "their events.", record="person")
def status_not_derived() -> list[int]:
    events = histories()
    bad = []
    for pk, status, since, was_missing in Person.objects.values_list(
            "pk", "current_status", "current_status_date", "was_missing").iterator(chunk_size=20000):
        if tuple(lifecycle.derive(events.get(pk, ()))) != (status, since, was_missing):
            bad.append(pk)
    return bad


@invariant("registry.history_contradiction",
           "No status event contradicts the one before it (lifecycle.TRANSITIONS) without a stated reason.",
           record="person")
def history_contradiction() -> list[int]:
    sides = dict(Person.objects.values_list("pk", "side"))
    return [pk for pk, events in histories().items() if lifecycle.broken_transitions(sides.get(pk, ""), events)]


@invariant("registry.merged_record_holds_data",
           "A record merged into another holds no status events, alternative names or search keys.",
           record="person")
def merged_record_holds_data() -> list[int]:
    merged = Person.objects.filter(merged_into__isnull=False)
    return sorted(set(StatusEvent.objects.filter(person__in=merged).values_list("person_id", flat=True))
                  | set(AlternativeName.objects.filter(person__in=merged).values_list("person_id", flat=True))
                  | set(PersonNameKey.objects.filter(person__in=merged).values_list("person_id", flat=True)))


@invariant("registry.listing_closed_twice",
           "An exchange listing is closed by at most one live event.", record="status event")
def listing_closed_twice() -> list[int]:
    seen: dict[int, int] = defaultdict(int)
    for events in histories().values():
        for e in lifecycle.live_events(events):
            if e.ends_id:
                seen[e.ends_id] += 1
    return [pk for pk, n in seen.items() if n > 1]


@invariant("registry.status_counts_stale",
           "The dashboard's counts of live status events by day, status and side (StatusCount) equal the counts "
           "of the events themselves.", record="day (YYYYMMDD)")
def status_counts_stale() -> list[int]:
    from . import status_counts

    return sorted({int(day.strftime("%Y%m%d")) for day, _status, _side in status_counts.differences()})
