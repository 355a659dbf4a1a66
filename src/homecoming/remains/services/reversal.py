"""Reversing a confirmed identification (a DNA result overturns it), by two people as its
confirmation: a forensic expert proposes the reversal with the reason, a registrar who is someone
else reverses it against the preview they saw. The register is corrected through the status model
(a new event that corrects the death, never a deletion: docs/status-model.md); the tasks still open
are cancelled; an unpaid death benefit is cancelled and a paid one flagged for finance (payments,
asked by name); when the family had been told in person of the death, a task to tell them of the
reversal in person follows, and until it is done the portal asks them to contact the
headquarters (families.status)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.common import confirm
from homecoming.common.actors import user_of
from homecoming.registry import lifecycle
from homecoming.registry import services as registry
from homecoming.registry.models import SourceKind, Status

from ..models import Identification, IdentificationState, Task, TaskKind, TaskState
from .common import CHANGE, CONFIRM, require, save_with_history
from .identification import TELL, _ask, _identification, _log_identification


def _confirmed(identification_id) -> Identification:
    identification = _identification(identification_id)
    if identification.state != IdentificationState.CONFIRMED:
        raise ValidationError(_("Only a confirmed identification can be reversed."))
    return identification


@transaction.atomic
def propose_reversal(actor, identification_id, *, reason: str, request=None) -> Identification:
    """A forensic expert proposes to reverse a confirmed identification, saying why."""
    require(actor, CHANGE)
    identification = _confirmed(identification_id)
    if identification.reversal_proposed_at:
        raise ValidationError(_("A reversal of this identification is proposed already."))
    if not (reason or "").strip():
        raise ValidationError({"reversal_reason": [_("Say why the identification is reversed.")]})
    return save_with_history(actor, identification, {"reversal_reason": reason,
                                                     "reversal_proposed_by": user_of(actor),
                                                     "reversal_proposed_at": timezone.now()},
                             action="identification.reversal_propose", object_type="identification",
                             details={"remains": identification.remains_id, "person": identification.person_id},
                             request=request)


def reversal_preview(identification: Identification) -> dict:
    """What the registrar sees before reversing, as plain data; its fingerprint is confirmed."""
    tasks = list(identification.tasks.order_by("position", "pk").values_list("pk", "kind", "state"))
    return {
        "identification": identification.pk, "state": identification.state,
        "remains": identification.remains.case_number, "person": identification.person_id,
        "death_event": identification.death_event_id, "reason": identification.reversal_reason,
        "proposed_by": identification.reversal_proposed_by_id, "tasks": [list(t) for t in tasks],
    }


def reversal_fingerprint(identification: Identification) -> str:
    return confirm.fingerprint(reversal_preview(identification))


def _state_without(identification: Identification) -> tuple[str, object]:
    """The state (and its date) the register holds without the death the confirmation wrote:
    what the correction says. Missing, on the date of the death, when nothing came before."""
    events = [e for e in identification.person.status_events.all() if e.pk != identification.death_event_id]
    states = lifecycle.state_events(lifecycle.live_events(events))
    if states:
        return states[-1].status, states[-1].effective_date
    return Status.MISSING, identification.death_event.effective_date


@transaction.atomic
def reverse_identification(actor, identification_id, *, fingerprint: str | None, request=None) -> Identification:
    """A registrar who did not propose the reversal reverses the identification."""
    require(actor, CONFIRM)
    identification = _confirmed(identification_id)
    if not identification.reversal_proposed_at:
        raise ValidationError(_("A forensic expert proposes the reversal first, with the reason."))
    if identification.reversal_proposed_by_id == getattr(user_of(actor), "pk", None):
        raise PermissionDenied(_("The person who proposed a reversal cannot carry it out: a second person must."))
    confirm.check(fingerprint, reversal_fingerprint(identification))
    status, date = _state_without(identification)
    reason = identification.reversal_reason.strip()
    values = {"status": status, "effective_date": date, "source_kind": SourceKind.IDENTIFIED_REMAINS,
              "source_reference": f"{identification.remains.case_number} {identification}",
              "note": _("Identification %(ref)s reversed") % {"ref": identification},
              "corrects": identification.death_event_id, "managed_by": registry.MANAGED_BY_REMAINS,
              "permission": CONFIRM, "request": request}
    try:
        with transaction.atomic():
            correction = registry.add_status_event(actor, identification.person_id, **values)
    except registry.Contradiction:  # what was recorded after the death: the reason covers it
        correction = registry.add_status_event(actor, identification.person_id, exception_reason=reason[:500],
                                               **values)
    told = identification.tasks.filter(kind=TaskKind.TELL_FAMILY, state=TaskState.DONE).exists()
    for task in identification.tasks.select_for_update().filter(state=TaskState.OPEN):
        save_with_history(actor, task, {"state": TaskState.CANCELLED,
                                        "outcome": _("Cancelled: the identification was reversed.")},
                          action="identification.task_cancel", object_type="identification_task",
                          details={"identification": identification.pk, "kind": task.kind}, request=request)
    if told:
        Task.objects.create(identification=identification, kind=TaskKind.TELL_REVERSAL,
                            position=identification.tasks.count())
    _ask("payments", "death_reversed", actor, identification_id=identification.pk, permission=CONFIRM,
         reason=_("Identification %(ref)s reversed: %(reason)s") % {"ref": identification, "reason": reason},
         request=request)
    identification.state = IdentificationState.REVERSED
    identification.reversed_by, identification.reversed_at = user_of(actor), timezone.now()
    identification.correction_event = correction
    identification.save(update_fields=["state", "reversed_by", "reversed_at", "correction_event"])
    _log_identification(actor, identification, "identification.reverse",
                        {"state": IdentificationState.REVERSED, "correction_event": correction.pk,
                         "family_told": told}, request=request)
    return identification


__all__ = ["TELL", "propose_reversal", "reversal_fingerprint", "reversal_preview", "reverse_identification"]
