"""Partial dates (year, year-month, full) and their comparison levels."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["PartialDate", "parse_partial_date", "read_date", "compare_dates", "DATE_LEVELS", "STRONG_DATE_LEVELS"]


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day.  ``precision`` is ``"year"``,
    ``"month"`` or ``"day"``; ``str()`` gives ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} out of range")
        if self.month is None and self.day is not None:
            raise ValueError("a day without a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} out of range")
        if self.day is not None:
            dt.date(self.year, self.month, self.day)  # raises ValueError if impossible

    @property
    def precision(self) -> str:
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    @property
    def is_full(self) -> bool:
        return self.day is not None

    def __str__(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def digits(self) -> str:
        """``YYYYMMDD`` of a full date."""
        return f"{self.year:04d}{self.month:02d}{self.day:02d}"


_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DMY_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_MY_RE = re.compile(r"^(\d{1,2})\.(\d{4})$")

#: Accepted input formats, for error messages.
FORMATS = "YYYY-MM-DD, YYYY-MM, YYYY, DD.MM.YYYY or empty"


def parse_partial_date(text: str | None) -> PartialDate | None:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``DD.MM.YYYY`` (also ``MM.YYYY``);
    empty gives ``None``.  Raises ``ValueError`` with a readable reason otherwise."""
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    m = _ISO_RE.match(s)
    if m:
        y, mo, d = m.groups()
        return _make(int(y), int(mo) if mo else None, int(d) if d else None, s)
    m = _DMY_RE.match(s)
    if m:
        d, mo, y = m.groups()
        return _make(int(y), int(mo), int(d), s)
    m = _MY_RE.match(s)
    if m:
        mo, y = m.groups()
        return _make(int(y), int(mo), None, s)
    raise ValueError(f"{s!r} is not a date; expected {FORMATS}")


_TIME_RE = re.compile(r"^(.+?)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")
_YMD_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?$")
_DMY_ANY_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$")
_MY_ANY_RE = re.compile(r"^(\d{1,2})[./-](\d{4})$")
_DIGITS8_RE = re.compile(r"^\d{8}$")


def _century(yy: int, today: dt.date | None = None) -> int:
    """A two-digit year of birth: not in the future (``05`` is 2005 in 2026, ``90`` is 1990)."""
    now = (today or dt.date.today()).year
    return 2000 + yy if 2000 + yy <= now else 1900 + yy


def read_date(text: str | None, today: dt.date | None = None) -> tuple[PartialDate | None, str]:
    """A date of birth as lists write it, and a note on how it was read (``""`` when plainly).

    Accepts what :func:`parse_partial_date` accepts and also: a time after the date (what a
    spreadsheet writes: ``1990-05-17 00:00:00``), ``/`` and ``-`` between day, month and year
    (``17/05/1990``; read as month/day only when the first number cannot be a month), a
    two-digit year (``17.05.90``: never in the future), ``YYYY/MM/DD``, ``YYYYMMDD``.  What
    cannot be a date is kept for what it still says, with a note: ``31.11.1990`` as
    ``1990-11``, a thirteenth month as the year alone; text that is no date at all gives
    ``None`` and a note.  Never raises."""
    if text is None:
        return None, ""
    s = text.strip()
    if not s:
        return None, ""
    m = _TIME_RE.match(s)
    if m:
        s = m.group(1).strip()
    y = mo = d = None
    note = ""
    if (m := _YMD_RE.match(s)) or (m := _ISO_RE.match(s)):
        y, mo, d = (int(x) if x else None for x in m.groups())
    elif _DIGITS8_RE.match(s) and 1800 <= int(s[:4]) <= 2100:
        y, mo, d = int(s[:4]), int(s[4:6]), int(s[6:])
    elif m := _DMY_ANY_RE.match(s):
        a, b, yt = m.groups()
        d, mo = int(a), int(b)
        if mo > 12 >= d:  # 05/17/1990: month first
            d, mo = mo, d
            note = f"{text.strip()!r} read as month/day/year"
        y = int(yt)
        if len(yt) == 2:
            y = _century(y, today)
            note = note or f"two-digit year in {text.strip()!r} read as {y}"
    elif m := _MY_ANY_RE.match(s):
        mo, y = int(m.group(1)), int(m.group(2))
    else:
        return None, f"{text.strip()!r} is not a date; left out"
    if not 1 <= y <= 9999:
        return None, f"{text.strip()!r} is not a date (year {y}); left out"
    if mo is not None and not 1 <= mo <= 12:
        return PartialDate(y), f"{text.strip()!r} is not a date (month {mo}); kept as the year {y}"
    try:
        return PartialDate(y, mo, d), note
    except ValueError:
        kept = PartialDate(y, mo)
        return kept, f"{text.strip()!r} is not a date (no day {d} in that month); kept as {kept}"


