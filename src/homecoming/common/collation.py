"""Names in Ukrainian alphabetical order (а б в г ґ д е є ж з и і ї й к …), on both databases.

Sorting by code point puts І, Є, Ї and Ґ before А (their code points come before the Russian
block's), so every list ordered by a name uses the helpers here instead of a bare field name:

* :func:`by_name` gives ``order_by`` expressions that apply the collation named :data:`UK`
  *in the ORDER BY*, never in a column's definition: the schema does not depend on it, so a
  backup, a restore and an outside ``sqlite3`` tool work on the database as before.
* On PostgreSQL :data:`UK` is the ICU collation ``uk-UA-x-icu`` that ships with the server
  (registry migration 0007 adds a name index in that collation so the register is still browsed
  in index order). On SQLite a collation of the same name is registered on every connection
  (:func:`register_sqlite`, connected to ``connection_created`` by the registry app), comparing
  :func:`sort_key`; an ``ORDER BY`` names it, so one query serves both databases.
* :func:`sort_key` sorts lists in Python the same way (rows put together in memory).

The order follows ICU's (CLDR) Ukrainian collation where names need it: punctuation and digits
first, then Cyrillic in the Ukrainian alphabet (Russian letters at their ICU places: ё with е,
ъ ы after щ, э after ь), then Latin; letters compare case-blind first, lower case before upper
case only to break a tie.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from django.db.models import F
from django.db.models.functions import Collate

#: the collation's name on both databases (ICU's on PostgreSQL, ours on SQLite)
UK = "uk-UA-x-icu"

_CYRILLIC = "абвгґдеєжзиіїйклмнопрстуфхцчшщъыьэюя"
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_WEIGHT = {c: 0x1000 + i for i, c in enumerate(_CYRILLIC)} | {c: 0x2000 + i for i, c in enumerate(_LATIN)}
_SECONDARY = {"ё": ("е", 1)}


@lru_cache(maxsize=200_000)
def sort_key(text: str | None) -> str:
    """A string whose code point order is the Ukrainian alphabetical order of ``text``."""
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
        else:  # spaces, hyphens, apostrophes: before every letter and digit
            weight = 0x10 + min(ord(base), 0x7EF)
        primary.append(chr(weight))
        secondary.append(chr(0x10 + accent))
        tertiary.append("1" if ch != low else "0")
    # the levels are joined by a character below every weight, so a shorter name comes first
    return "".join(primary) + "\x01" + "".join(secondary) + "\x01" + "".join(tertiary) + "\x01" + text


def compare(a: str | None, b: str | None) -> int:
    """The collation function SQLite calls: -1, 0 or 1."""
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


def register_sqlite(sender=None, connection=None, **kwargs) -> None:
    """``connection_created`` receiver: give a new SQLite connection the collation :data:`UK`."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_collation(UK, compare)


def by_name(*fields: str, descending: bool = False) -> list:
    """``order_by`` expressions sorting ``fields`` (text columns, ``"person__last_name"`` too) in
    Ukrainian alphabetical order. Non-text names (``"id"``) are sorted plainly."""
    out = []
    for name in fields:
        bare = name.split("__")[-1]
        expr = F(name) if bare in ("id", "pk") else Collate(F(name), UK)
        out.append(expr.desc() if descending else expr.asc())
    return out


PERSON_NAME = ("last_name", "first_name", "patronymic", "id")


def person_order(prefix: str = "", *, descending: bool = False) -> list:
    """A person's name in the register's order (last, first, patronymic, then id to break ties);
    ``prefix`` reaches a person through a relation (``"person__"``)."""
    return by_name(*(prefix + f for f in PERSON_NAME), descending=descending)


def person_sort_key(person) -> tuple:
    """:func:`person_order` for persons already in memory."""
    return (sort_key(person.last_name), sort_key(person.first_name), sort_key(person.patronymic), person.pk)
