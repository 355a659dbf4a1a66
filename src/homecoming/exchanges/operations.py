"""The exchanges' background work: the reconciliation of a stage (issue 19: a big stage took
seconds in the request). A reconciliation is all or nothing by design (one atomic update of the
register, ``services.reconcile``), so it is one chunk: it can be cancelled while it waits for a
worker, and once it runs it either reconciles the whole stage or changes nothing. The worker
checks again, in its transaction, that the plan is the one the negotiator confirmed."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homecoming.operations.kinds import Kind, register

RECONCILE_STAGE = "exchanges.reconcile"


def _plan(actor, op):
    return [op.target_id]


def _chunk(actor, op, stages):
    from . import services

    (stage,) = stages
    report = services.reconcile(actor, stage, confirm=op.params.get("confirm") or "",
                                exception_reason=op.params.get("exception_reason") or "")
    return {"returned": len(report["groups"]["returned_as_listed"]) + len(report["groups"]["returned_unlisted"]),
            "not_returned": len(report["groups"]["listed_not_returned"]),
            "handed_over": len(report["groups"]["handed_over"]) + len(report["groups"]["handed_over_unlisted"])}


def _summary(result: dict) -> str:
    return _("The stage is reconciled: %(returned)s returned, %(missing)s listed but not returned, "
             "%(handed)s handed over.") % {"returned": result.get("returned", 0),
                                           "missing": result.get("not_returned", 0),
                                           "handed": result.get("handed_over", 0)}


register(Kind(name=RECONCILE_STAGE, permission="exchanges.reconcile_exchange",
              title=gettext_lazy("Reconciling the stage"), plan=_plan, chunk=_chunk, summary=_summary,
              chunk_size=1))
