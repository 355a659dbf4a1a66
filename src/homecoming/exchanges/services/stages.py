"""An exchange (one stage of an agreement) and the moves of its status.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.registry.limits import length_errors
from homecoming.registry.models import StatusEvent

from .. import selectors
from ..models import (
    Agreement,
    Exchange,
    ExchangeStatus,
)
from .common import CHANGE_EXCHANGE, _date, _require, _user

#: allowed changes of an exchange's status (reconciled only through :func:`reconcile`)
EXCHANGE_TRANSITIONS = {
    ExchangeStatus.PLANNING: {ExchangeStatus.LISTS_SENT},
    ExchangeStatus.LISTS_SENT: {ExchangeStatus.PLANNING, ExchangeStatus.LISTS_AGREED},
    ExchangeStatus.LISTS_AGREED: {ExchangeStatus.LISTS_SENT, ExchangeStatus.CARRIED_OUT},
    ExchangeStatus.CARRIED_OUT: set(),
    ExchangeStatus.RECONCILED: set(),
}
LISTS_OPEN = (ExchangeStatus.PLANNING, ExchangeStatus.LISTS_SENT)


@transaction.atomic
def create_exchange(actor, agreement_id: int, *, number: int | None = None, planned_date=None, notes: str = "",
                    request=None) -> Exchange:
    _require(actor, CHANGE_EXCHANGE)
    agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
    errors: dict[str, list[str]] = {}
    planned = _date(planned_date, "planned_date", errors)
    taken = set(agreement.exchanges.values_list("number", flat=True))
    if number in (None, ""):
        number = max(taken, default=0) + 1
    else:
        try:
            number = int(number)
            if number < 1:
                raise ValueError
            if number in taken:
                errors["number"] = [_("Stage %(n)s of this agreement exists already.") % {"n": number}]
        except (TypeError, ValueError):
            errors["number"] = [_("Enter a whole number from 1.")]
    if errors:
        raise ValidationError(errors)
    exchange = Exchange.objects.create(agreement=agreement, number=number, planned_date=planned,
                                       notes=(notes or "").strip())
    record(actor, "exchange.create", object_type="exchange", object_id=exchange.pk,
           details={"agreement": agreement.pk, "number": number}, request=request)
    return exchange


class NeedsException(ValidationError):
    """The move breaks a rule of the stage; the negotiator may record an exception with a reason.
    ``problems`` lists what it breaks, in the reader's language."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__({"exception_reason": [*problems, _("Put it right, or record an exception with the "
                                                             "reason.")]}, code="needs_exception")


@transaction.atomic
def set_exchange_status(actor, exchange_id: int, status: str, *, carried_out_on=None, exception_reason: str = "",
                        request=None) -> Exchange:
    """Move a stage along EXCHANGE_TRANSITIONS. "Lists agreed" is refused while a category's trade
    rule does not balance or an entry is contested; "carried out" is refused on a day before a
    person was put on its lists (selectors.stage_problems). Either goes through when the
    negotiator records an exception with a reason, kept on the stage and in the audit log."""
    _require(actor, CHANGE_EXCHANGE)
    exchange = Exchange.objects.select_for_update().select_related("agreement").get(pk=exchange_id)
    if status not in ExchangeStatus.values:
        raise ValidationError({"status": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(
            ExchangeStatus.values)}]})
    if status == ExchangeStatus.RECONCILED:
        raise ValidationError({"status": [_("An exchange is reconciled by the reconciliation, not by hand.")]})
    if status not in EXCHANGE_TRANSITIONS[exchange.status]:
        raise ValidationError({"status": [
            _("An exchange cannot go from “%(old)s” to “%(new)s”.")
            % {"old": ExchangeStatus(exchange.status).label, "new": ExchangeStatus(status).label}]})
    errors: dict[str, list[str]] = {}
    day = None
    if status == ExchangeStatus.CARRIED_OUT:
        day = _date(carried_out_on, "carried_out_on", errors, required=True)
        if day and day > timezone.localdate():
            errors["carried_out_on"] = [_("The date cannot be in the future.")]
    exception_reason = (exception_reason or "").strip()
    errors.update(length_errors(StatusEvent, {"exception_reason": exception_reason}))  # where it ends up
    if errors:
        raise ValidationError(errors)
    problems = selectors.stage_problems(exchange, status, carried_out_on=day)
    if problems and not exception_reason:
        raise NeedsException([p.message for p in problems])
    if problems:
        exchange.exceptions = [*exchange.exceptions, *(
            {"kind": p.kind, "to": status, "reason": exception_reason, "details": p.message,
             "by": getattr(_user(actor), "username", ""), "at": timezone.now().isoformat()} for p in problems)]
    if day is not None:
        exchange.carried_out_on = day
    old = exchange.status
    exchange.status = status
    exchange.save(update_fields=["status", "carried_out_on", "exceptions"])
    record(actor, "exchange.status", object_type="exchange", object_id=exchange.pk,
           details={"from": old, "to": status,
                    "carried_out_on": exchange.carried_out_on.isoformat() if exchange.carried_out_on else None,
                    "exceptions": [p.kind for p in problems], "exception_reason": exception_reason or None},
           request=request)
    return exchange
