"""Ukrainian ↔ Russian equivalence of first names, patronymics and surnames.

Backed by the dictionaries of :mod:`names_translator` (Ukrainian → Russian, per
category), read in both directions, plus :data:`EXTRA` for pairs it lacks.  All
forms are lower case, normalised (:func:`~homecoming.names.normalize.normalize_key`),
with ``ё`` folded to ``е``.
"""

from __future__ import annotations

from functools import lru_cache
from threading import RLock

from names_translator.dicts import default_dicts

from ._cache import cached_json
from .normalize import normalize_key

__all__ = ["EXTRA", "KINDS", "dictionary", "equivalents", "first_name_forms", "is_known_first_name", "cyr_key"]

KINDS = ("first", "patronymic", "last")

#: Pairs names_translator lacks or gets wrong (Ukrainian → extra Russian forms).
EXTRA: dict[str, dict[str, tuple[str, ...]]] = {
    "first": {
        "федір": ("федор",), "артем": ("артем",), "семен": ("семен",), "петро": ("петр",),
        "олексій": ("алексей",), "ілля": ("илья",), "лев": ("лев",), "микита": ("никита",),
        "кирило": ("кирилл",), "данило": ("даниил", "данила"), "гліб": ("глеб",),
        "ганна": ("анна",), "олена": ("елена",), "тетяна": ("татьяна",),
        "юлія": ("юлия",), "наталія": ("наталья", "наталия"), "марія": ("мария",),
        "левко": ("лев",),  # the Ukrainian form of Лев (names-translator keeps Левко as Левко)
    },
    "patronymic": {
        "ілліч": ("ильич",), "іллівна": ("ильинична",), "петрович": ("петрович",),
        "федорович": ("федорович",), "миколайович": ("николаевич",),
        "олексійович": ("алексеевич",), "кирилович": ("кириллович",),
        "данилович": ("даниилович", "данилович"), "микитович": ("никитич", "никитович"),
        "лукич": ("лукич",), "кузьмич": ("кузьмич",), "хомич": ("фомич",),
    },
    "last": {},
}

_lock = RLock()  # re-entrant: _reverse_map holds it while dictionary() may take it
_reverse: dict[str, dict[str, set[str]]] = {}


def cyr_key(text: str) -> str:
    """Lookup key of a Cyrillic form: normalised, lower case, ё → е, apostrophe kept."""
    return normalize_key(text).replace("ё", "е")


_dicts: dict[str, dict[str, list[str]]] = {}


def dictionary(kind: str) -> dict[str, list[str]]:
    """names-translator's Ukrainian -> Russian table of first names or patronymics,
    ``{lower-case Ukrainian: [Russian forms, most frequent first]}`` (cached on disk)."""
    if not _dicts:
        with _lock:
            if not _dicts:
                _dicts.update(cached_json("dicts", lambda: {
                    k: {uk: list(rus) for uk, rus in default_dicts().as_dict(k).items()}
                    for k in ("first", "patronymic")}))
    return _dicts[kind]


def _reverse_map(kind: str) -> dict[str, set[str]]:
    """Russian → Ukrainian forms of one category (first names and patronymics only:
    the surname dictionary has 120,000 keys and surnames differ mostly in vowels,
    which the skeleton keys of :mod:`.keys` absorb)."""
    rev = _reverse.get(kind)
    if rev is not None:
        return rev
    with _lock:
        rev = _reverse.get(kind)
        if rev is not None:
            return rev
        rev = {}
        for uk, rus in dictionary(kind).items():
            for ru in rus:
                rev.setdefault(cyr_key(ru), set()).add(uk)
        for uk, rus in EXTRA[kind].items():
            for ru in rus:
                rev.setdefault(cyr_key(ru), set()).add(uk)
        _reverse[kind] = rev
        return rev


@lru_cache(maxsize=200_000)
def equivalents(token: str, kind: str | None = None) -> frozenset[str]:
    """Every Cyrillic form equivalent to ``token`` (itself included), lower case.

    ``kind`` is ``"first"``, ``"patronymic"``, ``"last"`` or ``None`` (first names and
    patronymics both; surnames are looked up Ukrainian → Russian only).  A Latin or
    unknown token is returned alone.  ``equivalents("Олександр", "first")`` contains
    ``"александр"``; ``equivalents("Николаевич", "patronymic")`` contains
    ``"миколайович"``.
    """
    key = cyr_key(token)
    if not key:
        return frozenset()
    out = {key}
    kinds = (kind,) if kind else ("first", "patronymic")
    for k in kinds:
        # Ukrainian -> Russian
        for ru in _uk_to_ru(key, k):
            out.add(cyr_key(ru))
        out.update(EXTRA[k].get(key, ()))
        if k == "last":
            continue
        # Russian -> Ukrainian, and the other Russian forms of that Ukrainian name
        for uk in _reverse_map(k).get(key, ()):
            out.add(uk)
            for ru in _uk_to_ru(uk, k):
                out.add(cyr_key(ru))
            out.update(EXTRA[k].get(uk, ()))
    return frozenset(out)


def _uk_to_ru(key: str, kind: str) -> list[str]:
    if kind == "last":
        return default_dicts().lookup_key(key, "last")
    return dictionary(kind).get(key, [])


def first_name_forms() -> set[str]:
    """All known first-name forms (Ukrainian and Russian)."""
    return set(dictionary("first")) | set(_reverse_map("first"))


@lru_cache(maxsize=100_000)
def is_known_first_name(token: str) -> bool:
    """True when ``token`` (Cyrillic) is a first name of the dictionaries."""
    key = cyr_key(token)
    if not key:
        return False
    if key in dictionary("first"):
        return True
    return key in _reverse_map("first") or key in EXTRA["first"]
