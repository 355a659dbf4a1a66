"""The one way to write the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .chain import GENESIS_HASH, event_hash
from .models import AuditEvent, AuditHead


def _plain(details: dict | None) -> dict:
    """Details as they will read back from the JSON column, so the hash is reproducible."""
    return json.loads(json.dumps(details or {}, default=str, ensure_ascii=False))


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    actor,
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    details: dict | None = None,
    request=None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    The chain head row is locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite runs every
    transaction with the write lock taken up front) so that two writers never chain onto the
    same previous event.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            singleton=1, defaults={"last_hash": GENESIS_HASH}
        )
        fields = {
            "created_at": timezone.now(),
            "actor_id": user.pk if user else None,
            "actor_name": user.get_username() if user else (actor if isinstance(actor, str) else ""),
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id) if object_id not in (None, "") else "",
            "details": _plain(details),
            "ip_address": client_ip(request),
        }
        digest = event_hash(prev_hash=head.last_hash, **fields)
        event = AuditEvent.objects.create(prev_hash=head.last_hash, hash=digest, **fields)
        head.last_event_id = event.pk
        head.last_hash = digest
        head.save(update_fields=["last_event_id", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    event_id: int | None
    message: str


def verify_chain(batch_size: int = 2000, *, using: str = "default") -> ChainProblem | None:
    """Walk the whole log in id order; return the first problem, or None when intact.

    ``using`` names another database connection (the backup check verifies a scratch copy)."""
    prev = GENESIS_HASH
    last_id = 0
    count = 0
    for event in _events_in_order(batch_size, using):
        count += 1
        if event.prev_hash != prev:
            return ChainProblem(
                event.pk, f"event {event.pk}: the event before it was changed or deleted (chain broken)"
            )
        expected = event_hash(
            prev_hash=event.prev_hash,
            created_at=event.created_at,
            actor_id=event.actor_id,
            actor_name=event.actor_name,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            details=event.details,
            ip_address=event.ip_address,
        )
        if expected != event.hash:
            return ChainProblem(event.pk, f"event {event.pk}: its content was changed after it was written")
        prev = event.hash
        last_id = event.pk
    head = AuditHead.objects.using(using).filter(singleton=1).first()
    if head is None:
        if count:
            return ChainProblem(None, "the chain head is missing")
        return None
    if head.last_event_id != last_id or head.last_hash != prev:
        return ChainProblem(
            head.last_event_id,
            f"event {head.last_event_id}: the newest events were deleted "
            f"(the log ends at {last_id or 'nothing'})",
        )
    return None


def _events_in_order(batch_size: int, using: str = "default") -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.using(using).filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk
