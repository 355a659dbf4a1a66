"""Names in Ukrainian alphabetical order (а б в г ґ д е є ж з и і ї й к …), on both databases.

Sorting by code point puts І, Є, Ї and Ґ before А (their code points come before the Russian
block's), so lists ordered by a person's name never sort the name columns themselves:

* :func:`sort_key` maps a text to a string whose *code point* (binary) order is the Ukrainian
  alphabetical order; :func:`name_sort_key` joins the keys of a surname, first name and
  patronymic. Each person stores the latter in ``Person.name_sort_key`` (computed in
  ``Person.save()`` and on every bulk write path), indexed with the id.
* :func:`person_order` orders by that column, then the id: a plain binary comparison that SQLite
  and PostgreSQL (the column has the ``C`` collation there) make alike, reading the index in order
  - no collation of ours at query time, no Python called per comparison (issue 19: browsing the
  100,000-person register on SQLite went from 14-18 s for page 1,000 to well under a second).
* :func:`person_sort_key` sorts persons already in memory the same way.

The order follows ICU's (CLDR) Ukrainian collation where names need it: punctuation and digits
first, then Cyrillic in the Ukrainian alphabet (Russian letters at their ICU places: ё with е,
ъ ы after щ, э after ь), then Latin; letters compare case-blind first, lower case before upper
case only to break a tie.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from django.db.models import F

_CYRILLIC = "абвгґдеєжзиіїйклмнопрстуфхцчшщъыьэюя"
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_WEIGHT = {c: 0x1000 + i for i, c in enumerate(_CYRILLIC)} | {c: 0x2000 + i for i, c in enumerate(_LATIN)}
_SECONDARY = {"ё": ("е", 1)}


def sort_key(text: str | None) -> str:
    """A string whose code point order is the Ukrainian alphabetical order of ``text`` (the text
    itself last, so only equal texts have equal keys)."""
    return _levels(text) + "\x01" + (text or "")


@lru_cache(maxsize=200_000)
def _levels(text: str | None) -> str:
    """The three comparison levels of ``text`` (letters, accents, case), each ending in ``\x01``
    (below every weight, so a shorter text comes first). Never ``\x00``: PostgreSQL refuses it."""
    text = text or ""
    primary, secondary, tertiary = [], [], []
    for ch in text:
        low = ch.lower()
        base, accent = _SECONDARY.get(low, (low, 0))
        if base not in _WEIGHT and not base.isdigit():
            decomposed = unicodedata.normalize("NFD", base)
            if decomposed[0] in _WEIGHT:  # é, ç, ñ: the letter, then its accent as a second difference
                base, accent = decomposed[0], 1 + sum(ord(c) for c in decomposed[1:]) % 0x7FF
        if base in _WEIGHT:
            weight = _WEIGHT[base]
        elif base.isdigit():
            weight = 0x800 + unicodedata.digit(base, 0)
        elif base.isalpha():  # another script: after Latin, by code point
            weight = 0x3000 + min(ord(base), 0xCFFFF)
            if weight >= 0xD800:  # skip the surrogates: they cannot be stored (no UTF-8 for them)
                weight += 0x800
        else:  # spaces, hyphens, apostrophes: before every letter and digit
            weight = 0x10 + min(ord(base), 0x7EF)
        primary.append(chr(weight))
        secondary.append(chr(0x10 + accent))
        tertiary.append("1" if ch != low else "0")
    return "".join(primary) + "\x01" + "".join(secondary) + "\x01" + "".join(tertiary)


#: the longest :func:`name_sort_key` of names within the model's limits (3 x 100 characters)
NAME_SORT_KEY_LENGTH = 3 * (3 * 100 + 2) + 2


def name_sort_key(last_name: str | None, first_name: str | None, patronymic: str | None) -> str:
    """The stored sort key of a person's name (``Person.name_sort_key``): surname, then first name,
    then patronymic, each in Ukrainian alphabetical order. Binary order of these strings is the
    order of the tuple of parts: a part's levels cannot be a proper prefix of another part's
    (each level has as many characters as the text), so the separator is never compared with a
    letter. Names equal in every level (only punctuation may differ) tie: the id decides."""
    return "\x01".join((_levels(last_name), _levels(first_name), _levels(patronymic)))


#: the register's name order, for ``order_by``
PERSON_NAME = ("name_sort_key", "id")


def person_order(prefix: str = "", *, descending: bool = False) -> list:
    """``order_by`` expressions: a person's name in the register's order (the stored key, then the
    id to break ties); ``prefix`` reaches a person through a relation (``"person__"``)."""
    out = [F(prefix + f) for f in PERSON_NAME]
    return [o.desc() if descending else o.asc() for o in out]


def person_sort_key(person) -> tuple:
    """:func:`person_order` for persons already in memory."""
    return (name_sort_key(person.last_name, person.first_name, person.patronymic), person.pk)
