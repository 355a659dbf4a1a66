"""The linkage engine's reasons, in the reader's language.

``homecoming.linkage`` is pure Python: it writes the reason for each decision in English, because
the same text goes into the CSV of ``homecoming link`` and into logs. Intake stores that text with
each row (provenance: what the engine said at the time) and translates it here when a person
reads it. A reason this module does not know is shown as the engine wrote it, never dropped;
``tests/intake/test_reasons.py`` drives the engine's decision rules so that a new reason without
a translation fails there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: the date levels the engine names in its reasons (homecoming.linkage.dates)
DATE_LEVELS = {
    "exact": gettext_lazy("exact"),
    "swap": gettext_lazy("day and month swapped"),
    "typo": gettext_lazy("one digit off"),
    "near": gettext_lazy("a few days off"),
}


def _fixed(text: str) -> Callable[[re.Match], str]:
    return lambda m: _(text)


_REASONS: list[tuple[re.Pattern, Callable[[re.Match], str]]] = [
    (re.compile(r"identifier shared by more than one register record"),
     _fixed("identifier shared by more than one register record")),
    (re.compile(r"identifier agrees but the names do not"), _fixed("identifier agrees but the names do not")),
    (re.compile(r"one identifier agrees, another differs"), _fixed("one identifier agrees, another differs")),
    (re.compile(r"identifier agrees and the names are consistent"),
     _fixed("identifier agrees and the names are consistent")),
    (re.compile(r"identifier differs"), _fixed("identifier differs")),
    (re.compile(r"surname, first name and patronymic the same, year of birth agrees; no likely namesake "
                r"\(probability (?P<p>[\d.]+)\)"),
     lambda m: _("surname, first name and patronymic the same, year of birth agrees; no likely namesake "
                 "(probability %(p)s)") % m.groupdict()),
    (re.compile(r"names only: without a full date of birth or an identifier, a namesake cannot be ruled out"),
     _fixed("names only: without a full date of birth or an identifier, a namesake cannot be ruled out")),
    (re.compile(r"date of birth agrees but the names disagree"), _fixed("date of birth agrees but the names disagree")),
    (re.compile(r"probability (?P<p>[\d.]+) below the automatic threshold (?P<t>[\d.]+)"),
     lambda m: _("probability %(p)s below the automatic threshold %(t)s") % m.groupdict()),
    (re.compile(r"names and date of birth \((?P<level>\w+)\) agree, probability (?P<p>[\d.]+); far ahead of any other "
                r"candidate, and no other row of the list names this person"),
     lambda m: _("names and date of birth (%(level)s) agree, probability %(p)s; far ahead of any other candidate, "
                 "and no other row of the list names this person")
     % {"level": DATE_LEVELS.get(m["level"], m["level"]), "p": m["p"]}),
    (re.compile(r"names and date of birth \((?P<level>\w+)\) agree; probability (?P<p>[\d.]+)"),
     lambda m: _("names and date of birth (%(level)s) agree; probability %(p)s")
     % {"level": DATE_LEVELS.get(m["level"], m["level"]), "p": m["p"]}),
    (re.compile(r"no candidate shares a name key, a date of birth or an identifier"),
     _fixed("no candidate shares a name key, a date of birth or an identifier")),
    (re.compile(r"every candidate is another row's automatic match, on far stronger evidence "
                r"\(rows: (?P<rows>[^)]*)\)"),
     lambda m: _("every candidate is another row's automatic match, on far stronger evidence (rows: %(rows)s)")
     % m.groupdict()),
    (re.compile(r"no candidate is probable enough to show \(together (?P<t>[\d.e+-]+)\)"),
     lambda m: _("no candidate is probable enough to show (together %(t)s)") % m.groupdict()),
]


def translate_reason(text: str) -> str:
    """``text`` (a reason the engine wrote) in the active language; unknown text unchanged."""
    if not text:
        return ""
    for pattern, render in _REASONS:
        m = pattern.fullmatch(text.strip())
        if m:
            return render(m)
    return text


def is_known(text: str) -> bool:
    return any(p.fullmatch(text.strip()) for p, _render in _REASONS)
