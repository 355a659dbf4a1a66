"""The payments' background work: the preparation of a batch (issue 19). A batch is approved as
a whole by a second officer, so it is prepared all or nothing (``services.prepare_batch``, one
transaction): one chunk, cancellable while it waits for a worker. There is one target, the
office's next batch (0): a second preparation while one runs gets the running one, since both
would take the same amounts due."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homecoming.operations.kinds import Kind, register

PREPARE_BATCH = "payments.prepare_batch"
#: the target of every preparation: the next batch
NEXT_BATCH = 0


def _plan(actor, op):
    return [NEXT_BATCH]


def _chunk(actor, op, _items):
    from . import services

    batch = services.prepare_batch(actor, due_ids=op.params.get("due_ids"), note=op.params.get("note") or "")
    return {"batch": str(batch.pk), "reference": batch.reference, "lines": batch.lines.count()}


def _summary(result: dict) -> str:
    return _("The batch %(ref)s is prepared with %(n)s payments: a second finance officer approves it.") % {
        "ref": result.get("reference", ""), "n": result.get("lines", 0)}


register(Kind(name=PREPARE_BATCH, permission="payments.prepare_batch", title=gettext_lazy("Preparing a batch"),
              plan=_plan, chunk=_chunk, summary=_summary, chunk_size=1))
