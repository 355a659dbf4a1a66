"""The figures of the dashboard, counted in the database (``values().annotate(Count)``), a fixed
number of queries per figure whatever the size of the register; and the persons behind a figure's
cell (the drill-down), selected by the same conditions.

A :class:`Figure` is plain data: columns, rows of numbers, and for each cell the conditions that
select the persons behind it (``drill``: a target, see :func:`drill_target`). The view turns it
into a chart, a table and links; :func:`suppress` hides small numbers for roles that see
aggregates only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import CharField, Count, F, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from homecoming.aftercare.models import ACTIVE_TASK_STATES, Task, TaskKind
from homecoming.exchanges.models import Crossing, Exchange, ExchangeStatus
from homecoming.payments import selectors as payments_selectors
from homecoming.registry.models import (
    STATUSES_BY_SIDE,
    Branch,
    Direction,
    MedicalCategory,
    Person,
    Rank,
    RankCategory,
    Side,
    Status,
    StatusEvent,
)
from homecoming.registry.selectors import active_persons

#: fewer persons than this in a cell are not shown to roles that see aggregates only
SMALL_NUMBER = 5
#: the mark of a hidden number, as national statistics print it (Ukrainian "к", English "c"):
#: one mark for a small number and for the second number hidden with it (``_complement``), so
#: that neither says which is which and neither says something untrue ("<5" for a 40)
HIDDEN = pgettext_lazy("a hidden number in a table of aggregates", "c")

HELD_STATUSES = (Status.CAPTIVITY_CONFIRMED, Status.ON_EXCHANGE_LIST)
RETURN_STATUSES = tuple(payments_selectors.RETURN_STATUSES)

#: status groups of our side used by the breakdowns (branch, direction, rank, medical)
GROUPS: tuple[tuple[str, object, tuple[str, ...]], ...] = (
    ("missing", gettext_lazy("Missing"), (Status.MISSING,)),
    ("held", gettext_lazy("Held (captivity confirmed)"), HELD_STATUSES),
    ("returned", gettext_lazy("Returned or released"), RETURN_STATUSES),
    ("other", gettext_lazy("Other (found, deceased, no status)"), ()),
)
GROUP_KEYS = [g[0] for g in GROUPS]

#: bins of time in captivity, in days: [lower, upper) ; the last is open
BINS: tuple[tuple[int, int | None, object], ...] = (
    (0, 183, gettext_lazy("under 6 months")),
    (183, 365, gettext_lazy("6–12 months")),
    (365, 730, gettext_lazy("1–2 years")),
    (730, 1095, gettext_lazy("2–3 years")),
    (1095, 1461, gettext_lazy("3–4 years")),
    (1461, 1826, gettext_lazy("4–5 years")),
    (1826, None, gettext_lazy("5 years or more")),
)

NONE_VALUE = "none"  # the drill-down value of "not recorded"


@dataclass
class Range:
    """The date range a person chose; either end may be open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def q(self, field_name: str) -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{field_name}__gte": self.start})
        if self.end:
            q &= Q(**{f"{field_name}__lte": self.end})
        return q

    @property
    def params(self) -> dict[str, str]:
        out = {}
        if self.start:
            out["start"] = self.start.isoformat()
        if self.end:
            out["end"] = self.end.isoformat()
        return out


@dataclass
class Row:
    label: str
    cells: list  # int | Decimal | None (None: suppressed)
    drill: list = field(default_factory=list)  # per cell: a drill target (dict) or None
    link: str = ""  # a page about the row (e.g. the exchange report), for every role


@dataclass
class Figure:
    key: str
    title: str
    applies: str  # what the date range applies to
    chart: str  # bar | stacked | time | histogram
    label_header: str
    columns: list[str]
    rows: list[Row]
    line: str = ""  # time charts: the name of the running total (the last column)
    money: bool = False
    suppressed: bool = False
    note: str = ""
    #: the note's format and values (``_note``): its count ``n`` is hidden like a cell when small
    note_format: str = ""
    note_values: dict = field(default_factory=dict)

    def column(self, i: int) -> list:
        return [r.cells[i] for r in self.rows]


