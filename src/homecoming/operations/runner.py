"""The worker's side of an operation: claim it, plan it, do it chunk by chunk, end it.

Each chunk runs in its own transaction together with the progress it makes, so ``processed`` is
always exactly what is committed: a cancel, a failure or a dead worker leaves the chunks done
done and nothing half done. The cancel is read between chunks.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from homecoming.common.workers import OPERATION_SPACE, worker_lock, worker_name

from . import kinds
from .models import Operation, OperationState
from .services import record_end

log = logging.getLogger(__name__)


def _merge(result: dict, counts: dict) -> dict:
    out = dict(result)
    for key, value in counts.items():
        if isinstance(value, list):
            out[key] = (out.get(key) or []) + value
        elif isinstance(value, int) and not isinstance(value, bool):
            out[key] = (out.get(key) or 0) + value
        else:  # a name or a reference (the batch prepared): the last one says it
            out[key] = value
    return out


def _end(op_id: int, state: str, error: str = "") -> Operation:
    with transaction.atomic():
        Operation.objects.filter(pk=op_id).update(state=state, error=error, worker="", finished_at=timezone.now())
        op = Operation.objects.select_related("started_by").get(pk=op_id)
        record_end(op)
    return op


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return _("The person who started this work no longer has the permission to do it; it was stopped.")
    return _("An unexpected error stopped the work; what was done is kept. The error was logged.")


def _should_stop(op_id: int) -> bool:
    """Between two chunks, outside any transaction: has someone asked it to stop?"""
    return Operation.objects.filter(pk=op_id, cancel_requested=True).exists()


def run(op_id: int) -> str:
    """Do operation ``op_id`` (the task calls this). Returns its final state."""
    claimed = Operation.objects.filter(pk=op_id, state=OperationState.QUEUED).update(
        state=OperationState.RUNNING, worker=worker_name(), started_at=timezone.now())
    op = Operation.objects.select_related("started_by").get(pk=op_id)
    if not claimed:  # cancelled while queued, or another worker has it
        return op.state
    kind = kinds.get(op.kind)
    actor = op.started_by
    with translation.override(op.params.get("language") or None), worker_lock(op.pk, OPERATION_SPACE):
        try:
            items = list(kind.plan(actor, op))
            Operation.objects.filter(pk=op.pk).update(total=len(items))
            size = max(1, kind.chunk_size)
            for start in range(0, len(items), size):
                if _should_stop(op.pk):
                    return _end(op.pk, OperationState.CANCELLED).state
                part = items[start:start + size]
                with transaction.atomic():
                    counts = kind.chunk(actor, op, part)
                    op = Operation.objects.select_for_update().get(pk=op.pk)
                    op.result = _merge(op.result, counts or {})
                    op.processed = start + len(part)
                    op.save(update_fields=["result", "processed"])
            if kind.finish is not None:
                with transaction.atomic():
                    kind.finish(actor, Operation.objects.get(pk=op.pk))
        except Exception as exc:  # noqa: BLE001 - every failure ends the operation with a message
            if not isinstance(exc, ValidationError | PermissionDenied):
                log.exception("background operation %s failed", op_id)
            return _end(op.pk, OperationState.FAILED, _message(exc)).state
    return _end(op.pk, OperationState.DONE).state
