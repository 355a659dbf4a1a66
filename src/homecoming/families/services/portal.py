"""The family portal's look-up by reference and code, with lock-outs per address and per
reference against guessing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record

from .. import codes
from ..models import (
    Inquiry,
    InquiryState,
    LockOut,
    LockOutKind,
    PortalAttempt,
)
from ..status import FamilyView, family_view
from .common import PORTAL_ACTOR, _require, _user


def portal_limits() -> dict[str, int]:
    """Failures allowed before a lock-out: per address in a window, per reference in a day."""
    return {
        "address_failures": getattr(settings, "FAMILIES_PORTAL_ADDRESS_FAILURES", 5),
        "address_minutes": getattr(settings, "FAMILIES_PORTAL_ADDRESS_MINUTES", 15),
        "reference_failures": getattr(settings, "FAMILIES_PORTAL_REFERENCE_FAILURES", 10),
        "reference_minutes": getattr(settings, "FAMILIES_PORTAL_REFERENCE_MINUTES", 24 * 60),
    }


@dataclass
class PortalAnswer:
    outcome: str  # "ok", "denied" (unknown reference or wrong code: the same) or "locked"
    inquiry: Inquiry | None = None
    view: FamilyView | None = None


def _active_lockout(kind: str, key: str) -> LockOut | None:
    if not key:
        return None
    return LockOut.objects.filter(kind=kind, key=key, until__gt=timezone.now(), lifted_at__isnull=True).first()


def portal_lookup(*, reference: str, code: str, address: str, request=None) -> PortalAnswer:
    """The family's look-up. An unknown reference and a wrong code do the same work (the slow
    hash check runs against a dummy hash) and give the same answer; failures count per
    address and per reference (known or not) towards a lock-out."""
    address = (address or "unknown")[:45]
    ref = codes.normalize_reference(reference)
    ref_key = ref or codes.normalize_secret(reference)[:16]
    if _active_lockout(LockOutKind.ADDRESS, address) or _active_lockout(LockOutKind.REFERENCE, ref_key):
        codes.verify_secret(code, None)  # the same cost as any other answer
        return PortalAnswer("locked")
    inquiry = Inquiry.objects.select_related("person").filter(reference=ref).first() if ref else None
    ok = codes.verify_secret(code, inquiry.secret_hash if inquiry is not None else None,
                             setter=partial(_rehash, inquiry.pk) if inquiry is not None else None)
    if ok and inquiry.state != InquiryState.CLOSED:
        view = family_view(inquiry)
        details = {"reference": inquiry.reference, "state": view.state}
        if view.case_worker:  # which contact the family was given
            details["contact"] = "hotline" if view.case_worker.get("via_hotline") else "case_worker"
        record(PORTAL_ACTOR, "inquiry.portal_view", object_type="inquiry", object_id=inquiry.pk,
               details=details, request=request)
        return PortalAnswer("ok", inquiry=inquiry, view=view)
    _count_failure(address, ref_key, request=request)
    return PortalAnswer("denied")


def portal_reopen(inquiry_id: int, *, via: str, request=None) -> PortalAnswer:
    """The family's page again, within the short time its look-up is good for (the portal's signed
    access token, checked by the view): after they sent a message. Audited like the look-up;
    "denied" when the inquiry was closed or removed since."""
    inquiry = Inquiry.objects.select_related("person").filter(pk=inquiry_id).first()
    if inquiry is None or inquiry.state == InquiryState.CLOSED:
        return PortalAnswer("denied")
    view = family_view(inquiry)
    record(PORTAL_ACTOR, "inquiry.portal_view", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference, "state": view.state, "via": via}, request=request)
    return PortalAnswer("ok", inquiry=inquiry, view=view)


def _rehash(inquiry_id: int, secret: str) -> None:
    """The hasher's settings changed since filing (more iterations, another algorithm): store a
    hash made with today's settings, so that every inquiry costs the same time to check."""
    Inquiry.objects.filter(pk=inquiry_id).update(secret_hash=codes.hash_secret(secret))


@transaction.atomic
def _count_failure(address: str, ref_key: str, *, request=None) -> None:
    limits = portal_limits()
    now = timezone.now()
    PortalAttempt.objects.create(address=address, reference=ref_key)
    checks = [
        (LockOutKind.ADDRESS, address, {"address": address}, limits["address_failures"], limits["address_minutes"]),
    ]
    if ref_key:
        checks.append((LockOutKind.REFERENCE, ref_key, {"reference": ref_key}, limits["reference_failures"],
                       limits["reference_minutes"]))
    for kind, key, lookup, limit, minutes in checks:
        failures = PortalAttempt.objects.filter(counted=True, created_at__gte=now - dt.timedelta(minutes=minutes),
                                                **lookup).count()
        if failures >= limit and not _active_lockout(kind, key):
            lock = LockOut.objects.create(kind=kind, key=key, failures=failures,
                                          until=now + dt.timedelta(minutes=minutes))
            record(PORTAL_ACTOR, "portal.lockout", object_type="lockout", object_id=lock.pk,
                   details={"kind": kind, "key": key, "failures": failures, "until": lock.until.isoformat()},
                   request=request)


@transaction.atomic
def lift_lockout(actor, lockout_id: int, *, request=None) -> LockOut:
    """A registrar lifts a lock-out (the family called and proved who they are); the failures
    that led to it stop counting."""
    _require(actor, "families.change_inquiry")
    lock = LockOut.objects.select_for_update().filter(pk=lockout_id).first()
    if lock is None:
        raise ValidationError(_("No such lock-out."))
    if lock.lifted_at:
        raise ValidationError(_("This lock-out has already been lifted."))
    lock.lifted_at = timezone.now()
    lock.lifted_by = _user(actor)
    lock.save(update_fields=["lifted_at", "lifted_by"])
    field = "address" if lock.kind == LockOutKind.ADDRESS else "reference"
    PortalAttempt.objects.filter(counted=True, **{field: lock.key}).update(counted=False)
    record(actor, "portal.lockout_lift", object_type="lockout", object_id=lock.pk,
           details={"kind": lock.kind, "key": lock.key}, request=request)
    return lock


@transaction.atomic
def purge_portal_attempts(*, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Failed portal attempts are needed only for the lock-out windows; older ones go."""
    deleted, _ = PortalAttempt.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    if deleted:
        record("housekeeping", "portal.attempts_purge", object_type="portalattempt", details={"deleted": deleted})
    return deleted
