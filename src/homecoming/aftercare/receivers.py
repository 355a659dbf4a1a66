"""Reactions to the signals of the apps below (connected in AftercareConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from homecoming.exchanges.signals import person_returned
from homecoming.registry.services import person_merge_undone, person_merged

from . import services
from .models import CaseSource


@receiver(person_returned, dispatch_uid="aftercare.open_case")
def _person_returned(sender, person, exchange, returned_on, actor, **kwargs):
    """Inside the reconciliation's transaction: a failure here rolls the reconciliation back."""
    services.open_case(actor, person, returned_on=returned_on, source=CaseSource.EXCHANGE, exchange=exchange)


@receiver(person_merged, dispatch_uid="aftercare.person_merged")
def _person_merged(sender, merge, survivor, duplicate, **kwargs):
    services.follow_merge(merge, survivor, duplicate)


@receiver(person_merge_undone, dispatch_uid="aftercare.person_merge_undone")
def _person_merge_undone(sender, merge, survivor, duplicate, **kwargs):
    services.follow_merge_undo(merge, survivor, duplicate)
