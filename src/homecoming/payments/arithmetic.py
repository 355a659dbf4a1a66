"""The payment arithmetic: pure Python, no Django. Plain data in, explained lines out.

What a returnee is owed for a period of captivity, under effective-dated rule sets:

* **Period of captivity**: from the capture date (inclusive) to the return date (exclusive): the
  day of capture is a day in captivity, the day of return is not. ``days = return - capture``.
* **Capture date precision**: when only the month of capture is known, the capture date is the
  FIRST day of that month; when only the year is known, 1 January of that year (the earliest
  possible date: a gap in the records never shortens the person's captivity). The line says so.
* **One-time payment on release**: the amount of the rule set in force on the return date.
* **Amount per year of captivity**: year *k* of captivity runs from the *k*-th anniversary of the
  capture to the next (a capture on 29 February has its anniversary on 1 March in a common year).
  A complete year is worth the yearly amount; when the rules change inside a year, each part is
  worth ``yearly amount of its rule set x days of the part / days of that year`` (365 or 366).
  The last, started year counts as the rule set in force on the return date says:
  ``whole`` (whole years only: it counts nothing), ``pro_rata`` (by days: its days / days of that
  year) or ``started`` (a started year counts as a whole year).
* **Monetary allowance**: for every calendar month of the period, ``monthly amount x days in
  captivity in that month / days in that month``, split where the person's pay data changes.
  Minus every payment already made to the family during the captivity (one negative line each).
* **Rounding**: every line is computed exactly (``Decimal``) and rounded ONCE, to the kopiyka,
  half up (``ROUND_HALF_UP``); the total is the sum of the rounded lines, so the lines always
  add up to the total that is paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

KOPIYKA = Decimal("0.01")

WHOLE_YEARS = "whole"
PRO_RATA_DAYS = "pro_rata"
STARTED_YEAR_COUNTS = "started"
PART_YEAR_RULES = (WHOLE_YEARS, PRO_RATA_DAYS, STARTED_YEAR_COUNTS)

PRECISION_DAY = "day"
PRECISION_MONTH = "month"
PRECISION_YEAR = "year"

# Kinds of lines
ONE_TIME = "one_time"
PER_YEAR = "per_year"
ALLOWANCE = "allowance"
FAMILY_PAID = "family_paid"


class ArithmeticError_(ValueError):
    """Input the arithmetic cannot work with. ``field`` names what is wrong, ``date`` where."""

    def __init__(self, code: str, message: str, *, field: str = "", date: dt.date | None = None):
        self.code = code
        self.field = field
        self.date = date
        super().__init__(message)


@dataclass(frozen=True)
class Rules:
    """One rule set: valid from ``valid_from`` until the next one starts."""

    valid_from: dt.date
    one_time_amount: Decimal
    per_year_amount: Decimal
    part_year: str
    key: object = None  # the caller's id of the rule set, carried into the lines


@dataclass(frozen=True)
class Pay:
    """A person's monthly allowance from ``valid_from`` until the next record."""

    valid_from: dt.date
    monthly_amount: Decimal
    key: object = None


@dataclass(frozen=True)
class FamilyPaid:
    paid_on: dt.date
    amount: Decimal
    reference: str = ""
    key: object = None


@dataclass(frozen=True)
class Line:
    kind: str
    period_start: dt.date | None  # first day
    period_end: dt.date | None  # last day (inclusive)
    days: int
    basis: Decimal  # the yearly / monthly / one-time amount the line applies
    numerator: int  # days counted ...
    denominator: int  # ... out of days (1/1 for a whole amount)
    amount: Decimal  # rounded once, to the kopiyka, half up
    rule_key: object = None
    pay_key: object = None
    note: str = ""  # a code: "part_year_whole", "part_year_started", "rules_changed", ...

    @property
    def formula(self) -> str:
        if self.kind == FAMILY_PAID:
            return f"-{self.basis}"
        if self.denominator == self.numerator == 1:
            return f"{self.basis}"
        return f"{self.basis} × {self.numerator}/{self.denominator}"


