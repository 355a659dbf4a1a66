"""Reactions to the register's signals (connected in FamiliesConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from homecoming.exchanges.signals import entries_changed
from homecoming.registry.models import Person
from homecoming.registry.services import (
    follow_merges,
    status_event_added,
    status_event_withdrawing,
    status_events_added,
)

from . import services


@receiver(status_event_added, dispatch_uid="families.status_event_added")
def _status_event_added(sender, person, event, **kwargs):
    services.status_changed(person, event)


@receiver(status_events_added, dispatch_uid="families.status_events_added")
def _status_events_added(sender, events, persons, **kwargs):
    services.statuses_changed(events, persons)


@receiver(status_event_withdrawing, dispatch_uid="families.status_event_withdrawing")
def _status_event_withdrawing(sender, person, event, **kwargs):
    services.refuse_withdrawal_once_told(person, event)  # raises: the undo is rolled back


@receiver(entries_changed, dispatch_uid="families.entries_changed")
def _entries_changed(sender, person_ids, **kwargs):
    services.retell(*Person.objects.filter(pk__in=person_ids))


follow_merges("families", services.follow_merge, services.follow_merge_undo)
