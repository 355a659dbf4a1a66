"""What the page says about an operation, in the reader's language: the same words for the
first render and for every refresh of the progress bar."""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import kinds
from .models import Operation, OperationState


def text(op: Operation) -> str:
    if op.state == OperationState.QUEUED:
        return _("Waiting for a worker to start it.")
    if op.state == OperationState.RUNNING:
        if op.total is None:
            return _("Counting the work to do…")
        if op.cancel_requested:
            return _("Stopping after the part in hand: %(done)s of %(total)s done.") % {
                "done": op.processed, "total": op.total}
        return _("%(done)s of %(total)s done (%(percent)s%%).") % {
            "done": op.processed, "total": op.total, "percent": op.percent}
    if op.state == OperationState.DONE:
        return kinds.get(op.kind).summary(op.result)
    if op.state == OperationState.CANCELLED:
        return _("Cancelled after %(done)s of %(total)s; what was done is kept, nothing is half done.") % {
            "done": op.processed, "total": op.total or 0}
    return op.error or _("The work failed.")


def as_dict(op: Operation) -> dict:
    """The status the page's script reads (operations/static/operations/progress.js)."""
    return {"id": op.pk, "state": op.state, "state_label": str(OperationState(op.state).label),
            "active": op.active, "processed": op.processed, "total": op.total, "percent": op.percent,
            "text": text(op)}