def _make(y: int, mo: int | None, d: int | None, s: str) -> PartialDate:
    try:
        return PartialDate(y, mo, d)
    except ValueError as exc:
        raise ValueError(f"{s!r} is not a valid date ({exc}); expected {FORMATS}") from None


#: Comparison levels, best first.  ``exact``: same full date; ``swap``: day and month
#: swapped; ``typo``: one digit of YYYYMMDD wrong, or two adjacent digits transposed;
#: ``near``: one day apart, or one month or one year apart with the rest equal;
#: ``month``: agree to the month (one side not full); ``year``: agree on the year (one
#: side known only to the year); ``differ``; ``missing`` (either side unknown).
DATE_LEVELS = ("exact", "swap", "typo", "near", "month", "year", "differ", "missing")
#: Levels that discriminate between namesakes (both dates full, typical error at most).
STRONG_DATE_LEVELS = frozenset({"exact", "swap", "typo", "near"})


def _one_digit_or_transposed(x: str, y: str) -> bool:
    diff = [i for i in range(len(x)) if x[i] != y[i]]
    if len(diff) == 1:
        return True
    return (len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]]
            and x[diff[1]] == y[diff[0]])


def compare_dates(a: PartialDate | None, b: PartialDate | None) -> str:
    """The level (one of :data:`DATE_LEVELS`) of two partial dates."""
    if a is None or b is None:
        return "missing"
    ya, ma, da = a.year, a.month, a.day
    yb, mb, db = b.year, b.month, b.day
    if da is not None and db is not None:
        if ya == yb:
            if ma == mb and da == db:
                return "exact"
            if da == mb and ma == db:
                return "swap"
            if _one_digit_or_transposed(f"{ma:02d}{da:02d}", f"{mb:02d}{db:02d}"):
                return "typo"
        elif ma == mb and da == db:
            if _one_digit_or_transposed(f"{ya:04d}", f"{yb:04d}"):
                return "typo"
            return "near" if abs(ya - yb) == 1 else "differ"
        if abs(ya - yb) > 1:
            return "differ"
        if abs(dt.date(ya, ma, da).toordinal() - dt.date(yb, mb, db).toordinal()) == 1:
            return "near"
        if ya == yb and da == db and abs(ma - mb) == 1:
            return "near"
        return "differ"
    if ya != yb:
        return "differ"
    if ma is not None and mb is not None:
        return "month" if ma == mb else "differ"
    return "year"


def neighbours(d: PartialDate) -> list[PartialDate]:
    """Full dates at level swap/typo/near from a full date ``d`` (used for blocking
    and to estimate how often two unrelated people agree at those levels)."""
    out: set[PartialDate] = set()
    digits = d.digits()
    for i in range(8):
        for c in "0123456789":
            if c != digits[i]:
                out.add(digits[:i] + c + digits[i + 1:])  # type: ignore[arg-type]
        if i < 7:
            out.add(digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:])  # type: ignore[arg-type]
    res: set[PartialDate] = set()
    for s in out:
        if isinstance(s, str):
            with contextlib.suppress(ValueError):
                res.add(PartialDate(int(s[:4]), int(s[4:6]), int(s[6:])))
    base = dt.date(d.year, d.month, d.day)
    for delta in (-1, 1):
        x = base + dt.timedelta(days=delta)
        res.add(PartialDate(x.year, x.month, x.day))
        for y, m in ((d.year + delta, d.month), (d.year, d.month + delta)):
            with contextlib.suppress(ValueError, TypeError):
                res.add(PartialDate(y, m, d.day))
    with contextlib.suppress(ValueError):
        res.add(PartialDate(d.year, d.day, d.month))
    res.discard(d)
    return sorted(res)
