"""The plain data of a figure (:class:`Figure`, :class:`Row`, :class:`Range`) and the status
groups and time bins the figures count by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from homecoming.payments import selectors as payments_selectors
from homecoming.registry.models import (
    Status,
)

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
    #: a figure of forensic work (remains): small numbers hidden for everyone who may not read
    #: forensic data, and never a drill-down
    forensic: bool = False
    #: {column: count column}: a value about the persons counted beside it (a median of days) is
    #: hidden whenever that count is
    paired: dict = field(default_factory=dict)

    def column(self, i: int) -> list:
        return [r.cells[i] for r in self.rows]


def _note(fmt: str, **values) -> dict:
    """A figure's note, with its format and values kept so that ``suppress`` can hide its count."""
    return {"note": fmt % values, "note_format": fmt, "note_values": values}


def today() -> dt.date:
    return timezone.localdate()  # Europe/Kyiv
