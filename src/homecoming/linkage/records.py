"""Input records and their prepared (compared) form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from homecoming.names import (
    initial_classes,
    normalize,
    normalize_key,
    parse_full_name,
    search_keys,
    skeleton,
    transliterate,
)
from homecoming.names.keys import is_initial_token
from homecoming.names.normalize import fold_diacritics, is_cyrillic_char

from .dates import PartialDate, parse_partial_date

__all__ = ["Record", "NamePart", "Prepared", "prepare", "normalize_identifier", "letter_key", "letter_edits"]

#: A surname of at least this many letters is also indexed by its Latin letters
#: (:func:`letter_key`), and a list row's surname looks up its one-letter edits
#: (:func:`letter_edits`): one wrong, missing or extra letter can be two sounds apart
#: (``x`` is ``ks``; ``herbert`` without ``b`` collapses ``rr``), beyond the skeleton's
#: one typo.
LETTER_BLOCK_MIN = 6
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def letter_key(latin: str) -> str:
    """The Latin rendering of a name without spaces, hyphens and apostrophes, if it has
    at least :data:`LETTER_BLOCK_MIN` letters (else ``""``)."""
    t = latin.replace(" ", "").replace("-", "").replace("'", "")
    return t if len(t) >= LETTER_BLOCK_MIN else ""


def letter_edits(latin: str) -> frozenset[str]:
    """Every :func:`letter_key` one letter away from ``latin`` (a letter deleted,
    inserted, replaced, or two adjacent letters transposed; the first letter kept, as
    the skeleton keys keep the first sound): Norvig's speller.  Only the register's
    own keys are stored, so the index grows by one key per record; the few hundred
    edits of a row are made when it is linked and not kept (cached, they cost more
    memory than the whole index)."""
    t = latin.replace(" ", "").replace("-", "").replace("'", "")
    n = len(t)
    if n < LETTER_BLOCK_MIN - 1:
        return frozenset()
    splits = [(t[:i], t[i:]) for i in range(1, n + 1)]
    out = {a + c + b for a, b in splits for c in _LETTERS}  # inserted
    if n >= LETTER_BLOCK_MIN:
        out.update([a + c + b[1:] for a, b in splits[:-1] for c in _LETTERS])  # replaced
        out.update([a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1])  # transposed
    if n > LETTER_BLOCK_MIN:
        out.update([a + b[1:] for a, b in splits[:-1]])  # deleted
    out.discard(t)
    return frozenset(out)


@dataclass(slots=True)
class Record:
    """One person as a register or a list holds it.  Plain data: the Django apps build
    these from their models, the command line from CSV rows.

    ``full_name`` is used only when ``last_name`` and ``first_name`` are both empty
    (it is parsed in any order, with initials).  ``birth_date`` is a
    :class:`~homecoming.linkage.dates.PartialDate`, a string in one of the accepted
    formats, or ``None``.

    ``aliases``: other spellings of the same person's name (``(last, first,
    patronymic)``; an empty part is taken from the main name), such as the register's
    alternative names.  They are one record to the engine: blocking finds the record
    under any of them, a comparison takes the spelling that agrees best, and the
    record counts once in every frequency and every posterior (it never competes with
    itself)."""

    id: str
    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""
    full_name: str = ""
    birth_date: PartialDate | str | None = None
    service_number: str = ""
    tax_number: str = ""
    aliases: tuple[tuple[str, str, str], ...] = ()

    def __post_init__(self) -> None:
        self.id = str(self.id)
        self.aliases = tuple(tuple(a) for a in self.aliases)  # type: ignore[misc]
        if isinstance(self.birth_date, str):
            self.birth_date = parse_partial_date(self.birth_date)


@dataclass(frozen=True, slots=True)
class NamePart:
    """A name part ready for comparison."""

    text: str  # as given, normalised
    key: str  # normalize_key
    keys: frozenset[str]  # search keys (union over hyphen/space parts)
    skel: str  # skeleton of the whole part
    latin: str  # lower-case Latin rendering (KMU 2010 for Cyrillic), for fuzzy comparison
    initials: frozenset[str]
    initial_only: bool


EMPTY = NamePart("", "", frozenset(), "", "", frozenset(), False)


@lru_cache(maxsize=300_000)
def name_part(text: str, kind: str) -> NamePart:
    t = normalize(text).strip(".")
    key = normalize_key(t)
    if not key:
        return EMPTY
    if is_initial_token(text):  # one letter or one sound: an initial (О, Ю, Ц., Х., Kh., Yu.)
        return NamePart(t, key, frozenset(), "", "", initial_classes(key), True)
    keys: set[str] = set()
    pieces = [p for p in re.split(r"[\s\-]+", key) if p]
    for p in pieces:
        keys |= search_keys(p)
    if len(pieces) > 1:  # a space or hyphen typed inside one name (Ever ett, Smith son)
        keys |= search_keys("".join(pieces))
    latin = transliterate(key, "kmu2010").lower() if any(is_cyrillic_char(c) for c in key) else fold_diacritics(key)
    inits = initial_classes(pieces[0], kind) if pieces else frozenset()
    return NamePart(t, key, frozenset(keys), skeleton(key.replace(" ", "")), latin, inits, False)


_ID_TRANS = str.maketrans({"А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
                           "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I"})


def normalize_identifier(value: str | None) -> str:
    """Upper case, Cyrillic look-alikes to Latin, spaces/dashes/dots/slashes removed."""
    if not value:
        return ""
    v = str(value).upper().translate(_ID_TRANS)
    if v.isascii() and v.isalnum():
        return v
    v = unicodedata.normalize("NFKC", v).upper().translate(_ID_TRANS)
    return re.sub(r"[\s\-./_№#]+", "", v)


@dataclass(slots=True)
class Prepared:
    """A record prepared for blocking and comparison."""

    id: str
    last: NamePart
    first: NamePart
    patronymic: NamePart
    birth_date: PartialDate | None
    service_number: str
    tax_number: str
    record: Record = field(repr=False)
    #: the same record under its other spellings (:attr:`Record.aliases`), each a
    #: Prepared with the same id, date and identifiers; empty for most records
    alts: tuple[Prepared, ...] = ()

    @property
    def variants(self) -> tuple[Prepared, ...]:
        """This record under each of its spellings, the main one first."""
        return (self, *self.alts)


def prepare(rec: Record) -> Prepared:
    last, first, pat = rec.last_name or "", rec.first_name or "", rec.patronymic or ""
    if not (normalize(last) or normalize(first)) and rec.full_name:
        p = parse_full_name(rec.full_name)
        last, first, pat = p.last_name, p.first_name, p.patronymic
    bd = rec.birth_date  # a string was parsed when the Record was made
    main = Prepared(
        id=rec.id,
        last=name_part(last, "last"),
        first=name_part(first, "first"),
        patronymic=name_part(pat, "patronymic"),
        birth_date=bd,
        service_number=normalize_identifier(rec.service_number),
        tax_number=normalize_identifier(rec.tax_number),
        record=rec,
    )
    if rec.aliases:
        seen = {(main.last.key, main.first.key, main.patronymic.key)}
        alts = []
        for a_last, a_first, a_pat in rec.aliases:
            names = (name_part(a_last or last, "last"), name_part(a_first or first, "first"),
                     name_part(a_pat or pat, "patronymic"))
            k = tuple(n.key for n in names)
            if k in seen:
                continue
            seen.add(k)
            alts.append(Prepared(main.id, *names, bd, main.service_number, main.tax_number, rec))
        main.alts = tuple(alts)
    return main
