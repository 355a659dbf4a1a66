"""The one way to write the audit log."""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from homecoming.common.network import client_address

from . import anchor
from .chain import GENESIS_HASH, event_hash
from .models import AuditEvent, AuditHead


def _plain(details: dict | None) -> dict:
    """Details as they will read back from the JSON column, so the hash is reproducible."""
    return json.loads(json.dumps(details or {}, default=str, ensure_ascii=False))


def client_ip(request) -> str | None:
    """The client's address (behind the configured trusted proxies): homecoming.common.network."""
    return client_address(request)


def _fields(user, actor, action: str, object_type: str, object_id: object, details: dict | None, ip: str | None,
            now) -> dict:
    return {
        "created_at": now,
        "actor_id": user.pk if user else None,
        "actor_name": user.get_username() if user else (actor if isinstance(actor, str) else ""),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id not in (None, "") else "",
        "details": _plain(details),
        "ip_address": ip,
    }


def _locked_head() -> AuditHead:
    head, _ = AuditHead.objects.select_for_update().get_or_create(singleton=1, defaults={"last_hash": GENESIS_HASH})
    return head


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
        head = _locked_head()
        fields = _fields(user, actor, action, object_type, object_id, details, client_ip(request), timezone.now())
        digest = event_hash(prev_hash=head.last_hash, **fields)
        event = AuditEvent.objects.create(prev_hash=head.last_hash, hash=digest, mac=anchor.mac(digest), **fields)
        _advance(head, event.pk, digest, 1)
    return event


def _advance(head: AuditHead, event_id: int, digest: str, added: int) -> None:
    """Move the head; once the transaction commits, append a checkpoint outside the database."""
    head.last_event_id = event_id
    head.last_hash = digest
    head.count += added
    head.save(update_fields=["last_event_id", "last_hash", "count"])
    count = head.count
    transaction.on_commit(lambda: anchor.write(count, event_id, digest))


#: at most this many object ids are kept in the details of one audited list read
READ_IDS_KEPT = 200


def record_list_read(actor, action: str, *, object_type: str, ids, details: dict | None = None,
                     request=None) -> AuditEvent:
    """Audit a page of a list or a search (who saw which records): the ids shown (the first
    ``READ_IDS_KEPT``), how many, and the filters in ``details``."""
    ids = [str(i) for i in ids]
    return record(actor, action, object_type=object_type,
                  details={**(details or {}), "count": len(ids), "ids": ids[:READ_IDS_KEPT]}, request=request)


@dataclass(frozen=True)
class ChainProblem:
    event_id: int | None
    message: str  # in English, for the command line and the logs
    #: what is wrong, for a page to say in its reader's language (audit.sentences.PROBLEMS)
    kind: str = ""


@dataclass(frozen=True)
class ChainStart:
    """Where an incremental check starts: an event a full verification found intact, its hash,
    and how many events the log held up to it."""

    event_id: int
    hash: str
    count: int


@dataclass
class ChainWalk:
    """What a walk checked: events, the newest one and its hash (filled in by verify_chain)."""

    events: int = 0
    last_id: int = 0
    last_hash: str = GENESIS_HASH


def verify_chain(batch_size: int = 2000, *, using: str = "default", points=None, start: ChainStart | None = None,
                 walk: ChainWalk | None = None) -> ChainProblem | None:
    """Walk the whole log in id order; return the first problem, or None when intact.

    Each event's hash, its link to the one before, and its MAC under the audit key (events written
    before the key existed have none, and may only come first); then the head (newest event, count)
    and, for the live database, the last checkpoint written outside it (``anchor``): the log must
    still hold that event with that hash, and at least as many events. ``using`` names another
    database connection (the backup check verifies a scratch copy without checkpoints); ``points``
    gives the checkpoints to compare with instead of the file's.

    ``start``: check only the events after an event an earlier full walk found intact (the page's
    quick check); a change to an event before it is found by the next full walk. ``walk``, when
    given, is filled with what was checked."""
    if points is None and using == "default":
        points, _bad = anchor.checkpoints()
    mark = anchor.last(points or [])
    walk = walk if walk is not None else ChainWalk()
    state = _WalkState(mark, start, using)
    problem = state.run(batch_size)
    walk.events = state.count - (start.count if start else 0)
    walk.last_id, walk.last_hash = state.last_id, state.prev
    return problem


