"""Names across Ukrainian, Russian and Latin script (pure Python, no Django).

Public API::

    normalize(text) -> str                  # apostrophes, dashes, spaces, homoglyphs; idempotent
    normalize_key(text) -> str              # normalize + casefold
    fix_homoglyphs(text) -> str
    detect_script(text) -> "uk" | "ru" | "cyrillic" | "latin" | "mixed" | "none"
    transliterate(text, standard="kmu2010") -> str   # STANDARDS: kmu2010, icao, gost, bgn, ...
    equivalents(token, kind=None) -> frozenset[str]  # Ukrainian <-> Russian forms
    parse_full_name(text) -> ParsedName      # any order, initials
    search_keys(token) -> frozenset[str]     # script-independent keys for search/blocking
    skeleton(token) -> str
    initial_classes(token, kind=None) -> frozenset[str]
    variants(text) -> list[str]              # spellings under which a name may appear
"""

from .equivalence import equivalents
from .keys import initial_classes, is_first_name_like, is_patronymic_like, search_keys, skeleton
from .normalize import detect_script, display_case, fix_homoglyphs, normalize, normalize_key
from .parse import ParsedName, parse_full_name
from .translit import RUSSIAN_STANDARDS, STANDARDS, UKRAINIAN_STANDARDS, transliterate
from .variants import token_variants, variants

__all__ = [
    "ParsedName",
    "RUSSIAN_STANDARDS",
    "STANDARDS",
    "UKRAINIAN_STANDARDS",
    "detect_script",
    "display_case",
    "equivalents",
    "fix_homoglyphs",
    "initial_classes",
    "is_first_name_like",
    "is_patronymic_like",
    "normalize",
    "normalize_key",
    "parse_full_name",
    "search_keys",
    "skeleton",
    "token_variants",
    "transliterate",
    "variants",
]
