"""The persons behind one cell of a figure, selected by the same conditions that counted them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from homecoming.aftercare.models import ACTIVE_TASK_STATES, Task, TaskKind
from homecoming.exchanges.models import Exchange, ExchangeStatus
from homecoming.registry.models import (
    Person,
    Side,
    Status,
    StatusEvent,
)
from homecoming.registry.selectors import active_persons

from .cube import _ours, rank_expression
from .figures import _bin_q, _span, held_persons, returned_persons
from .shapes import BINS, GROUP_KEYS, GROUPS, NONE_VALUE, Range, today


class BadDrill(ValueError):
    """The drill-down parameters name no figure or cell."""


def persons_behind(params: dict[str, str], rng: Range) -> QuerySet[Person]:
    """The persons counted in one cell of a figure (``figure`` and its cell's parameters), selected
    by the same conditions as the count. Raises :class:`BadDrill` on parameters that name nothing."""
    figure = params.get("figure", "")
    if figure == "status_changes":
        try:
            month = dt.date.fromisoformat(params.get("month", "") + "-01")
        except ValueError as exc:
            raise BadDrill(_("Not a month: %(value)s.") % {"value": params.get("month", "")}) from exc
        status = params.get("status", "")
        if status not in Status.values:
            raise BadDrill(_("No such status."))
        after = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        corrected = StatusEvent.objects.filter(corrects__isnull=False).values("corrects_id")
        events = (StatusEvent.objects.filter(rng.q("effective_date"), status=status, effective_date__gte=month,
                                             effective_date__lt=after).exclude(pk__in=corrected))
        return _ours(Range()).filter(pk__in=events.values("person_id"))
    if figure == "returned":
        exchange = _int(params.get("exchange"))
        return active_persons().filter(exchange_crossings__exchange_id=exchange, side=Side.OURS,
                                       exchange_crossings__exchange__status=ExchangeStatus.RECONCILED)
    if figure in ("held_time", "returned_time"):
        i = _int(params.get("bin"))
        if not 0 <= i < len(BINS):
            raise BadDrill(_("No such bin."))
        lo, hi, _label = BINS[i]
        if figure == "held_time":
            return held_persons(rng).filter(_bin_q(None, lo, hi, today()))
        return _span(returned_persons(rng)).filter(_bin_q("span", lo, hi))
    if figure in ("by_branch", "by_direction", "by_rank", "by_medical"):
        group = params.get("group", "")
        if group not in GROUP_KEYS:
            raise BadDrill(_("No such status group."))
        value = params.get("value", "")
        qs = _ours(rng)
        dim = {"by_branch": "branch_id", "by_direction": "direction_id", "by_rank": "rank_cat",
               "by_medical": "medical_category"}[figure]
        if figure == "by_rank":
            qs = qs.annotate(rank_cat=rank_expression())
        if value == NONE_VALUE:
            qs = qs.filter(**{f"{dim}__isnull": True}) if figure != "by_medical" else qs.none()
        elif figure in ("by_branch", "by_direction"):
            qs = qs.filter(**{dim: _int(value)})
        else:
            qs = qs.filter(**{dim: value})
        statuses = {k: s for k, _l, s in GROUPS}
        if group == "other":
            return qs.exclude(current_status__in=[s for k, _l, ss in GROUPS for s in ss])
        return qs.filter(current_status__in=statuses[group])
    if figure == "aftercare":
        kind = params.get("kind", "")
        if kind not in TaskKind.values:
            raise BadDrill(_("No such kind of task."))
        tasks = Task.objects.filter(rng.q("due_date"), state__in=ACTIVE_TASK_STATES, kind=kind)
        if params.get("overdue"):
            tasks = tasks.filter(due_date__lt=today())
        return active_persons().filter(pk__in=tasks.values("case__person_id"))
    if figure == "payments":
        from homecoming.payments.models import Entitlement

        label = params.get("exchange", "")
        ents = Entitlement.objects.filter(rng.q("return_date"),
                                          exchange_label="" if label == NONE_VALUE else label)
        return Person.objects.filter(pk__in=ents.values("person_id"))
    if figure == "exchange_group":
        exchange = Exchange.objects.filter(pk=_int(params.get("exchange"))).first()
        group = params.get("group", "")
        if exchange is None or not exchange.report or group not in exchange.report.get("groups", {}):
            raise BadDrill(_("No such group of this exchange."))
        return Person.objects.filter(pk__in=[r["person"] for r in exchange.report["groups"][group]])
    raise BadDrill(_("No such figure."))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise BadDrill(_("Not a number: %(value)s.") % {"value": value}) from exc
