"""Start, cancel and read a background operation. The work itself runs in :mod:`.runner`.

Every step is audited: ``operations.start`` when a person starts it, ``operations.cancel`` when
someone asks it to stop, ``operations.end`` when it ends (done, failed or cancelled, with what
was done). Who may see, start and cancel an operation is its kind's permission; the work's own
services check theirs again, on the person who started it.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common.actors import user_of
from homecoming.common.permissions import require_all
from homecoming.common.workers import OPERATION_SPACE, is_alive

from . import kinds
from .models import ACTIVE, Operation, OperationState


def _kind(name: str) -> kinds.Kind:
    try:
        return kinds.get(name)
    except KeyError:
        raise ValidationError(_("Unknown kind of work.")) from None


def active_for(kind: str, target_id: int) -> Operation | None:
    return Operation.objects.filter(kind=kind, target_id=target_id, state__in=ACTIVE).first()


def start(actor, kind: str, target_id: int, *, params: dict | None = None, request=None) -> tuple[Operation, bool]:
    """Start ``kind`` on ``target_id`` as ``actor`` and queue it for a worker. When one is already
    queued or running on that target, nothing new starts: that one is returned, with False (a
    double click, a second tab, a colleague at the same moment)."""
    k = _kind(kind)
    require_all(actor, k.permission)
    params = {**(params or {}), "language": translation.get_language() or "uk"}
    with transaction.atomic():
        running = active_for(kind, target_id)
        if running is not None:
            return running, False
        try:
            with transaction.atomic():
                op = Operation.objects.create(kind=kind, target_id=target_id, params=params,
                                              started_by=user_of(actor))
        except IntegrityError:  # another request started it a moment ago: the constraint says so
            return active_for(kind, target_id), False
        record(actor, "operations.start", object_type="operation", object_id=op.pk,
               details={"kind": kind, "target": target_id}, request=request)
        from . import tasks

        # With the database backend the task row appears when this transaction commits; the
        # immediate backend (tests) runs it here and now.
        tasks.run_operation.enqueue(op.pk)
    op.refresh_from_db()
    return op, True


def request_cancel(actor, operation_id: int, *, request=None) -> Operation:
    """Ask the work to stop. A queued one stops at once (nothing was done); a running one stops
    before its next chunk: every chunk done stays done, nothing is left half done."""
    with transaction.atomic():
        op = Operation.objects.select_for_update().get(pk=operation_id)
        require_all(actor, _kind(op.kind).permission)
        if not op.active:
            raise ValidationError(_("This work has already ended (%(state)s); nothing was cancelled.")
                                  % {"state": OperationState(op.state).label})
        op.cancel_requested = True
        op.cancelled_by = user_of(actor)
        fields = ["cancel_requested", "cancelled_by"]
        if op.state == OperationState.QUEUED:
            op.state = OperationState.CANCELLED
            op.finished_at = timezone.now()
            fields += ["state", "finished_at"]
        op.save(update_fields=fields)
        record(actor, "operations.cancel", object_type="operation", object_id=op.pk,
               details={"kind": op.kind, "target": op.target_id, "processed": op.processed}, request=request)
        if op.state == OperationState.CANCELLED:
            record_end(op)
    return op


def record_end(op: Operation) -> None:
    """The closing audit event, by the person who started it."""
    record(op.started_by, "operations.end", object_type="operation", object_id=op.pk,
           details={"kind": op.kind, "target": op.target_id, "state": op.state, "processed": op.processed,
                    "total": op.total, "result": {k: (len(v) if isinstance(v, list) else v)
                                                  for k, v in op.result.items()}})


def recover_interrupted(op: Operation) -> Operation:
    """A running operation whose worker died: failed, with what was done kept (each chunk was
    committed on its own), so that it can be started again for the rest."""
    if op.state != OperationState.RUNNING or not op.worker or is_alive(op.worker, op.pk, OPERATION_SPACE):
        return op
    with transaction.atomic():
        updated = Operation.objects.filter(pk=op.pk, state=OperationState.RUNNING, worker=op.worker).update(
            state=OperationState.FAILED, worker="", finished_at=timezone.now(),
            error=_("The worker stopped before the end; what was done is kept. Start it again for the rest."))
        op.refresh_from_db()
        if updated:
            record_end(op)
    return op


def recover_all() -> list[int]:
    """Every running operation whose worker died, closed as failed (``homecoming serve`` asks
    every 20 s; a page that shows one asks too). Returns their ids."""
    closed = []
    for op in Operation.objects.filter(state=OperationState.RUNNING).exclude(worker=""):
        if recover_interrupted(op).state == OperationState.FAILED:
            closed.append(op.pk)
    return closed


def operation_for(actor, operation_id: int) -> Operation:
    """An operation for someone who holds its kind's permission (404 to anyone else would tell
    that it exists: it is a 403, as for any page of that work)."""
    op = Operation.objects.select_related("started_by").get(pk=operation_id)
    require_all(actor, _kind(op.kind).permission)
    return recover_interrupted(op)


#: how long the page of a target still shows how its last operation ended
RECENT = timedelta(hours=1)


def recent_for(actor, kind: str, target_id: int) -> Operation | None:
    """What the page of a target shows: the operation of ``kind`` that runs on it, or the one
    that ended in the last hour (with how it ended), or None."""
    require_all(actor, _kind(kind).permission)
    op = Operation.objects.filter(kind=kind, target_id=target_id).select_related("started_by").first()
    if op is None:
        return None
    op = recover_interrupted(op)
    return op if op.active or (op.finished_at and op.finished_at > timezone.now() - RECENT) else None