def _note(fmt: str, **values) -> dict:
    """A figure's note, with its format and values kept so that ``suppress`` can hide its count."""
    return {"note": fmt % values, "note_format": fmt, "note_values": values}


def today() -> dt.date:
    return timezone.localdate()  # Europe/Kyiv


class YearMonth(Func):
    """``YYYY-MM`` of a date, with the database's own functions (Django's TruncMonth runs a Python
    function per row on SQLite: ten times slower over the status history)."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="SUBSTR", template="%(function)s(%(expressions)s, 1, 7)",
                           **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="TO_CHAR",
                           template="%(function)s(%(expressions)s, 'YYYY-MM')", **extra)

    def as_sql(self, compiler, connection, function=None, template=None, **extra):
        if function is None:  # another database: the portable (slower) way
            return TruncMonth(*self.source_expressions).as_sql(compiler, connection)
        return super().as_sql(compiler, connection, function=function, template=template, **extra)


class DaysBetween(Func):
    """Whole days from the second date to the first, as an integer, natively on each database."""

    output_field = IntegerField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="CAST(JULIANDAY(%(expressions)s) AS INTEGER)",
                              arg_joiner=") - JULIANDAY(", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)


class Unindexed(Func):
    """A column that SQLite must not look up through its own index (``+column``): the register's
    ``merged_into IS NULL`` would otherwise send SQLite to the merged_into index (nearly every row)
    instead of the covering ``person_report_idx``. Other databases get the plain column."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


def register() -> QuerySet[Person]:
    """The persons in the register, as :func:`homecoming.registry.selectors.active_persons` (records
    merged into another left out), written so that SQLite reads the report index."""
    return Person.objects.alias(_merged=Unindexed("merged_into_id", output_field=IntegerField())).filter(
        _merged__isnull=True)


def rank_expression():
    return Coalesce(NullIf(F("rank_category"), Value("", output_field=CharField())), F("rank__category"))


#: in the order of the registry's index ``person_report_idx``, so that the database groups while it
#: reads the index (no sort of the whole register)
CUBE_FIELDS = ("side", "current_status", "was_missing", "branch_id", "direction_id", "rank_category", "rank_id",
               "medical_category")


def person_cube(rng: Range) -> list[dict]:
    """One grouped count of the register (its persons whose incident date is in the range) by every
    column the person figures break down by: some thousands of rows at most, whatever the size of the
    register, from which the status, branch, direction, rank, medical and missing figures are summed.
    One pass over the register (over its index ``person_report_idx``) instead of six. Each row gets
    ``rank_cat``, the effective rank category (the person's own, else their rank's)."""
    rank_category = dict(Rank.objects.values_list("pk", "category"))
    group_of = {status: key for key, _label, statuses in GROUPS for status in statuses}
    names = (*CUBE_FIELDS, "n", "rank_cat", "group")
    rows = []
    for values in (register().filter(rng.q("incident_date")).values_list(*CUBE_FIELDS).annotate(n=Count("id"))
                   .order_by()):
        rows.append(dict(zip(names, (*values, values[5] or rank_category.get(values[6]) or None,
                                     group_of.get(values[1], "other")), strict=True)))
    return rows


def _ours(rng: Range, field_name: str = "incident_date") -> QuerySet[Person]:
    return register().filter(rng.q(field_name), side=Side.OURS)


def _status_label(code: str) -> str:
    if not code:
        return _("No status")
    try:
        return str(Status(code).label)
    except ValueError:  # pragma: no cover - a status no longer defined
        return code


