"""Field comparisons: each returns a comparison level (a short string)."""

from __future__ import annotations

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from homecoming.names import equivalents
from homecoming.names.keys import vowel_mismatches

from .dates import compare_dates
from .records import NamePart

__all__ = ["NAME_LEVELS", "ID_LEVELS", "compare_names", "compare_identifiers", "compare_dates"]

#: Name levels, best first.  ``same``: equal after normalisation, or sharing a search key
#: (the same name in another script, transliteration or Ukrainian/Russian form);
#: ``close``: a typo away (skeletons one edit apart, or Jaro-Winkler >= 0.92 on the Latin
#: renderings); ``initial``: one side is an initial consistent with the other;
#: ``differ``; ``missing`` (either side empty).
NAME_LEVELS = ("same", "close", "initial", "differ", "missing")
#: Identifier levels: ``same``, ``close`` (one edit or transposition, length >= 5),
#: ``differ``, ``missing``.
ID_LEVELS = ("same", "close", "differ", "missing")

_cache: dict[tuple[str, str], str] = {}
_FINAL = "aouie"


def compare_names(a: NamePart, b: NamePart) -> str:
    """Level of two name parts (see :data:`NAME_LEVELS`)."""
    if not a.key or not b.key:
        return "missing"
    if a.initial_only or b.initial_only:
        return "initial" if a.initials & b.initials else "differ"
    if a.key == b.key:
        return "same"
    ck = (a.key, b.key)
    lvl = _cache.get(ck)
    if lvl is not None:
        return lvl
    if not a.keys.isdisjoint(b.keys):
        # a shared key is the same consonants; the vowels must not say otherwise
        # (Кириленко/Короленко, Романенко/Яременко share a key and are different names)
        lvl = "differ" if _vowels_differ(a, b, 2) else "same"
    else:
        lvl = "close" if _close(a, b) else "differ"
    if len(_cache) > 500_000:
        _cache.clear()
    _cache[ck] = lvl
    return lvl


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
