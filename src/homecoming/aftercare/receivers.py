"""Reactions to the signals of the apps below (connected in AftercareConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from homecoming.exchanges.signals import persons_returned
from homecoming.registry.services import follow_merges

from . import services
from .models import CaseSource


@receiver(persons_returned, dispatch_uid="aftercare.open_cases")
def _persons_returned(sender, returns, exchange, actor, **kwargs):
    """Inside the reconciliation's transaction: a failure here rolls the reconciliation back."""
    services.open_cases(actor, returns, source=CaseSource.EXCHANGE, exchange=exchange)


follow_merges("aftercare", services.follow_merge, services.follow_merge_undo)
