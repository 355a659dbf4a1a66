"""One validator of names and of free text, for every way a value comes in: the forms, the API,
imports, the family portal and the admin.

A name (surname, first name, patronymic, an inquirer's name) holds letters of any script, the
marks that accents make, spaces, hyphens, apostrophes and dots (initials), nothing else: no digit
(a date landed in a first name from a file split on the wrong delimiter), no comma or semicolon
(``Коваль,Петро`` as one surname), no formula character, no control character (an ESC made every
XLSX export of the register fail) and no invisible formatting character (U+202E turns the text
around on screen: a name that reads as another). Free text (a unit, a place, notes) may hold any
printable character, never a control character (a line break where the field has lines) nor an
invisible direction or formatting one.

Each problem is a message for a person that names the character.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NAME_PUNCTUATION = frozenset(" -\u2010\u2011\u2013'\u2019\u02bc\u2018`.")
LINE_BREAKS = frozenset("\n\r\t")


def _shown(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _invisible_problem(value: str, *, multiline: bool) -> str | None:
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc" and not (multiline and ch in LINE_BREAKS):
            return _("the control character %(code)s cannot be in this text (it often comes from a copied or "
                     "damaged file)") % {"code": _shown(ch)}
        if category in ("Cf", "Co", "Cs", "Cn", "Zl", "Zp"):
            return _("the invisible character %(code)s (a direction or formatting mark) cannot be in this text: it "
                     "can make the text read as something else") % {"code": _shown(ch)}
    return None


def name_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a name, for a person to read; None when nothing is."""
    if not value:
        return None
    problem = _invisible_problem(value, multiline=False)
    if problem:
        return problem
    for ch in value:
        category = unicodedata.category(ch)
        if category[0] in "LM" or ch in NAME_PUNCTUATION:
            continue
        if category == "Nd" or ch.isdigit():
            return _("a name holds no digits (“%(value)s”): is a date or a number in the wrong column?") % {
                "value": value[:40]}
        return _("“%(char)s” cannot be in a name: a name holds letters, spaces, hyphens, apostrophes and dots "
                 "(is the file split on the wrong delimiter?)") % {"char": ch}
    return None


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with ``value`` as free text; None when nothing is."""
    return _invisible_problem(value, multiline=multiline) if value else None


def sentence(problem: str) -> str:
    """A problem as a sentence of its own (for a form field), not a clause after a row number."""
    return problem[:1].upper() + problem[1:] + ("" if problem.endswith((".", "?")) else ".")


def validate_text(value: str) -> None:
    problem = text_problem(value)
    if problem:
        raise ValidationError(sentence(problem))