@dataclass
class Computation:
    capture_date: dt.date
    capture_precision: str
    recorded_capture_date: dt.date
    return_date: dt.date
    days: int
    whole_years: int
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def round_kopiyka(value: Decimal) -> Decimal:
    return value.quantize(KOPIYKA, rounding=ROUND_HALF_UP)


def capture_start(recorded: dt.date, precision: str) -> dt.date:
    """The capture date used for payments, from the register's date and its precision."""
    if precision == PRECISION_DAY:
        return recorded
    if precision == PRECISION_MONTH:
        return recorded.replace(day=1)
    if precision == PRECISION_YEAR:
        return recorded.replace(month=1, day=1)
    raise ArithmeticError_("precision", f"unknown precision {precision!r}", field="capture_precision")


def add_years(day: dt.date, years: int) -> dt.date:
    """The anniversary ``years`` after ``day``; 29 February -> 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return dt.date(day.year + years, 3, 1)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _in_force(items, day: dt.date):
    """The item (sorted by valid_from) in force on ``day``, or None."""
    current = None
    for item in items:
        if item.valid_from <= day:
            current = item
        else:
            break
    return current


def _split(start: dt.date, end: dt.date, items) -> list[tuple[dt.date, dt.date, object]]:
    """Split [start, end) where a new item (rule set, pay record) comes into force."""
    pieces = []
    cursor = start
    while cursor < end:
        item = _in_force(items, cursor)
        nxt = end
        for later in items:
            if cursor < later.valid_from < nxt:
                nxt = later.valid_from
                break
        pieces.append((cursor, nxt, item))
        cursor = nxt
    return pieces


def _money(value, name: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise ArithmeticError_("money", f"{name} must be a Decimal", field=name)
    return value


def _check_inputs(start: dt.date, return_date: dt.date, rules: list[Rules], pay: list[Pay]) -> None:
    """Refuse impossible dates, amounts that are not Decimal, unknown part-year rules, and a start
    of the captivity that no rule set or pay record covers."""
    if return_date <= start:
        raise ArithmeticError_("order", "the return date must be after the capture date", field="return_date",
                               date=return_date)
    for r in rules:
        _money(r.one_time_amount, "one_time_amount")
        _money(r.per_year_amount, "per_year_amount")
        if r.part_year not in PART_YEAR_RULES:
            raise ArithmeticError_("part_year", f"unknown part-year rule {r.part_year!r}", field="part_year")
    for p in pay:
        _money(p.monthly_amount, "monthly_amount")
    if _in_force(rules, start) is None:
        raise ArithmeticError_("no_rules", f"no rule set is in force on {start.isoformat()}", field="rules",
                               date=start)
    if _in_force(pay, start) is None:
        raise ArithmeticError_("no_pay", f"no pay data is in force on {start.isoformat()}", field="pay",
                               date=start)


def compute(*, capture_date: dt.date, return_date: dt.date, rules: list[Rules], pay: list[Pay],
            family_paid: list[FamilyPaid] = (), capture_precision: str = PRECISION_DAY) -> Computation:
    """Everything owed for the captivity from ``capture_date`` to ``return_date``, line by line.

    Raises :class:`ArithmeticError_` (with ``field`` and ``date``) when the dates are impossible or
    no rule set / pay record is in force for part of the period.
    """
    if capture_date is None:
        raise ArithmeticError_("no_capture", "the capture date is unknown", field="capture_date")
    if return_date is None:
        raise ArithmeticError_("no_return", "the return date is unknown", field="return_date")
    start = capture_start(capture_date, capture_precision)
    rules = sorted(rules, key=lambda r: r.valid_from)
    pay = sorted(pay, key=lambda p: p.valid_from)
    _check_inputs(start, return_date, rules, pay)

    days = (return_date - start).days
    whole = 0
    while add_years(start, whole + 1) <= return_date:
        whole += 1
    comp = Computation(capture_date=start, capture_precision=capture_precision, recorded_capture_date=capture_date,
                       return_date=return_date, days=days, whole_years=whole)
    lines = comp.lines

    # 1. One-time payment on release: the rule set in force on the return date.
    on_return = _in_force(rules, return_date)
    lines.append(Line(ONE_TIME, return_date, return_date, 0, on_return.one_time_amount, 1, 1,
                      round_kopiyka(on_return.one_time_amount), rule_key=on_return.key))
    # 2. Per year of captivity.
    lines += _per_year_lines(start, return_date, whole, rules, on_return)
    # 3. Monetary allowance, month by month, split where the pay data changes.
    lines += _allowance_lines(start, return_date, pay)
    # 4. Already paid to the family during the captivity.
    for paid in sorted(family_paid, key=lambda f: f.paid_on):
        _money(paid.amount, "amount")
        lines.append(Line(FAMILY_PAID, paid.paid_on, paid.paid_on, 0, paid.amount, 1, 1,
                          -round_kopiyka(paid.amount), pay_key=paid.key, note=paid.reference))
    return comp


def _per_year_lines(start: dt.date, return_date: dt.date, whole: int, rules: list[Rules],
                    on_return: Rules) -> list[Line]:
    """One line per year of captivity (more where the rules changed within it); the started year
    by the part-year rule in force on the return date."""
    lines: list[Line] = []
    for k in range(whole + 1):
        year_start, year_end = add_years(start, k), add_years(start, k + 1)
        year_days = (year_end - year_start).days
        complete = k < whole
        if not complete and return_date == year_start:
            break  # the captivity ended on an anniversary: no started year
        if complete:
            pieces, note = _split(year_start, year_end, rules), ""
        else:
            part = on_return.part_year
            if part == WHOLE_YEARS:
                partial_days = (return_date - year_start).days
                lines.append(Line(PER_YEAR, year_start, return_date - dt.timedelta(days=1), partial_days,
                                  on_return.per_year_amount, 0, year_days, Decimal("0.00"), rule_key=on_return.key,
                                  note="part_year_whole"))
                break
            pieces = _split(year_start, return_date, rules)
            if part == STARTED_YEAR_COUNTS:
                # the rest of the started year counts at the rule set in force on the return date
                last_start, _last_end, last_rule = pieces[-1]
                pieces[-1] = (last_start, year_end, last_rule)
                note = "part_year_started"
            else:
                note = "part_year_pro_rata"
        changed = len(pieces) > 1
        for piece_start, piece_end, rule in pieces:
            piece_days = (piece_end - piece_start).days
            if piece_days == year_days:
                amount, num, den = rule.per_year_amount, 1, 1
            else:
                amount, num, den = rule.per_year_amount * piece_days / year_days, piece_days, year_days
            captive_end = min(piece_end, return_date)  # a started year: the days actually in captivity
            lines.append(Line(PER_YEAR, piece_start, captive_end - dt.timedelta(days=1),
                              (captive_end - piece_start).days,
                              rule.per_year_amount, num, den, round_kopiyka(amount), rule_key=rule.key,
                              note=note or ("rules_changed" if changed else "")))
    return lines


def _allowance_lines(start: dt.date, return_date: dt.date, pay: list[Pay]) -> list[Line]:
    """The monthly allowance, month by month, split where the pay data changes."""
    lines: list[Line] = []
    month = _month_start(start)
    while month < return_date:
        nxt = _next_month(month)
        seg_start, seg_end = max(start, month), min(return_date, nxt)
        month_days = (nxt - month).days
        for piece_start, piece_end, rate in _split(seg_start, seg_end, pay):
            piece_days = (piece_end - piece_start).days
            if piece_days == month_days:
                amount, num, den = rate.monthly_amount, 1, 1
            else:
                amount, num, den = rate.monthly_amount * piece_days / month_days, piece_days, month_days
            lines.append(Line(ALLOWANCE, piece_start, piece_end - dt.timedelta(days=1), piece_days,
                              rate.monthly_amount, num, den, round_kopiyka(amount), pay_key=rate.key))
        month = nxt
    return lines
