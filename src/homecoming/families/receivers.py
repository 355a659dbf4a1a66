"""Reactions to the register's signals (connected in FamiliesConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from homecoming.exchanges.signals import entries_changed
from homecoming.registry.models import Person
from homecoming.registry.services import (
    person_merge_undone,
    person_merged,
    status_event_added,
    status_events_added,
)

from . import services


@receiver(status_event_added, dispatch_uid="families.status_event_added")
def _status_event_added(sender, person, event, **kwargs):
    services.status_changed(person, event)


@receiver(status_events_added, dispatch_uid="families.status_events_added")
def _status_events_added(sender, events, persons, **kwargs):
    services.statuses_changed(events, persons)


@receiver(entries_changed, dispatch_uid="families.entries_changed")
def _entries_changed(sender, person_ids, **kwargs):
    services.retell(*Person.objects.filter(pk__in=person_ids))


@receiver(person_merged, dispatch_uid="families.person_merged")
def _person_merged(sender, merge, survivor, duplicate, **kwargs):
    services.follow_merge(merge, survivor, duplicate)


@receiver(person_merge_undone, dispatch_uid="families.person_merge_undone")
def _person_merge_undone(sender, merge, survivor, duplicate, **kwargs):
    services.follow_merge_undo(merge, survivor, duplicate)
