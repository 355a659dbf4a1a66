"""Spellings under which a name may appear in a list."""

from __future__ import annotations

import re
from functools import lru_cache

from .equivalence import equivalents
from .normalize import detect_script, display_case, is_cyrillic_char, normalize, normalize_key
from .parse import parse_full_name
from .translit import RUSSIAN_STANDARDS, UKRAINIAN_STANDARDS, transliterate

__all__ = ["token_variants", "variants", "latin_to_ukrainian"]

# Greedy reading of a KMU-style (or Russian-style) Latin spelling back into Ukrainian.
_BACK = [
    ("shch", "щ"), ("zgh", "зг"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("yu", "ю"), ("iu", "ю"), ("ya", "я"), ("ia", "я"), ("ye", "є"), ("ie", "є"), ("yi", "ї"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("h", "г"), ("g", "ґ"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("y", "и"), ("i", "і"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
    ("x", "кс"), ("w", "в"), ("j", "й"), ("c", "ц"), ("q", "к"),
]
_BACK_MAP = dict(_BACK)
_BACK_RE = re.compile("|".join(re.escape(k) for k, _ in _BACK))


def latin_to_ukrainian(token: str) -> str:
    """A best-effort Ukrainian reading of a Latin spelling (KMU 2010 read backwards:
    ``Petrenko`` → ``петренко``; final ``-yi``/``-ii`` → ``-ий``/``-ій``).  Lower case."""
    t = normalize_key(token)
    t = re.sub(r"yi$", "ий", t)
    t = re.sub(r"ii$", "ій", t)
    t = re.sub(r"(?<=[aeiouy])i$", "й", t)
    return _BACK_RE.sub(lambda m: _BACK_MAP[m.group()], t)


@lru_cache(maxsize=50_000)
def token_variants(token: str, kind: str | None = None) -> tuple[str, ...]:
    """Spellings of one token: its Ukrainian and Russian forms and their Latin
    transliterations by every supported standard; sorted, title case."""
    t = normalize(token)
    if not t:
        return ()
    cyr = {normalize_key(t)} if any(is_cyrillic_char(c) for c in t) else {latin_to_ukrainian(t)}
    forms: set[str] = set()
    for c in list(cyr):
        cyr |= equivalents(c, kind)
    for c in cyr:
        forms.add(display_case(c))
        script = detect_script(c)
        stds = UKRAINIAN_STANDARDS if script == "uk" else RUSSIAN_STANDARDS
        if script == "cyrillic":
            stds = {**UKRAINIAN_STANDARDS, **RUSSIAN_STANDARDS}
        for std in stds:
            forms.add(display_case(transliterate(c, std)))
    if not any(is_cyrillic_char(c) for c in t):
        forms.add(display_case(t))
    return tuple(sorted(forms))


def variants(text: str) -> list[str]:
    """Spellings of a full name (or of one token): for each part, its Ukrainian and
    Russian forms; then the whole name rendered by each standard, in official order
    (last first patronymic).  Sorted, without duplicates."""
    p = parse_full_name(text)
    parts = [(p.last_name, "last"), (p.first_name, "first"), (p.patronymic, "patronymic")]
    parts = [(v, k) for v, k in parts if v]
    if len(parts) == 1:
        return list(token_variants(parts[0][0], parts[0][1]))
    out: set[str] = set()
    # Cyrillic renderings per language, then each standard on each
    per_part = []
    for v, kind in parts:
        base = normalize_key(v)
        if not any(is_cyrillic_char(c) for c in base):
            base = latin_to_ukrainian(base)
        eq = equivalents(base, kind) if len(base) > 1 else frozenset({base})
        uk = [e for e in eq if detect_script(e) != "ru"]
        uk_form = base if base in uk or not uk else sorted(uk)[0]
        ru = sorted(e for e in eq if e != uk_form) or [uk_form]
        per_part.append((uk_form, ru, v))
    uk_name = " ".join(u for u, _, _ in per_part)
    ru_names = {" ".join(r[0] for _, r, _ in per_part)}
    ru_names.add(" ".join(r[-1] for _, r, _ in per_part))
    out.add(display_case(uk_name))
    for std in UKRAINIAN_STANDARDS:
        out.add(display_case(transliterate(uk_name, std)))
    for rn in ru_names:
        out.add(display_case(rn))
        for std in RUSSIAN_STANDARDS:
            out.add(display_case(transliterate(rn, std)))
    return sorted(out)
