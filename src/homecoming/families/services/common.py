"""What every families service needs: the actor check and the limits shared by the portal
and the headquarters.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.utils.translation import pgettext

from homecoming.registry import services as registry_services

logger = logging.getLogger("homecoming.families.services")

PORTAL_ACTOR = "family-portal"
EARLIEST_INCIDENT = registry_services.EARLIEST_INCIDENT
EARLIEST_BIRTH = registry_services.EARLIEST_BIRTH
MAX_ATTEMPTS = 5  # deliveries of one notification before it is marked failed
REDACTED_CODE = "••••-••••-••••-••••"


def _require(actor, *perms: str) -> None:
    for perm in perms:
        if actor is None or not getattr(actor, "has_perm", None) or not actor.has_perm(perm):
            raise PermissionDenied(pgettext("families", "You do not have the permission to do this."))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
