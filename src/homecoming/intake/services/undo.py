"""Undoing a review decision: the row goes back to the queue exactly as it was.

A reviewer works fast through hundreds of rows at night; a wrong click must be forgiven. The undo
puts the row back (open, its candidates and evidence untouched, as the linkage left them) and
takes back what the decision wrote in the register (the status event of an acceptance, the person
a "new person" created) through ``registry.services.withdraw_*``, which refuse once a later step
has used it (a later status event such as a listing on an exchange, an inquiry or a list entry
pointing at the person, a family told): the message names that step, and nothing is changed.

Who may undo: the reviewer who decided, or a holder of ``intake.undo_any_decision`` (a lead: an
analyst who also holds the registrar's role, the one who keeps the register clean). The row's
``version`` moves on (never back): a page still showing the decision cannot undo a later one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.registry import services as registry_services

from ..models import ListRow, RowState
from .common import RowAlreadyDecided, _require, _user

UNDO_ANY = "intake.undo_any_decision"


def may_undo(actor, row: ListRow) -> bool:
    """Whether ``actor`` may undo the decision on ``row`` (its own, or anyone's for a lead)."""
    user = _user(actor)
    return bool(actor.has_perm("intake.review_match") and (
        (user is not None and row.decided_by_id == user.pk) or actor.has_perm(UNDO_ANY)))


@transaction.atomic
def undo_decision(actor, row_id: int, *, version, request=None) -> ListRow:
    """Undo the decision on one row (see the module). ``version``: the row's version as the page
    showed the decision; refused with :class:`RowAlreadyDecided` when it moved on."""
    _require(actor, "intake.review_match")
    row = ListRow.objects.select_for_update(of=("self",)).select_related("incoming_list").get(pk=row_id)
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValidationError(_("The row version is missing; reload the page.")) from None
    if row.version != version:
        raise RowAlreadyDecided(row)
    if row.state == RowState.OPEN:
        raise ValidationError(_("Row %(row)s is not decided: there is nothing to undo.") % {"row": row.row_number})
    if not may_undo(actor, row):
        raise PermissionDenied(_("Only the reviewer who decided row %(row)s, or a lead, may undo the decision.")
                               % {"row": row.row_number})
    undone = {"list": row.incoming_list_id, "row": row.row_number, "state": row.state,
              "person": row.person_id, "event": row.status_event_id, "reason": row.decision_note or None,
              "decided_by": row.decided_by_id, "decided_at": row.decided_at.isoformat() if row.decided_at else None}
    state, person_id, event_id = row.state, row.person_id, row.status_event_id
    row.state, row.person, row.status_event = RowState.OPEN, None, None
    row.decided_by, row.decided_at, row.decision_note = None, None, ""
    row.version += 1
    row.save(update_fields=["state", "person", "status_event", "decided_by", "decided_at", "decision_note",
                            "version"])
    # the row no longer points at what it wrote: anything else that does is a later step's use
    if state == RowState.ACCEPTED and event_id:
        undone["withdrawn"] = registry_services.withdraw_status_event(
            actor, event_id, permission="intake.review_match", request=request)
    elif state == RowState.CREATED and person_id:
        undone["withdrawn"] = registry_services.withdraw_new_person(
            actor, person_id, permission="intake.review_match", request=request)
    record(actor, "intake.row_undo", object_type="list_row", object_id=row.pk, details=undone, request=request)
    return row
