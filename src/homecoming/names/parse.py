"""Parsing one full-name string written in any order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .keys import is_first_name_like, is_initial_token, is_patronymic_like
from .normalize import detect_script, normalize

_HAS_CYR = re.compile("[\u0400-\u052f]")

__all__ = ["ParsedName", "parse_full_name"]


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A full name split into parts.  A part given as an initial holds that one letter
    (``first_name="О"``) and its ``*_initial`` flag is set."""

    last_name: str = ""
    first_name: str = ""
    patronymic: str = ""
    first_initial: bool = False
    patronymic_initial: bool = False


_SPLIT_RE = re.compile(r"[\s,;]+|(?<=\.)")


def _is_initial(tok: str) -> bool:
    return is_initial_token(tok)


_CAMEL_RE = re.compile(r"(?<=[a-zа-яіїєґё])(?=[A-ZА-ЯІЇЄҐЁ])")


_SUFFIX_RE = re.compile(r"(?:енко|енка|чук|ук|юк|ський|цький|ко|enko|chuk|uk|yuk|iuk|skyi|sky|ko)$", re.IGNORECASE)


def _known_surname(word: str) -> bool:
    from names_translator.dicts import default_dicts

    from .equivalence import cyr_key

    key = cyr_key(word)
    return bool(_HAS_CYR.search(key)) and bool(default_dicts().lookup_key(key, "last"))


def _split_glued(word: str) -> list[str] | None:
    """``СЕРГЕЙДОВШАН`` → ``СЕРГЕЙ``, ``ДОВШАН``: a long word that starts or ends with a known
    first name (of at least four letters) and whose rest is no mere surname ending."""
    n = len(word)
    if n < 9 or "-" in word or "'" in word or _known_surname(word):
        return None

    def rest_ok(rest: str) -> bool:
        return len(rest) >= 5 and (len(rest) >= 7 or not _SUFFIX_RE.search(rest))

    # a Cyrillic first name is looked up in the dictionaries; a Latin one only by its sounds,
    # which short pieces match by chance (Roman|enko): Latin needs six letters and to come first
    cyr = bool(_HAS_CYR.search(word))
    shortest = 4 if cyr else 6
    for i in range(n - 3, shortest - 1, -1):
        if is_first_name_like(word[:i]):
            # the longest first name at the start decides: followed by a mere ending it is a
            # surname made from a first name (Олександренко, Kostiantynenko), not two words
            return [word[:i], word[i:]] if rest_ok(word[i:]) else None
    if cyr:
        for i in range(5, n - 3):
            if rest_ok(word[:i]) and is_first_name_like(word[i:]):
                return [word[:i], word[i:]]
    return None


def _unglue(toks: list[str]) -> list[str]:
    """Two words a scan or a careless typist ran together, split: at a capital inside a word
    (``МорганБогдан``, ``LevkoKulik``), or, in a name of at most two words none of which is a
    first name, where the start or the end of a long word is one (``СЕРГЕЙДОВШАН``,
    ``ХАРИТОИВИТАЛИЙ``)."""
    out: list[str] = []
    for tok in toks:
        out.extend(p for p in _CAMEL_RE.split(tok) if p)
    if len(out) > 2 or any(is_first_name_like(x.strip(".")) or is_initial_token(x) for x in out):
        return out
    res: list[str] = []
    for tok in out:
        res.extend((_split_patronymic(tok) if is_patronymic_like(tok) else _split_glued(tok.strip("."))) or [tok])
    return res


def _split_patronymic(word: str) -> list[str] | None:
    """``SERGIIGRIGOREVICH`` → ``SERGII``, ``GRIGOREVICH``: a first name run together with the
    patronymic after it (the longest first name at the start, the rest a patronymic of its own)."""
    n = len(word)
    if n < 11:
        return None
    for i in range(n - 1, 3, -1):
        if is_first_name_like(word[:i]):
            # the longest first name at the start decides: followed by a mere ending it is one
            # patronymic (Олександрович, Костянтинович), not two words
            rest = word[i:]
            return [word[:i], rest] if len(rest) >= 8 and is_patronymic_like(rest) else None
    return None


@lru_cache(maxsize=100_000)
def parse_full_name(text: str) -> ParsedName:
    """Split ``text`` into last name, first name and patronymic, whatever the order.

    Handles ``"Петренко Олександр Миколайович"`` (official order), ``"Олександр
    Миколайович Петренко"``, ``"Oleksandr Petrenko"`` / ``"Petrenko Oleksandr"``,
    and initials: ``"Петренко О.М."``, ``"О. М. Петренко"``, ``"О.М.Петренко"``.
    Clues, strongest first: initials, patronymic endings (-ович, -івна, -ovich, ...),
    the first-name dictionaries; without clues, Cyrillic is read last-first and Latin
    first-last.  Hyphenated surnames stay one token; extra tokens join the surname.
    """
    t = normalize(text)
    raw = _unglue([x for x in _SPLIT_RE.split(t) if x.strip(".")])
    toks = [x.strip(".") for x in raw]
    if not toks:
        return ParsedName()
    initials = [i for i, x in enumerate(raw) if _is_initial(x)]
    if initials:
        # an initial of two Latin letters keeps its dot: "Yu." is an initial, "Yu" need not be
        inits = [raw[i] if sum(c.isalpha() for c in toks[i]) > 1 else toks[i] for i in initials]
        rest = [x for i, x in enumerate(toks) if i not in initials]
        # a full first name next to a patronymic initial: "Петренко Олександр М."
        first = ""
        if len(rest) >= 2:
            kinds = [is_first_name_like(x) for x in rest]
            if kinds[-1] and not kinds[0]:
                first = rest.pop()
            elif kinds[0] and not kinds[-1]:
                first = rest.pop(0)
        if first:
            return ParsedName(" ".join(rest), first, inits[0], False, True)
        return ParsedName(
            " ".join(rest),
            inits[0],
            inits[1] if len(inits) > 1 else "",
            True,
            len(inits) > 1,
        )
    if len(toks) == 1:
        return ParsedName(toks[0])
    pats = [i for i, x in enumerate(toks) if is_patronymic_like(x)]
    if pats and len(toks) >= 3:
        # the patronymic follows the first name: prefer a patronymic-like token whose
        # left neighbour is a known first name ("Богдан Іванович Данилович")
        after_first = [i for i in pats if i >= 1 and is_first_name_like(toks[i - 1])]
        p = after_first[0] if after_first else (pats[-1] if pats[-1] > 0 else pats[0])
        if p >= 1:
            first_i = p - 1
            last = [x for i, x in enumerate(toks) if i not in (p, first_i)]
            # "Олександр Миколайович Петренко" -> p=1, first=0, last=[2]
            # "Петренко Олександр Миколайович" -> p=2, first=1, last=[0]
            return ParsedName(" ".join(last), toks[first_i], toks[p])
    if len(toks) == 2:
        a, b = toks
        fa, fb = is_first_name_like(a), is_first_name_like(b)
        # Two tokens are a surname and a first name: surnames ending like patronymics
        # (Томашевич, Данилович) are common, a list without surnames is not.
        if fa and not fb:
            return ParsedName(b, a)
        if fb and not fa:
            return ParsedName(a, b)
        if detect_script(t) == "latin":
            return ParsedName(b, a)
        return ParsedName(a, b)
    # three or more tokens without a patronymic ending
    if is_first_name_like(toks[0]) and not is_first_name_like(toks[-2]):
        return ParsedName(" ".join(toks[2:]), toks[0], toks[1])
    return ParsedName(" ".join(toks[:-2]), toks[-2], toks[-1])