class _WalkState:
    """One walk of the log: where it stands, and the checks of each event and of the end."""

    def __init__(self, mark, start: ChainStart | None, using: str):
        self.mark, self.using = mark, using
        self.prev = start.hash if start else GENESIS_HASH
        self.last_id = start.event_id if start else 0
        self.count = start.count if start else 0
        self.keyed = bool(start) and AuditEvent.objects.using(using).filter(pk=self.last_id).exclude(mac="").exists()
        self.mark_seen = mark is None or (start is not None and mark.event_id <= start.event_id)
        self.mac = anchor.mac_with_key_read_once()

    def run(self, batch_size: int) -> ChainProblem | None:
        # Events written while the walk runs are not tampering: when the head has moved past the
        # last event walked, the walk goes on from there (a few times), then judges the end.
        for _attempt in range(5):
            for event in _events_in_order(batch_size, self.using, after=self.last_id):
                problem = self.check(event)
                if problem is not None:
                    return problem
            head = AuditHead.objects.using(self.using).filter(singleton=1).first()
            if head is None or head.last_event_id <= self.last_id:
                break
            if not AuditEvent.objects.using(self.using).filter(pk__gt=self.last_id).exists():
                break
        return self.end(head)

    def check(self, event: AuditEvent) -> ChainProblem | None:
        self.count += 1
        if event.prev_hash != self.prev:
            return ChainProblem(
                event.pk, f"event {event.pk}: the event before it was changed or deleted (chain broken)", "link")
        if _stored_hash(event) != event.hash:
            return ChainProblem(event.pk, f"event {event.pk}: its content was changed after it was written", "content")
        if event.mac or self.keyed:
            self.keyed = True
            if not hmac.compare_digest(self.mac(event.hash), event.mac or ""):
                return ChainProblem(event.pk, f"event {event.pk}: its hash was recomputed without the audit key "
                                              "(its MAC does not match)", "mac")
        mark = self.mark
        if mark is not None and event.pk == mark.event_id:
            if event.hash != mark.hash or self.count != mark.count:
                return ChainProblem(event.pk, f"event {event.pk}: differs from the checkpoint of {mark.time} "
                                              "(the log was rewritten)", "checkpoint")
            self.mark_seen = True
        self.prev = event.hash
        self.last_id = event.pk
        return None

    def end(self, head: AuditHead | None) -> ChainProblem | None:
        mark, count, last_id = self.mark, self.count, self.last_id
        if mark is not None and (not self.mark_seen or count < mark.count):
            return ChainProblem(mark.event_id, f"event {mark.event_id}: the log holds {count} events and ends at "
                                               f"{last_id or 'nothing'}, but the checkpoint of {mark.time} counted "
                                               f"{mark.count} up to event {mark.event_id}: events were removed",
                                "removed")
        if head is None:
            if count:
                return ChainProblem(None, "the chain head is missing", "head")
            return None
        if head.last_event_id != last_id or head.last_hash != self.prev:
            return ChainProblem(
                head.last_event_id,
                f"event {head.last_event_id}: the newest events were deleted "
                f"(the log ends at {last_id or 'nothing'})", "tail",
            )
        if head.count != count:
            return ChainProblem(head.last_event_id, f"the head counts {head.count} events but the log holds {count}",
                                "count")
        return None


def _stored_hash(event: AuditEvent) -> str:
    return event_hash(prev_hash=event.prev_hash, created_at=event.created_at, actor_id=event.actor_id,
                      actor_name=event.actor_name, action=event.action, object_type=event.object_type,
                      object_id=event.object_id, details=event.details, ip_address=event.ip_address)


def event_unchanged(event: AuditEvent) -> bool:
    """One event's hash matches its content and its MAC matches its hash (not its place in the
    chain: that takes the walk)."""
    return _stored_hash(event) == event.hash and anchor.mac_ok(event.hash, event.mac)


def behind_checkpoint(using: str = "default", points=None) -> int:
    """How many events the log of ``using`` lacks to reach the last checkpoint (0: none)."""
    if points is None:
        points, _bad = anchor.checkpoints()
    mark = anchor.last(points)
    if mark is None:
        return 0
    head = AuditHead.objects.using(using).filter(singleton=1).first()
    return max(0, mark.count - (head.count if head else 0))


def covered_checkpoints(using: str, points=None) -> list:
    """The checkpoints that the log of ``using`` reaches (for checking an older backup)."""
    if points is None:
        points, _bad = anchor.checkpoints()
    head = AuditHead.objects.using(using).filter(singleton=1).first()
    count = head.count if head else 0
    return [p for p in points if p.count <= count]


def _events_in_order(batch_size: int, using: str = "default", after: int = 0) -> Iterator[AuditEvent]:
    last = after
    while True:
        batch = list(AuditEvent.objects.using(using).filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


def record_many(actor, events: Iterable[dict], *, request=None, batch_size: int = 500) -> list[AuditEvent]:
    """Append many events by one actor at once, inside the caller's transaction: the same chain as
    calling :func:`record` for each in turn (each event links to the one before it, the head moves
    to the last), written with a few multi-row INSERTs instead of one INSERT and one head UPDATE per
    event. ``events``: dicts with ``action`` and optionally ``object_type``, ``object_id``,
    ``details`` (the keyword arguments of :func:`record`). All events get the same time.

    The head is locked for the whole call, so no other writer's event can fall between these; the
    ids the database hands out must grow in the order given (they do for a multi-row INSERT on
    SQLite and PostgreSQL), which is checked: otherwise nothing is written."""
    events = list(events)
    if not events:
        return []
    user = actor if getattr(actor, "is_authenticated", False) else None
    ip = client_ip(request)
    now = timezone.now()
    mac = anchor.mac_with_key_read_once()
    with transaction.atomic():
        head = _locked_head()
        prev = head.last_hash
        rows = []
        for item in events:
            unknown = set(item) - {"action", "object_type", "object_id", "details"}
            if unknown or "action" not in item:
                raise TypeError(f"record_many: an event needs an action and takes only object_type, object_id "
                                f"and details (got {sorted(item)})")
            fields = _fields(user, actor, item["action"], item.get("object_type", ""), item.get("object_id", ""),
                             item.get("details"), ip, now)
            digest = event_hash(prev_hash=prev, **fields)
            rows.append(AuditEvent(prev_hash=prev, hash=digest, mac=mac(digest), **fields))
            prev = digest
        created = AuditEvent.objects.bulk_create(rows, batch_size=batch_size)
        ids = [e.pk for e in created]
        if None in ids or any(b <= a for a, b in zip(ids, ids[1:], strict=False)):
            raise RuntimeError("record_many: the database gave ids out of order; the audit chain would break")
        _advance(head, ids[-1], prev, len(ids))
    return created
