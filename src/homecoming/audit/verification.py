"""The chain's verification, as the viewer shows it: the last full check and a quick one now.

A full check (``homecoming audit verify``, or the viewer's button) walks every event; its result is
itself an ``audit.verify`` event: what was checked, up to which event and hash, and what was
wrong. The log is then its own record of its checks, and that record is protected like every
other event (its hash, its MAC under the key the database does not hold).

Every look at the viewer runs a quick check: from the newest full check that found the chain
intact, the events after it (their hashes, MACs, links) and the head. A change to an event
before that point is found by the next full check, which is why the page says when the last one
ran. With no intact full check to start from, or too many events since, the quick check is not
run and the page asks for a full one. docs/benchmarks.md has the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from . import anchor
from .models import AuditEvent
from .services import ChainProblem, ChainStart, ChainWalk, event_unchanged, record, verify_chain

VERIFY_ACTION = "audit.verify"
#: the quick check walks at most this many events (beyond, it asks for a full check): about 0.1 s
#: on one idle core (docs/benchmarks.md)
QUICK_LIMIT = 2_000


@dataclass
class Status:
    last_full: AuditEvent | None  # the newest audit.verify event
    quick: ChainProblem | None  # what the quick check found now (None: nothing wrong, or not run)
    quick_events: int  # how many events it checked
    quick_run: bool  # whether it ran

    @property
    def intact(self) -> bool | None:
        """True: intact as far as checked; False: broken; None: never checked."""
        if self.quick is not None:
            return False
        if self.last_full is None:
            return None
        return self.last_full.details.get("result") == "intact"


def run_full(actor, *, request=None, lines: list[str] | None = None) -> tuple[ChainProblem | None, AuditEvent]:
    """Walk the whole log; write the result as an ``audit.verify`` event; return both. ``lines``:
    checkpoint lines kept elsewhere, to compare with instead of the checkpoint file's."""
    points, bad = anchor.checkpoints(lines)
    walk = ChainWalk()
    problem = verify_chain(points=points, walk=walk)
    if problem is None and bad:
        problem = ChainProblem(None, f"Audit log intact, but {len(bad)} line(s) of the checkpoints are not valid "
                                     "checkpoints (written without the audit key): someone wrote to the file.",
                               "checkpoint_lines")
    details = {"result": "intact" if problem is None else "broken", "full": True, "events": walk.events}
    if problem is None:
        details.update({"up_to": walk.last_id, "hash": walk.last_hash})
    else:
        details["problem"] = {"kind": problem.kind, "event": problem.event_id, "message": problem.message}
    with transaction.atomic():
        event = record(actor, VERIFY_ACTION, object_type="audit_event", details=details, request=request)
    return problem, event


def status() -> Status:
    """The newest full check, and a quick check of what was written since the newest intact one."""
    last_full = AuditEvent.objects.filter(action=VERIFY_ACTION).order_by("-id").first()
    start_event = (last_full if last_full is not None and last_full.details.get("result") == "intact"
                   else AuditEvent.objects.filter(action=VERIFY_ACTION, details__result="intact")
                   .order_by("-id").first())
    if last_full is None or start_event is not last_full or not _startable(start_event):
        return Status(last_full, None, 0, False)
    if not event_unchanged(start_event):  # the record of the check itself was forged
        problem = ChainProblem(start_event.pk, f"event {start_event.pk}: its content was changed after it was "
                                               "written", "content")
        return Status(last_full, problem, 1, True)
    d = start_event.details
    if AuditEvent.objects.filter(pk__gt=d["up_to"]).count() > QUICK_LIMIT:
        return Status(last_full, None, 0, False)
    walk = ChainWalk()
    problem = verify_chain(start=ChainStart(d["up_to"], d["hash"], d["events"]), walk=walk)
    return Status(last_full, problem, walk.events, True)


def _startable(event: AuditEvent) -> bool:
    d = event.details
    return isinstance(d.get("up_to"), int) and isinstance(d.get("hash"), str) and isinstance(d.get("events"), int)
