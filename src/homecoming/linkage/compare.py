"""Field comparisons: each returns a comparison level (a short string)."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from homecoming.names import equivalents, skeleton
from homecoming.names.keys import vowel_mismatches

from .dates import compare_dates
from .records import NamePart

__all__ = ["NAME_LEVELS", "ID_LEVELS", "compare_names", "compare_identifiers", "compare_dates"]

#: Name levels, best first.  ``same``: equal after normalisation, or sharing a search key
#: (the same name in another script, transliteration or Ukrainian/Russian form);
#: ``close``: a typo away (skeletons one edit apart, or Jaro-Winkler >= 0.92 on the Latin
#: renderings); ``misread``: the same name once one misreading is undone (a letter a scanner
#: or a clerk confuses with another, :data:`MISREADINGS`, or, for a surname, the other
#: gender's ending, :data:`GENDER_ENDINGS`); ``initial``: one side is an initial consistent
#: with the other; ``differ``; ``missing`` (either side empty).
NAME_LEVELS = ("same", "close", "misread", "initial", "differ", "missing")
#: Identifier levels: ``same``, ``close`` (one edit or transposition, length >= 5),
#: ``differ``, ``missing``.
ID_LEVELS = ("same", "close", "differ", "missing")

_cache: dict[tuple[str, str, bool, bool], str] = {}
_FINAL = "aouie"

#: Letters (and letter groups) that scanned lists and hurried clerks put for one another, both
#: ways: OCR of Cyrillic print (ш/щ, и/н, п/н, п/л, е/с, т/г, и/й, ь/ы) and of Latin print (rn/m,
#: cl/d, li/h, i/l, e/c, u/v, vv/w), digits read for letters (1 for і, l or i) and one letter
#: heard for another (ы for і).  A name one such confusion away from another is ``misread``:
#: weaker evidence than a shared key or a typo (m and u of its own in :mod:`.model`), and never
#: two confusions (two are how different names look).
MISREADINGS: tuple[tuple[str, str], ...] = tuple(
    x for a, b in (("ш", "щ"), ("и", "н"), ("п", "н"), ("п", "л"), ("е", "с"), ("т", "г"), ("и", "й"),
                   ("ь", "ы"), ("і", "ы"), ("і", "1"), ("rn", "m"), ("cl", "d"), ("li", "h"), ("i", "l"),
                   ("e", "c"), ("u", "v"), ("vv", "w"), ("l", "1"), ("i", "1"))
    for x in ((a, b), (b, a)))
#: Feminine and masculine endings of one surname (Russian and Ukrainian, Cyrillic and Latin):
#: a list of the other side writes a woman's surname in the feminine form the register may not
#: hold (Кір'якулова for Кір'якулов), and the reverse.  Surnames only: Валентина is not Валентин.
GENDER_ENDINGS: tuple[tuple[str, str], ...] = tuple(
    x for a, b in (("ова", "ов"), ("ева", "ев"), ("єва", "єв"), ("іна", "ін"), ("ина", "ин"), ("ська", "ський"),
                   ("цька", "цький"), ("ская", "ский"), ("цкая", "цкий"), ("ова", "ів"),
                   ("ova", "ov"), ("eva", "ev"), ("ina", "in"), ("yna", "yn"), ("ska", "skyi"), ("ska", "skii"),
                   ("ska", "sky"), ("skaya", "skiy"), ("skaia", "skii"), ("skaya", "sky"), ("tska", "tskyi"))
    for x in ((a, b), (b, a)))
#: Jaro-Winkler similarity of the Latin renderings below which no misreading is looked for
_MISREAD_SIMILAR = 0.75
_GENDER_RE = {a: re.compile(re.escape(a) + "$") for a, _ in GENDER_ENDINGS}


def compare_names(a: NamePart, b: NamePart, surname: bool = False, misread: bool = True) -> str:
    """Level of two name parts (see :data:`NAME_LEVELS`); ``surname``: they are surnames (the
    other gender's ending may be a misreading); ``misread=False``: never ``misread``."""
    if not a.key or not b.key:
        return "missing"
    if a.initial_only or b.initial_only:
        return "initial" if a.initials & b.initials else "differ"
    if a.key == b.key:
        return "same"
    ck = (a.key, b.key, surname, misread)
    lvl = _cache.get(ck)
    if lvl is not None:
        return lvl
    if not a.keys.isdisjoint(b.keys):
        # a shared key is the same consonants; the vowels must not say otherwise
        # (Кириленко/Короленко, Романенко/Яременко share a key and are different names)
        lvl = "differ" if _vowels_differ(a, b, 2) else "same"
    else:
        lvl = "close" if _close(a, b) else "differ"
    if lvl == "differ" and misread and _misread(a, b, surname):
        lvl = "misread"
    if len(_cache) > 500_000:
        _cache.clear()
    _cache[ck] = lvl
    return lvl


def _keys_of(text: str) -> frozenset[str]:
    """The skeletons of a spelling (its pieces, and the pieces joined): the other side's search
    keys hold its own skeleton, so one shared is enough; the dictionaries' equivalents
    (:func:`search_keys`) cost ten times as much and add nothing to one letter's change."""
    pieces = [p for p in re.split(r"[\s\-]+", text) if p]
    out = {skeleton(p) for p in pieces}
    if len(pieces) > 1:
        out.add(skeleton("".join(pieces)))
    return frozenset(out)


@lru_cache(maxsize=50_000)
def misreadings(key: str, surname: bool = False) -> tuple[tuple[str, frozenset[str]], ...]:
    """Every spelling one misreading away from ``key`` (a normalised name), with its search
    keys: one confusion of :data:`MISREADINGS` at one place, or (``surname``) the other
    gender's ending."""
    out = []
    for a, b in MISREADINGS:
        i = key.find(a)
        while i >= 0:
            v = key[:i] + b + key[i + len(a):]
            out.append((v, _keys_of(v)))
            i = key.find(a, i + 1)
    if surname:
        for a, b in GENDER_ENDINGS:
            if key.endswith(a) and len(key) > len(a) + 2:
                v = _GENDER_RE[a].sub(b, key)
                out.append((v, _keys_of(v)))
    return tuple(out)


def _misread(a: NamePart, b: NamePart, surname: bool) -> bool:
    """One misreading of ``a`` (the list's side) makes the two the same name (a shared search
    key whose vowels agree); names of at least four letters.  Only ``a``'s misreadings are made:
    every confusion is listed both ways, so undoing one in ``a`` is making it in ``b``, and a
    list of thousands has far fewer spellings than the register it is compared with (making
    them for every register name doubled the time of a run)."""
    if len(a.key) < 4 or len(b.key) < 4 or abs(len(a.key) - len(b.key)) > 3:
        return False
    if not a.keys.isdisjoint(b.keys):  # the same consonants, other vowels: another name
        return False                   # (Романенко/Яременко), which a misreading cannot mend
    # one misreading leaves the Latin renderings alike: most pairs (blocked by a date or a first
    # name, with unrelated surnames) are let go here, before any spelling is made
    if JaroWinkler.similarity(a.latin, b.latin) < _MISREAD_SIMILAR:
        return False
    for v, keys in misreadings(a.key, surname):
        if not keys.isdisjoint(b.keys):
            n = vowel_mismatches(v, b.key)
            if n is None or n < 2:
                return True
    return False


def _vowels_differ(a: NamePart, b: NamePart, limit: int) -> bool:
    """At least ``limit`` vowels that cannot be one another (:func:`vowel_mismatches`), unless
    the dictionaries say the two are one name (Олександр/Александр)."""
    n = vowel_mismatches(a.key, b.key)
    if n is None or n < limit:
        return False
    return not (equivalents(a.key) & equivalents(b.key) - {""})


def _close(a: NamePart, b: NamePart) -> bool:
    """A typo apart: the skeletons (or any search keys) are one edit or one
    transposition apart (both names at least 4 letters long), or the Latin renderings
    are similar (Jaro-Winkler >= 0.92).  Not when a consonant differs and a vowel too
    (Родіон/Роман: one typo is one letter)."""
    if not _typo_apart(a, b):
        return False
    # checked only for pairs that passed (most do not): one consonant replaced and a vowel
    # that cannot be the other's is another name, not a typo
    return not (a.skel and b.skel and len(a.skel) == len(b.skel)
                and sum(x != y for x, y in zip(a.skel, b.skel, strict=True)) == 1 and _vowels_differ(a, b, 1))


def _typo_apart(a: NamePart, b: NamePart) -> bool:
    if len(a.key) >= 4 and len(b.key) >= 4:
        for x in a.keys or (a.skel,):
            for y in b.keys or (b.skel,):
                if abs(len(x) - len(y)) > 1 or max(len(x), len(y)) < 2:
                    continue
                # a final vowel present on one side only is an ending (Олег / Ольга), not a typo
                if len(x) != len(y) and x.rstrip(_FINAL) == y.rstrip(_FINAL):
                    continue
                if OSA.distance(x, y, score_cutoff=1) <= 1:
                    return True
    return JaroWinkler.similarity(a.latin, b.latin) >= 0.92


def compare_identifiers(a: str, b: str) -> str:
    """Level of two normalised identifiers (see :data:`ID_LEVELS`)."""
    if not a or not b:
        return "missing"
    if a == b:
        return "same"
    if min(len(a), len(b)) >= 5:
        if Levenshtein.distance(a, b, score_cutoff=1) <= 1:
            return "close"
        if len(a) == len(b):
            diff = [i for i in range(len(a)) if a[i] != b[i]]
            if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
                return "close"
    return "differ"