# --- figures ---------------------------------------------------------------------------------------

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
    """Live status events (not corrected) of our persons, by month of their effective date."""
    corrected = StatusEvent.objects.filter(corrects__isnull=False).values("corrects_id")
    # A status that only our persons can have needs no look-up of the person (events of merged
    # records move to the survivor); only the statuses both sides share ask for the side.
    only_ours = STATUSES_BY_SIDE[Side.OURS] - STATUSES_BY_SIDE[Side.ENEMY]
    ours = register().filter(side=Side.OURS).values("id")
    qs = (StatusEvent.objects.filter(rng.q("effective_date"))
          .filter(Q(status__in=sorted(only_ours))
                  | (Q(status__in=sorted(STATUSES_BY_SIDE[Side.OURS] - only_ours)) & Q(person_id__in=ours)))
          .exclude(pk__in=corrected)
          .annotate(month=YearMonth("effective_date")).values_list("month", "status")
          .annotate(n=Count("id")).order_by())
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


# --- small numbers -----------------------------------------------------------------------------------

def _small(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 < v < SMALL_NUMBER


def _complement(shown: list[list], raw: list[list]) -> None:
    """Secondary suppression, in place. A column (and, with several columns, a row) with exactly
    one hidden count gives it back to anyone who knows the line's total, and the dashboard
    publishes the same persons by branch, direction, rank and medical category, so every column
    total is known. Such a line also hides its smallest other count above zero; repeated until no
    line has a single hidden count (or the line has nothing else to hide: the rest are zeros)."""
    height, width = len(shown), len(shown[0]) if shown else 0
    lines = [[(r, c) for r in range(height)] for c in range(width)]
    if width > 1:
        lines += [[(r, c) for c in range(width)] for r in range(height)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [(r, c) for r, c in line if shown[r][c] is None]
            if len(hidden) != 1:
                continue
            others = [(raw[r][c], r, c) for r, c in line if shown[r][c] is not None and _count(raw[r][c])]
            if others:
                _value, r, c = min(others)
                shown[r][c] = None
                changed = True


def _count(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


def suppress(figure: Figure) -> Figure:
    """The figure for a role that sees aggregates only: counts of 1 to 4 persons become None
    (shown as "<5"), with a second count of their column or row where one alone could be worked
    back from a total (``_complement``); the money of a row of fewer than 5 persons too; a
    running total is recomputed from what is shown, so it cannot give a hidden cell back; no
    drill-downs."""
    rows = []
    for row in figure.rows:
        cells = list(row.cells)
        if figure.money:
            if _small(cells[0]):
                cells = [None] * len(cells)
        elif figure.line:
            cells = [None if _small(cells[0]) else cells[0], cells[1]]
        else:
            cells = [None if _small(v) else v for v in cells]
        rows.append(replace(row, cells=cells, drill=[None] * len(cells)))
    note = figure.note
    if not figure.money and not figure.line:
        grid, raw = [r.cells for r in rows], [r.cells for r in figure.rows]
        # the note's count (those without a known date, those still missing) belongs to the
        # column's total like a cell: it is hidden when small, and counts in the complement
        counted = "n" in figure.note_values and len(figure.columns) == 1
        if counted:
            n = figure.note_values["n"]
            grid, raw = [*grid, [None if _small(n) else n]], [*raw, [n]]
        _complement(grid, raw)
        if counted and grid[-1][0] is None:
            note = figure.note_format % {**figure.note_values, "n": HIDDEN}
    if figure.line:
        total = 0
        for row in rows:
            total += row.cells[0] or 0
            row.cells[1] = total
    if figure.money and rows and rows[-1].label == _("Total"):
        shown = rows[:-1]
        rows[-1].cells = [sum((r.cells[i] or 0) for r in shown) if i == 0 else
                          sum((r.cells[i] or Decimal("0.00")) for r in shown) for i in range(4)]
    return replace(figure, rows=rows, suppressed=True, note=note)


# --- the persons behind a cell ------------------------------------------------------------------------

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
