"""Intake's background work: confirm every automatic match of a list (issue 19: "Confirm all
943" took 44 s in one request). Each chunk of rows is one transaction of ordinary decisions
(``services.decide_row``: a status event and an audit event per row), so a cancel or a failure
leaves whole decisions only; starting again takes up the rows still open."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homecoming.operations.kinds import Kind, register

CONFIRM_ALL = "intake.confirm_all"


def _plan(actor, op):
    from . import services

    return services.automatic_rows(actor, op.target_id)


def _chunk(actor, op, rows):
    from . import services

    return services.accept_rows(actor, rows)


def _finish(actor, op):
    from . import services

    services.record_accept_automatic(actor, op.target_id, op.result)


def _summary(result: dict) -> str:
    text = _("%(n)s automatic matches confirmed.") % {"n": result.get("accepted", 0)}
    if result.get("skipped"):
        text += " " + _("%(n)s rows had been decided by someone else meanwhile and were left as they are.") % {
            "n": result["skipped"]}
    if result.get("failed"):
        text += " " + _("%(n)s rows could not be confirmed: %(rows)s.") % {
            "n": len(result["failed"]), "rows": "; ".join(f"{n}: {m}" for n, m in result["failed"][:20])}
    return text


register(Kind(name=CONFIRM_ALL, permission="intake.review_match",
              title=gettext_lazy("Confirming the automatic matches"),
              plan=_plan, chunk=_chunk, summary=_summary, finish=_finish, chunk_size=50))
