"""Transliteration of names from Cyrillic into Latin script.

``kmu2010`` is the official Ukrainian system (Cabinet of Ministers of Ukraine,
resolution No. 55 of 27 January 2010), implemented by :mod:`translitua`.  The
Russian standards are those a list from the other side is written in: ``icao``
(ICAO Doc 9303, Russian passports since 2014), ``gost`` (GOST R 52535.1-2006,
passports 2006–2014), ``passport1997`` (Russian passports 1997–2010), ``bgn``
(BGN/PCGN 1947 — not in translitua, implemented here), ``simple`` and a few
more from translitua.
"""

from __future__ import annotations

import re
from functools import lru_cache

import translitua as tu

from .normalize import normalize

__all__ = ["STANDARDS", "RUSSIAN_STANDARDS", "UKRAINIAN_STANDARDS", "transliterate"]


class _RussianBGN:
    """BGN/PCGN 1947 romanization of Russian (the ʹ and ʺ marks are kept)."""

    _T = {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
        "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ʺ", "ы": "y", "ь": "ʹ", "э": "e", "ю": "yu",
        "я": "ya",
    }
    # е and ё are ye / yë at the start of a word and after a vowel, й, ъ or ь
    _YE = re.compile(r"(?i)(?:(?<=^)|(?<=[\s\-'аеёиоуыэюяйъь]))([её])")

    @classmethod
    def translit(cls, text: str) -> str:
        def ye(m: re.Match) -> str:
            c = m.group(1)
            out = "ye" if c.lower() == "е" else "yë"
            return out.capitalize() if c.isupper() else out

        text = cls._YE.sub(ye, text)
        out = []
        for ch in text:
            low = ch.lower()
            if low in cls._T:
                r = cls._T[low]
                out.append(r.capitalize() if ch.isupper() else r)
            else:
                out.append(ch)
        res = "".join(out)
        return res.upper() if text.isupper() and len(text) > 1 else res


#: Ukrainian letters a Russian table does not know, rendered as Russian systems do.
_UK_FOR_RU = str.maketrans({"і": "и", "І": "И", "ї": "йи", "Ї": "Йи", "є": "е", "Є": "Е",
                            "ґ": "г", "Ґ": "Г"})
#: Russian letters the KMU table does not know.
_RU_FOR_KMU = str.maketrans({"ы": "и", "Ы": "И", "э": "е", "Э": "Е", "ё": "ьо", "Ё": "Йо",
                             "ъ": "", "Ъ": ""})

UKRAINIAN_STANDARDS = {
    "kmu2010": tu.UkrainianKMU,
    "uk-bgn": tu.UkrainianBGN,
    "uk-iso9": tu.UkrainianISO9,
    "uk-passport2007": tu.UkrainianPassport2007,
    "uk-national1996": tu.UkrainianNational1996,
    "uk-german": tu.UkrainianGerman,
    "uk-french": tu.UkrainianFrench,
    "uk-simple": tu.UkrainianSimple,
}
RUSSIAN_STANDARDS = {
    "icao": tu.RussianICAO,
    "gost": tu.RussianGOST2006,
    "passport1997": tu.RussianInternationalPassport1997,
    "bgn": _RussianBGN,
    "simple": tu.RussianSimple,
    "driver": tu.RussianDriverLicense,
    "telegram": tu.RussianTelegram,
}
STANDARDS = {**UKRAINIAN_STANDARDS, **RUSSIAN_STANDARDS}


@lru_cache(maxsize=100_000)
def transliterate(text: str, standard: str = "kmu2010") -> str:
    """Transliterate ``text`` (normalised first: apostrophes, homoglyphs, spaces) by
    ``standard`` (a key of :data:`STANDARDS`).  Latin input comes back normalised.
    Raises ``ValueError`` for an unknown standard."""
    if standard not in STANDARDS:
        raise ValueError(f"unknown standard {standard!r}; expected one of {', '.join(STANDARDS)}")
    text = normalize(text)
    table = STANDARDS[standard]
    # Russian tables ignore the apostrophe: a Ukrainian one is simply dropped.
    ru = standard in RUSSIAN_STANDARDS
    text = text.translate(_UK_FOR_RU).replace("'", "") if ru else text.translate(_RU_FOR_KMU)
    if table is _RussianBGN:
        return _RussianBGN.translit(text)
    out = tu.translit(text, table)
    return out
