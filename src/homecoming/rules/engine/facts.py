"""The values a rule reads from a person's facts (ages and time in captivity on a date, fields)
and the comparison of one value, unknown when the facts do not say.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from .checking import _parse_date


def _as_date(x) -> dt.date | None:
    if x is None or x == "":
        return None
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    return _parse_date(x)


def full_years(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def age_on(facts: Mapping[str, Any], on: dt.date) -> int | None:
    """Full years of age on ``on``; None when unknown or when a partial date of birth leaves it open."""
    born = _as_date(facts.get("birth_date"))
    if born is None:
        return None
    precision = facts.get("birth_date_precision") or "day"
    if precision == "month":
        first = born.replace(day=1)
        last = born.replace(day=calendar.monthrange(born.year, born.month)[1])
    elif precision == "year":
        first, last = dt.date(born.year, 1, 1), dt.date(born.year, 12, 31)
    else:
        first = last = born
    if first > on:
        return None
    young, old = full_years(last, on), full_years(first, on)
    return young if young == old else None


def captivity_days_on(facts: Mapping[str, Any], on: dt.date) -> int | None:
    since = _as_date(facts.get("incident_date"))
    if since is None or since > on:
        return None
    return (on - since).days


def captivity_years_on(facts: Mapping[str, Any], on: dt.date) -> int | None:
    since = _as_date(facts.get("incident_date"))
    if since is None or since > on:
        return None
    return full_years(since, on)


def field_value(facts: Mapping[str, Any], name: str):
    v = facts.get(name)
    if v is None or v == "":
        return None
    return v


_GETTERS = {"age_on": age_on, "captivity_days_on": captivity_days_on, "captivity_years_on": captivity_years_on}


def _test(op: str, operand) -> Callable[[Any], bool]:
    if op == "=":
        return lambda v: v == operand
    if op == "≠":
        return lambda v: v != operand
    if op == "<":
        return lambda v: v < operand
    if op == "≤":
        return lambda v: v <= operand
    if op == ">":
        return lambda v: v > operand
    if op == "≥":
        return lambda v: v >= operand
    if op == "in":
        s = frozenset(operand)
        return lambda v: v in s
    if op == "not in":
        s = frozenset(operand)
        return lambda v: v not in s
    lo, hi = operand
    return lambda v: lo <= v <= hi


#: how far from the boundary a number may be for a failed comparison to be a near miss
MARGINS = {"age_on": 1, "captivity_years_on": 1, "captivity_days_on": 31}
#: neighbouring values of ordered fields (a near miss on medical category: "wounded" for "seriously ...")
ORDERS = {"medical_category": ["none", "wounded", "seriously_wounded", "seriously_ill"]}


def _gap(value, op, operand) -> float:
    """Distance from a number to the boundary of a comparison."""
    if op == "between":
        lo, hi = operand
        return 0 if lo <= value <= hi else min(abs(value - lo), abs(value - hi))
    if op in ("in", "not in"):
        return min(abs(value - x) for x in operand)
    return abs(value - operand)


def _near(subject: str, argument: str, op: str, operand) -> Callable[[Any], bool]:
    if subject in MARGINS:
        margin = MARGINS[subject]
        return lambda v: v is None or _gap(v, op, operand) <= margin
    order = ORDERS.get(argument) if subject == "field" else None
    if order:
        wanted = set(operand) if op in ("in", "not in") else {operand}
        positions = {order.index(x) for x in wanted if x in order}

        def near(v):
            if v is None:
                return True
            if v not in order:
                return False
            return any(abs(order.index(v) - p) <= 1 for p in positions)

        return near
    return lambda v: v is None
