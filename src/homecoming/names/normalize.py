"""Unicode normalisation of personal names and script detection.

Everything here is pure and deterministic; :func:`normalize` is idempotent
(``normalize(normalize(x)) == normalize(x)`` for every string ``x``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "APOSTROPHE",
    "normalize",
    "normalize_key",
    "fix_homoglyphs",
    "detect_script",
    "is_cyrillic_char",
    "is_latin_char",
    "display_case",
    "fold_diacritics",
]

#: The one apostrophe kept after normalisation (ASCII, so that every keyboard can type it).
APOSTROPHE = "'"

# Every apostrophe-like character met in real lists: ASCII ', right single quote ’,
# modifier letter apostrophe ʼ (the Ukrainian standard one), grave `, acute ´,
# left single quote ‘, modifier prime ʹ, prime ′, modifier turned comma ʻ.
_APOSTROPHES = "'\u2019\u02bc`\u00b4\u2018\u02b9\u2032\u02bb"
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad\ufe63\uff0d"
_APOS_TRANS = str.maketrans(dict.fromkeys(_APOSTROPHES, APOSTROPHE) | dict.fromkeys(_HYPHENS, "-"))

# Letters that look the same in Latin and Cyrillic.  Upper-case-only look-alikes
# (B/В, H/Н, M/М, T/Т, K/К) are listed with their case.
_LAT_TO_CYR = {
    "A": "А", "a": "а", "B": "В", "C": "С", "c": "с", "E": "Е", "e": "е", "H": "Н",
    "I": "І", "i": "і", "K": "К", "k": "к", "M": "М", "m": "м", "O": "О", "o": "о",
    "P": "Р", "p": "р", "T": "Т", "X": "Х", "x": "х", "Y": "У", "y": "у", "ï": "ї", "Ï": "Ї",
}
_CYR_TO_LAT = {v: k for k, v in _LAT_TO_CYR.items()}
_CYR_TO_LAT.update({"Ё": "Ë", "ё": "ë"})
# One way only: lower-case Latin letters (and digits) that stand for a Cyrillic letter inside a
# Cyrillic word, as handwriting, italics and OCR make them (Шеbченко, Лісоbий, Kpaвчук → Кравчук
# is upper case above; 0 3 6 for о з б).  A Cyrillic в inside a Latin word is not a b.
_LAT_TO_CYR_ONLY = {"b": "в", "u": "и", "n": "п", "r": "г", "0": "о", "3": "з", "6": "б"}
_LAT_TO_CYR_T = str.maketrans(_LAT_TO_CYR | _LAT_TO_CYR_ONLY)
_CYR_TO_LAT_T = str.maketrans(_CYR_TO_LAT)

_SPACE_RE = re.compile(r"\s+")
_HYPHEN_SPACE_RE = re.compile(r"\s*-\s*")
_WORD_RE = re.compile(r"[^\s\-]+")


def is_cyrillic_char(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff" or "\u0500" <= ch <= "\u052f"


def is_latin_char(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("\u00c0" <= ch <= "\u024f" and ch.isalpha())


_HAS_CYR = re.compile("[\u0400-\u052f]")
_HAS_LAT = re.compile("[A-Za-z\u00c0-\u024f]")
_HAS_DIGIT = re.compile("[036]")


def _fix_word(word: str) -> str:
    if not (_HAS_CYR.search(word) and (_HAS_LAT.search(word) or _HAS_DIGIT.search(word))):
        return word
    n_cyr = sum(1 for c in word if is_cyrillic_char(c))
    n_lat = sum(1 for c in word if is_latin_char(c) or c in "036")
    if not _HAS_LAT.search(word):  # digits only among Cyrillic letters: OCR (Мельни0 → Мельнио is no
        if n_cyr < 2 * n_lat:  # worse than the digit)
            return word
        fixed = word.translate(_LAT_TO_CYR_T)
        # in a word of capitals the digit is a capital (Б0ЛКВАДЗЕ → БОЛКВАДЗЕ): a small letter
        # inside capitals would be read as two words run together (ХРОбУСТ → ХРОб УСТ)
        return fixed.upper() if word.isupper() else fixed
    if not n_cyr or not n_lat:
        return word
    as_cyr = word.translate(_LAT_TO_CYR_T)
    as_lat = word.translate(_CYR_TO_LAT_T)
    cyr_ok = not any(is_latin_char(c) for c in as_cyr)
    lat_ok = not any(is_cyrillic_char(c) for c in as_lat)
    if cyr_ok and lat_ok:
        # Every letter has a look-alike: the majority decides, Cyrillic on a tie
        # (the lists this system reads are mostly Cyrillic).
        return as_cyr if n_cyr >= n_lat else as_lat
    if cyr_ok:
        return as_cyr
    if lat_ok:
        return as_lat
    return word


def fix_homoglyphs(text: str) -> str:
    """Replace Latin look-alike letters inside Cyrillic words and vice versa.

    ``"Пeтрeнкo"`` (Latin ``e`` and ``o``) becomes ``"Петренко"``; ``"Реtrenko"``
    (Cyrillic ``Р`` and ``е``) becomes ``"Petrenko"``.  Words written in one script are
    left alone, and so are words whose foreign letters have no look-alike.
    """
    return _WORD_RE.sub(lambda m: _fix_word(m.group()), text)


# Already normal: words of one script's plain letters, single separators.
_CLEAN_RE = re.compile(
    r"[A-Za-z]+(?:[ '\-][A-Za-z]+)*|[а-яА-ЯіїєґІЇЄҐёЁ]+(?:[ '\-][а-яА-ЯіїєґІЇЄҐёЁ]+)*"
)


@lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """Canonical form of a name string, case preserved.

    NFKC; every apostrophe form (``'`` ``’`` ``ʼ`` `````...) becomes ``'``; every dash
    becomes ``-`` with no spaces around it; runs of white space become one space;
    leading/trailing spaces, apostrophes and hyphens go; control characters are
    dropped; homoglyphs are fixed (:func:`fix_homoglyphs`).  Idempotent.
    """
    if not text:
        return ""
    if _CLEAN_RE.fullmatch(text):
        return text
    t = unicodedata.normalize("NFKC", text)
    t = "".join(c for c in t if unicodedata.category(c)[0] != "C" or c in "\t\n\r")
    t = t.translate(_APOS_TRANS)
    t = _SPACE_RE.sub(" ", t)
    t = _HYPHEN_SPACE_RE.sub("-", t)
    t = re.sub(r"-{2,}", "-", t)
    t = re.sub(r"'{2,}", "'", t)
    t = fix_homoglyphs(t)
    # NFKC again: homoglyph replacement can produce a decomposable sequence
    t = unicodedata.normalize("NFKC", t)
    t = t.strip(" -'")
    # Stripping can expose a new run; loop to the fixed point (at most a few rounds).
    prev = None
    while prev != t:
        prev = t
        t = _SPACE_RE.sub(" ", t)
        t = _HYPHEN_SPACE_RE.sub("-", t)
        t = re.sub(r"-{2,}", "-", t)
        t = re.sub(r"'{2,}", "'", t)
        t = t.strip(" -'")
    return t


@lru_cache(maxsize=200_000)
def normalize_key(text: str) -> str:
    """:func:`normalize` then case folding: the form used for equality of names."""
    t = normalize(text).casefold()
    # casefold can change length (ß -> ss) but never reintroduces what normalize removed
    return normalize(t).casefold()


#: Latin letters with a diacritic that the transliteration tables use and the name keys read
#: (š č ž ŝ ğ ĥ: one sound each; ë ï é è ü ö ä): kept by :func:`fold_diacritics`
_KEEP_MARKED = set("šžčŝğĥëïéèüöäŠŽČŜĞĤËÏÉÈÜÖÄ")
_FOLD_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ı": "i",
                             "ʹ": "", "ʺ": "", "ß": "ss"})


@lru_cache(maxsize=100_000)
def fold_diacritics(text: str) -> str:
    """Latin letters with marks the name keys do not read, as their base letter: the ȳ, ĭ, ě, ą
    of scholarly and foreign transliterations (``Chaplȳnskȳĭ`` → ``Chaplynskyi``); ł → l, ø → o;
    the BGN soft and hard signs ʹ ʺ dropped.  Cyrillic is left alone (й, ї, ё are letters)."""
    if text.isascii():
        return text
    out = []
    for c in text.translate(_FOLD_EXTRA):
        if c.isascii() or c in _KEEP_MARKED or is_cyrillic_char(c) or not c.isalpha():
            out.append(c)
        else:
            out.append("".join(x for x in unicodedata.normalize("NFD", c) if not unicodedata.combining(x)))
    return "".join(out)


_UK_ONLY = set("іїєґІЇЄҐ")
_RU_ONLY = set("ыэёъЫЭЁЪ")


def detect_script(text: str) -> str:
    """The script of a name: ``"uk"`` (Cyrillic with a letter only Ukrainian has: і ї є ґ),
    ``"ru"`` (Cyrillic with ы э ё ъ), ``"cyrillic"`` (Cyrillic, language not decidable),
    ``"latin"``, ``"mixed"`` (both scripts, even after fixing homoglyphs) or ``"none"``
    (no letters at all)."""
    t = fix_homoglyphs(unicodedata.normalize("NFKC", text or ""))
    has_cyr = any(is_cyrillic_char(c) for c in t)
    has_lat = any(is_latin_char(c) for c in t)
    if has_cyr and has_lat:
        return "mixed"
    if has_lat:
        return "latin"
    if not has_cyr:
        return "none"
    uk = any(c in _UK_ONLY for c in t)
    ru = any(c in _RU_ONLY for c in t)
    if uk and not ru:
        return "uk"
    if ru and not uk:
        return "ru"
    return "cyrillic"


def display_case(text: str) -> str:
    """Title case per word and per hyphenated part, keeping apostrophes inside words
    (``"О'НІЛ-ПЕТРЕНКО"`` → ``"О'ніл-Петренко"``)."""
    out = []
    for word in normalize(text).split(" "):
        out.append("-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
    return " ".join(out)
