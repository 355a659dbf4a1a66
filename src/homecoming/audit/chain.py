"""The hash of an audit event: pure functions, shared by writing and verifying."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

GENESIS_HASH = "0" * 64


def canonical_time(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


def event_hash(
    *,
    prev_hash: str,
    created_at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    details: dict,
    ip_address: str | None,
) -> str:
    """SHA-256 over a canonical JSON form of every stored field and the previous hash."""
    payload = json.dumps(
        [
            prev_hash,
            canonical_time(created_at),
            actor_id,
            actor_name,
            action,
            object_type,
            object_id,
            details,
            ip_address,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
