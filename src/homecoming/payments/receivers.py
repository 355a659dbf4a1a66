"""Reactions to the signals of the apps below (connected in PaymentsConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from homecoming.exchanges.signals import persons_returned
from homecoming.registry.services import (
    person_merge_undone,
    person_merged,
    status_event_added,
    status_events_added,
)

from . import services


@receiver(persons_returned, dispatch_uid="payments.note_returns")
def _persons_returned(sender, returns, exchange, actor, **kwargs):
    services.note_returns(actor, returns, exchange=exchange)


@receiver(person_merged, dispatch_uid="payments.person_merged")
def _person_merged(sender, merge, survivor, duplicate, **kwargs):
    services.refuse_merge_of_money(duplicate)  # raises: the merge is rolled back
    services.follow_merge(merge, survivor, duplicate)


@receiver(status_event_added, dispatch_uid="payments.status_event_added")
def _status_event_added(sender, person, event, **kwargs):
    services.refuse_losing_a_paid_return([person])  # raises: the event is rolled back


@receiver(status_events_added, dispatch_uid="payments.status_events_added")
def _status_events_added(sender, events, persons, **kwargs):
    services.refuse_losing_a_paid_return(list(persons.values()))


@receiver(person_merge_undone, dispatch_uid="payments.person_merge_undone")
def _person_merge_undone(sender, merge, survivor, duplicate, **kwargs):
    services.follow_merge_undo(merge, survivor, duplicate)
