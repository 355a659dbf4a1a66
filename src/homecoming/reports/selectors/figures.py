"""Each figure of the dashboard, counted in the database, and the dashboard that gathers them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from homecoming.aftercare.models import ACTIVE_TASK_STATES, Task, TaskKind
from homecoming.exchanges.models import Crossing, ExchangeStatus
from homecoming.payments import selectors as payments_selectors
from homecoming.registry.models import (
    Branch,
    Direction,
    MedicalCategory,
    Person,
    RankCategory,
    Side,
    Status,
    StatusCount,
)

from .cube import DaysBetween, YearMonth, _ours, _status_label, person_cube
from .remains import identification_time, missing_without_samples, remains_progress
from .shapes import (
    BINS,
    GROUP_KEYS,
    GROUPS,
    HELD_STATUSES,
    NONE_VALUE,
    RETURN_STATUSES,
    Figure,
    Range,
    Row,
    _note,
    today,
)


def register_by_status(rng: Range, cube: list[dict] | None = None) -> Figure:
    counts: dict[tuple[str, str], int] = {}
    for row in person_cube(rng) if cube is None else cube:
        key = (row["current_status"], row["side"])
        counts[key] = counts.get(key, 0) + row["n"]
    order = [s.value for s in Status] + [""]
    rows = []
    for status in order:
        cells = [counts.get((status, side), 0) for side in (Side.OURS, Side.ENEMY)]
        if not any(cells):
            continue
        drill = [{"to": "registry", "status": status, "side": side} if status else None
                 for side in (Side.OURS, Side.ENEMY)]
        rows.append(Row(_status_label(status), cells, drill))
    return Figure("register", _("The register by status and side"),
                  _("Date of disappearance or capture"), "stacked", _("Status"),
                  [_("Our persons"), _("Enemy prisoners of war")], rows)


def status_changes_by_month(rng: Range) -> Figure:
    """Live status events (not corrected) of our persons, by month of their effective date: summed
    from the counts by day that the registry keeps with every event it writes
    (``registry.status_counts``), a few thousand rows, instead of grouping the whole history."""
    qs = (StatusCount.objects.filter(rng.q("day"), side=Side.OURS, n__gt=0)
          .annotate(month=YearMonth("day")).values_list("month", "status")
          .annotate(total=Sum("n")).order_by())
    counts: dict[tuple[dt.date, str], int] = {}
    for month, status, n in qs:
        if isinstance(month, dt.date):
            month = month.date() if isinstance(month, dt.datetime) else month
        else:
            month = dt.date(int(month[:4]), int(month[5:7]), 1)
        counts[(month, status)] = counts.get((month, status), 0) + n
    statuses = [s for s in Status if s in {
        Status.MISSING, Status.CAPTIVITY_CONFIRMED, Status.ON_EXCHANGE_LIST, Status.RETURNED,
        Status.RELEASED_OTHER, Status.FOUND, Status.DECEASED}]
    rows = []
    for month in _months(sorted({m for m, _s in counts})):
        label = month.strftime("%Y-%m")
        rows.append(Row(label, [counts.get((month, s), 0) for s in statuses],
                        [{"to": "reports", "figure": "status_changes", "month": label, "status": s.value}
                         for s in statuses]))
    return Figure("status_changes", _("Status changes of our persons by month"),
                  _("Effective date of the status"), "time_stacked", _("Month"),
                  [str(s.label) for s in statuses], rows)


def _months(present: list[dt.date]) -> list[dt.date]:
    """Every month from the first to the last present (months without events are zero)."""
    if not present:
        return []
    out, month = [], present[0]
    while month <= present[-1]:
        out.append(month)
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return out


def returned_per_exchange(rng: Range) -> Figure:
    rows_q = (Crossing.objects.filter(rng.q("exchange__carried_out_on"), person__side=Side.OURS,
                                      exchange__status=ExchangeStatus.RECONCILED)
              .values_list("exchange_id", "exchange__number", "exchange__agreement__title",
                           "exchange__carried_out_on")
              .annotate(n=Count("id")).order_by("exchange__carried_out_on", "exchange_id"))
    rows, total = [], 0
    from django.urls import reverse

    for pk, number, title, day, n in rows_q:
        total += n
        rows.append(Row(f"{day.isoformat()} · {title} · {number}", [n, total],
                        [{"to": "reports", "figure": "returned", "exchange": pk}, None],
                        link=reverse("reports:exchange", args=[pk])))
    return Figure("returned", _("Persons returned per exchange, with the running total"),
                  _("Exchange day"), "time", _("Exchange"), [_("Returned"), _("Running total")], rows,
                  line=_("Running total"))


def _bin_q(span_field: str | None, lo: int, hi: int | None, as_of: dt.date | None = None) -> Q:
    """Persons whose time in captivity is in [lo, hi) days: measured from the incident date to
    ``as_of`` (those still held) or by the annotated ``span_field`` (those returned)."""
    if span_field:
        q = Q(**{f"{span_field}__gte": lo})
        if hi is not None:
            q &= Q(**{f"{span_field}__lt": hi})
        return q
    q = Q(incident_date__lte=as_of - dt.timedelta(days=lo))
    if hi is not None:
        q &= Q(incident_date__gt=as_of - dt.timedelta(days=hi))
    return q


def held_persons(rng: Range) -> QuerySet[Person]:
    return _ours(rng).filter(current_status__in=HELD_STATUSES)


def returned_persons(rng: Range) -> QuerySet[Person]:
    return _ours(rng, "current_status_date").filter(current_status__in=RETURN_STATUSES)


def _span(qs: QuerySet[Person]) -> QuerySet[Person]:
    """Days in captivity of a returnee: from the incident date to the date of the return status."""
    return qs.annotate(span=DaysBetween("current_status_date", "incident_date"))


def captivity_held(rng: Range, as_of: dt.date | None = None) -> Figure:
    as_of = as_of or today()
    aggregates = {f"b{i}": Count("id", filter=_bin_q(None, lo, hi, as_of)) for i, (lo, hi, _l) in enumerate(BINS)}
    aggregates["unknown"] = Count("id", filter=Q(incident_date__isnull=True) | Q(incident_date__gt=as_of))
    got = held_persons(rng).aggregate(**aggregates)
    rows = [Row(str(label), [got[f"b{i}"]], [{"to": "reports", "figure": "held_time", "bin": i}])
            for i, (_lo, _hi, label) in enumerate(BINS)]
    return Figure("held_time", _("Time in captivity of those still held"), _("Date of disappearance or capture"),
                  "histogram", _("Time in captivity"), [_("Persons")], rows,
                  **_note(_("Counted to %(day)s. Without a known date of capture: %(n)s."),
                          day=as_of.isoformat(), n=got["unknown"]))


def captivity_returned(rng: Range) -> Figure:
    aggregates = {f"b{i}": Count("id", filter=_bin_q("span", lo, hi)) for i, (lo, hi, _l) in enumerate(BINS)}
    aggregates["unknown"] = Count("id", filter=Q(incident_date__isnull=True) | Q(current_status_date__isnull=True)
                                  | Q(span__lt=0))
    got = _span(returned_persons(rng)).aggregate(**aggregates)
    rows = [Row(str(label), [got[f"b{i}"]], [{"to": "reports", "figure": "returned_time", "bin": i}])
            for i, (_lo, _hi, label) in enumerate(BINS)]
    return Figure("returned_time", _("Time in captivity of those returned"), _("Date of the return"),
                  "histogram", _("Time in captivity"), [_("Persons")], rows,
                  **_note(_("From the capture to the return. Without a known date of capture: %(n)s."),
                          n=got["unknown"]))


def _breakdown(key: str, title: str, header: str, rng: Range, dim: str, items: list[tuple[object, str]],
               cube: list[dict] | None) -> Figure:
    counts: dict[object, dict[str, int]] = {}
    for row in person_cube(rng) if cube is None else cube:
        if row["side"] != Side.OURS:
            continue
        got = counts.get(row[dim])
        if got is None:
            got = counts[row[dim]] = dict.fromkeys(GROUP_KEYS, 0)
        got[row["group"]] += row["n"]
    rows = []
    for value, label in items + [(None, _("Not recorded"))]:
        got = counts.get(value)
        if got is None:
            continue
        cells = [got[g] for g in GROUP_KEYS]
        drill_value = NONE_VALUE if value is None else value
        rows.append(Row(label, cells, [{"to": "reports", "figure": key, "value": drill_value, "group": g}
                                       for g in GROUP_KEYS]))
    return Figure(key, title, _("Date of disappearance or capture"), "stacked", header,
                  [str(g[1]) for g in GROUPS], rows)


def by_branch(rng: Range, cube: list[dict] | None = None) -> Figure:
    items = [(b.pk, b.name) for b in Branch.objects.all()]
    return _breakdown("by_branch", _("Our persons by branch and status"), _("Branch"), rng, "branch_id", items, cube)


def by_direction(rng: Range, cube: list[dict] | None = None) -> Figure:
    items = [(d.pk, d.name) for d in Direction.objects.all()]
    return _breakdown("by_direction", _("Our persons by front direction and status"), _("Front direction"), rng,
                      "direction_id", items, cube)


def by_rank(rng: Range, cube: list[dict] | None = None) -> Figure:
    items = [(c.value, str(c.label)) for c in RankCategory]
    return _breakdown("by_rank", _("Our persons by rank category and status"), _("Rank category"), rng,
                      "rank_cat", items, cube)


def by_medical(rng: Range, cube: list[dict] | None = None) -> Figure:
    items = [(c.value, str(c.label)) for c in MedicalCategory]
    return _breakdown("by_medical", _("Our persons by medical category and status"), _("Medical category"), rng,
                      "medical_category", items, cube)


def missing_resolved(rng: Range, cube: list[dict] | None = None) -> Figure:
    counts: dict[str, int] = {}
    for row in person_cube(rng) if cube is None else cube:
        if row["was_missing"]:
            counts[row["current_status"]] = counts.get(row["current_status"], 0) + row["n"]
    rows = []
    for status in Status:
        if status == Status.MISSING or not counts.get(status.value):
            continue
        rows.append(Row(str(status.label), [counts[status.value]],
                        [{"to": "registry", "missing_then_found": "on", "status": status.value}]))
    still = counts.get(Status.MISSING.value, 0)
    return Figure("missing_resolved", _("Missing persons later confirmed captive, returned or found"),
                  _("Date of disappearance or capture"), "bar", _("Status now"), [_("Persons")], rows,
                  **_note(_("Still missing: %(n)s."), n=still))


def aftercare_tasks(rng: Range, as_of: dt.date | None = None) -> Figure:
    as_of = as_of or today()
    got = {row["kind"]: row for row in (
        Task.objects.filter(rng.q("due_date"), state__in=ACTIVE_TASK_STATES).values("kind")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=as_of))).order_by())}
    rows = []
    for kind in TaskKind:
        row = got.get(kind.value)
        if row is None:
            continue
        rows.append(Row(str(kind.label), [row["open"], row["overdue"]],
                        [{"to": "reports", "figure": "aftercare", "kind": kind.value},
                         {"to": "reports", "figure": "aftercare", "kind": kind.value, "overdue": "1"}]))
    return Figure("aftercare", _("Aftercare tasks open and overdue"), _("Due date of the task"), "bar",
                  _("Kind of task"), [_("Open"), _("Of them overdue")], rows,
                  note=_("Overdue: due before %(day)s and not done.") % {"day": as_of.isoformat()})


def payments(rng: Range) -> Figure:
    got = payments_selectors.report(returned_from=rng.start, returned_to=rng.end)
    rows = []
    for r in got["rows"]:
        rows.append(Row(r["exchange"] or _("No exchange (released by other means)"),
                        [r["persons"], r["owed"], r["approved"], r["paid"]],
                        [{"to": "reports", "figure": "payments", "exchange": r["exchange"] or NONE_VALUE},
                         None, None, None]))
    t = got["total"]
    if rows:
        rows.append(Row(_("Total"), [t["persons"], t["owed"], t["approved"], t["paid"]], [None] * 4))
    return Figure("payments", _("Payments owed, approved and paid (UAH)"), _("Date of the return"), "money",
                  _("Exchange"), [_("Persons"), _("Owed"), _("Approved"), _("Paid")], rows, money=True)


FIGURES: dict[str, Callable[[Range], Figure]] = {
    "register": register_by_status,
    "status_changes": status_changes_by_month,
    "returned": returned_per_exchange,
    "held_time": captivity_held,
    "returned_time": captivity_returned,
    "by_branch": by_branch,
    "by_direction": by_direction,
    "by_rank": by_rank,
    "by_medical": by_medical,
    "missing_resolved": missing_resolved,
    "aftercare": aftercare_tasks,
    "payments": payments,
    "remains": remains_progress,
    "remains_time": identification_time,
    "remains_samples": missing_without_samples,
}

#: the figures summed from :func:`person_cube`
CUBE_FIGURES = {"register", "by_branch", "by_direction", "by_rank", "by_medical", "missing_resolved"}


def figure(key: str, rng: Range, cube: list[dict] | None = None) -> Figure:
    fn = FIGURES[key]
    return fn(rng, cube) if key in CUBE_FIGURES else fn(rng)


def dashboard(rng: Range) -> list[Figure]:
    """Every figure, the person figures from one grouped count of the register."""
    cube = person_cube(rng)
    return [figure(key, rng, cube) for key in FIGURES]
