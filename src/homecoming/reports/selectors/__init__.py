"""The figures of the dashboard, counted in the database (``values().annotate(Count)``), a fixed
number of queries per figure whatever the size of the register; and the persons behind a figure's
cell (the drill-down), selected by the same conditions.

A :class:`Figure` is plain data: columns, rows of numbers, and for each cell the conditions that
select the persons behind it (``drill``: a target, see :func:`drill_target`). The view turns it
into a chart, a table and links; :func:`suppress` hides small numbers for roles that see
aggregates only.

A package by concern (``shapes``: the plain data of a figure and the groups and bins it counts
by; ``cube``: the one grouped count of the register that feeds several figures; ``figures``: each
figure and the dashboard; ``suppression``: small numbers hidden; ``drill``: the persons behind a
cell); this module re-exports the names callers use from ``homecoming.reports.selectors``.
"""

from .cube import CUBE_FIELDS, DaysBetween, Unindexed, YearMonth, person_cube, rank_expression, register
from .drill import BadDrill, persons_behind
from .figures import (
    CUBE_FIGURES,
    FIGURES,
    aftercare_tasks,
    by_branch,
    by_direction,
    by_medical,
    by_rank,
    captivity_held,
    captivity_returned,
    dashboard,
    figure,
    held_persons,
    missing_resolved,
    payments,
    register_by_status,
    returned_per_exchange,
    returned_persons,
    status_changes_by_month,
)
from .shapes import (
    BINS,
    GROUP_KEYS,
    GROUPS,
    HELD_STATUSES,
    HIDDEN,
    NONE_VALUE,
    RETURN_STATUSES,
    SMALL_NUMBER,
    Figure,
    Range,
    Row,
    today,
)
from .suppression import _complement, _small, suppress

__all__ = [
    "SMALL_NUMBER",
    "HIDDEN",
    "HELD_STATUSES",
    "RETURN_STATUSES",
    "GROUPS",
    "GROUP_KEYS",
    "BINS",
    "NONE_VALUE",
    "Range",
    "Row",
    "Figure",
    "today",
    "YearMonth",
    "DaysBetween",
    "Unindexed",
    "register",
    "rank_expression",
    "CUBE_FIELDS",
    "person_cube",
    "register_by_status",
    "status_changes_by_month",
    "returned_per_exchange",
    "held_persons",
    "returned_persons",
    "captivity_held",
    "captivity_returned",
    "by_branch",
    "by_direction",
    "by_rank",
    "by_medical",
    "missing_resolved",
    "aftercare_tasks",
    "payments",
    "FIGURES",
    "CUBE_FIGURES",
    "figure",
    "dashboard",
    "_small",
    "_complement",
    "suppress",
    "BadDrill",
    "persons_behind",
]
