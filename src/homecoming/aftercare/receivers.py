"""Reactions to the signals of the apps below (connected in AftercareConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from homecoming.exchanges.signals import persons_returned
from homecoming.registry.services import person_merge_undone, person_merged

from . import services
from .models import CaseSource


@receiver(persons_returned, dispatch_uid="aftercare.open_cases")
def _persons_returned(sender, returns, exchange, actor, **kwargs):
    """Inside the reconciliation's transaction: a failure here rolls the reconciliation back."""
    services.open_cases(actor, returns, source=CaseSource.EXCHANGE, exchange=exchange)


@receiver(person_merged, dispatch_uid="aftercare.person_merged")
def _person_merged(sender, merge, survivor, duplicate, **kwargs):
    services.follow_merge(merge, survivor, duplicate)


@receiver(person_merge_undone, dispatch_uid="aftercare.person_merge_undone")
def _person_merge_undone(sender, merge, survivor, duplicate, **kwargs):
    services.follow_merge_undo(merge, survivor, duplicate)
