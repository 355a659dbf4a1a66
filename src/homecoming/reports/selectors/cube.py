"""One grouped count of the register over the index ``person_report_idx`` (the person cube) that
feeds six figures of the dashboard, and the database expressions it groups by.
"""

from __future__ import annotations

from django.db.models import CharField, Count, F, Func, IntegerField, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils.translation import gettext as _

from homecoming.registry.models import (
    Person,
    Rank,
    Side,
    Status,
)

from .shapes import GROUPS, Range


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
