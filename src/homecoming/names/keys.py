"""Script-independent keys of name tokens: skeletons, search keys, initials."""

from __future__ import annotations

import re
from functools import lru_cache
from threading import Lock

from ._cache import cached_json
from .equivalence import equivalents
from .normalize import fold_diacritics, is_cyrillic_char, normalize_key
from .translit import transliterate

__all__ = ["skeleton", "search_keys", "initial_classes", "token_kind_hint", "is_patronymic_like", "is_initial_token",
           "vowel_mismatches"]

# Skeleton symbols: one class per consonant sound as the transliteration systems render
# it (г ґ х h g kh all -> g, because Ukrainian г is "h" in KMU and "g" in Russian
# renderings, and х is "kh"/"h"); upper-case vowel classes, used only for the final
# letter.  Cyrillic goes through KMU 2010 first (see _symbols).
# Latin spellings, longest first (one alternation, scanned left to right).
_LAT = [
    ("shtsch", "S"), ("shch", "S"), ("sch", "S"), ("tsch", "C"), ("tch", "C"), ("ch", "C"),
    ("sh", "S"), ("zh", "Z"), ("kh", "g"), ("gh", "g"), ("ph", "f"), ("ck", "k"),
    ("ts", "ts"), ("tz", "ts"), ("x", "ks"),
    ("š", "S"), ("ŝ", "S"), ("č", "C"), ("ž", "Z"), ("ğ", "g"), ("ĥ", "g"),
    ("h", "g"), ("g", "g"), ("c", "ts"), ("w", "v"), ("q", "k"),
    ("b", "b"), ("v", "v"), ("d", "d"), ("z", "z"), ("k", "k"), ("l", "l"), ("m", "m"),
    ("n", "n"), ("p", "p"), ("r", "r"), ("s", "s"), ("t", "t"), ("f", "f"),
    ("a", "A"), ("o", "O"), ("u", "U"), ("i", "I"), ("y", "I"), ("j", "I"), ("e", "E"),
    ("ë", "O"), ("ï", "I"), ("é", "E"), ("è", "E"), ("ü", "U"), ("ö", "O"), ("ä", "A"),
]
_LAT_MAP = dict(_LAT)
_LAT_RE = re.compile("|".join(re.escape(k) for k, _ in _LAT))
_VOWELS = set("AOUIE")
_HAS_CYR = re.compile("[\u0400-\u052f]")


def _symbols(token: str) -> str:
    """The token as a string of skeleton symbols (one character each)."""
    t = fold_diacritics(normalize_key(token))
    if _HAS_CYR.search(t):
        # through KMU 2010, so that a Cyrillic token and its official transliteration
        # always get the same skeleton (KMU writes кг and х alike, сч and щ alike ...)
        t = transliterate(t, "kmu2010").lower()
    return "".join(_LAT_MAP[m] for m in _LAT_RE.findall(t))


@lru_cache(maxsize=300_000)
def skeleton(token: str) -> str:
    """Consonant skeleton of one name token in any script, plus the class of its
    final vowel: ``Олександр`` / ``Oleksandr`` / ``Aleksandr`` / ``Alexander`` → ``lksndr``;
    ``Петренко`` / ``PETRENKO`` → ``ptrnko``; ``Ольга`` → ``lga``, ``Олег`` → ``lg``.

    Vowels (whose rendering differs most between Ukrainian, Russian and the Latin
    systems) are dropped except at the end of the token, where they carry gender and
    case; consonants map to sound classes; doubled consonants collapse."""
    syms = _symbols(token)
    out: list[str] = []
    for s in syms:
        if s in _VOWELS:
            continue
        if out and out[-1] == s:
            continue
        out.append(s)
    if syms and syms[-1] in _VOWELS:
        out.append(syms[-1].lower())
    return "".join(out)


@lru_cache(maxsize=200_000)
def _vowel_groups(token: str) -> tuple[frozenset[str], ...] | None:
    """The classes of the vowels between the consonants of the skeleton (consonants repeated
    across a vowel collapse as the skeleton does), the final group left out (the final vowel is
    in the skeleton); ``None`` for a name of several words."""
    if " " in token or "-" in token:
        return None
    groups: list[set[str]] = [set()]
    last = ""
    for sym in _symbols(token):
        if sym in _VOWELS:
            groups[-1].add(sym)
        elif sym != last:
            groups.append(set())
            last = sym
    return tuple(frozenset(g) for g in groups[:-1])


_ALWAYS_COMPATIBLE = (frozenset("IE"), frozenset("EO"))  # Олійник/Олейник, Ковальов/Ковалев (ё as е)


def _compatible(a: frozenset[str], b: frozenset[str], last: bool, first: bool = False) -> bool:
    if not a or not b:
        return not first or a == b  # a vowel added or dropped, except at the start (Романенко/Яременко)
    if a & b:
        return True
    pairs = {frozenset((x, y)) for x in a for y in b}
    # і for о and е in the last closed syllable is Ukrainian (Федір/Федор, Харків/Харьков)
    return any(p in _ALWAYS_COMPATIBLE for p in pairs) or (last and frozenset("IO") in pairs)


@lru_cache(maxsize=200_000)
def vowel_mismatches(a: str, b: str) -> int | None:
    """How many vowels of two names with the same consonants cannot be one another (a vowel
    written where the other has none is not counted, except at the start: transliterations
    add and drop them);
    ``None`` when the consonant skeletons do not align.  Кириленко/Короленко: 2;
    Романенко/Яременко: 2; Олександр/Александр: 1; Олійник/Олейник, Федір/Федор: 0."""
    ga, gb = _vowel_groups(a), _vowel_groups(b)
    if ga is None or gb is None or len(ga) != len(gb):
        return None
    n = len(ga)
    return sum(1 for i, (x, y) in enumerate(zip(ga, gb, strict=True)) if not _compatible(x, y, i == n - 1, i == 0))


_PATRONYMIC_RE = re.compile(
    r"(?:ович|евич|євич|йович|ьович|івна|ївна|овна|евна|ічна|инична|ильич|ілліч|кузьмич|лукич|фомич|никитич|"
    r"ovych|evych|ovich|evich|yovych|iovych|ivna|yivna|ovna|evna|ichna|ilyich|illich|ilich|ilitch|il'ich|"
    r"kuzmich|lukich|fomich|nikitich)$"
)
#: patronymic endings a typo may hide (IVANOVIFH): one letter of the ending wrong, missing or extra
_FUZZY_ENDINGS = ("ович", "евич", "овна", "евна", "івна", "ovych", "evych", "ovich", "evich", "ovna", "evna",
                  "ivna")


@lru_cache(maxsize=100_000)
def is_patronymic_like(token: str) -> bool:
    """True when the token has a patronymic ending (Ukrainian, Russian or Latin), or an ending
    one typo away from one after a known first name (``IVANOVIFH``: Ivan + ovich)."""
    key = normalize_key(token)
    if len(key) < 5:  # Ilich, Ильич
        return False
    if _PATRONYMIC_RE.search(key) is not None:
        return len(key) >= 6 or key in ("ilich", "ильич", "лукич", "фомич", "lukich", "fomich")
    if len(key) < 8:
        return False
    from rapidfuzz.distance import OSA

    for end in _FUZZY_ENDINGS:
        for n in (len(end) - 1, len(end), len(end) + 1):
            stem, tail = key[:-n], key[-n:]
            if len(stem) >= 3 and OSA.distance(tail, end, score_cutoff=1) <= 1 and is_first_name_like(stem):
                return True
    return False


#: Latin spellings of one Cyrillic letter that an initial may be written as (``Yu.`` for Ю.)
_LATIN_LETTER_INITIALS = frozenset({"yu", "iu", "ju", "ya", "ia", "ja", "ye", "ie", "je", "yi", "ji", "yo", "jo",
                                    "ts", "tz", "ch", "sh", "zh", "kh", "shch", "sch"})


@lru_cache(maxsize=100_000)
def is_initial_token(token: str) -> bool:
    """An initial: one letter (Ю, Я, Є, Ї, Ц, Щ are one letter, whatever their sounds), one
    sound (``Kh``), or the Latin spelling of one Cyrillic letter followed by a dot (``Yu.``,
    ``Ts.``)."""
    t = normalize_key(token).strip()
    key = t.strip(".")
    letters = sum(c.isalpha() for c in key)
    if not letters:
        return False
    if letters == 1 or len(_symbols(key)) <= 1:
        return True
    return t.endswith(".") and key in _LATIN_LETTER_INITIALS


_index_lock = Lock()
_class_index: dict[str, frozenset[str]] | None = None
_class_initials: dict[str, frozenset[str]] = {}
_first_skeletons: frozenset[str] | None = None


def _build_index() -> None:
    """skeleton -> union of the skeleton sets of every first-name / patronymic
    equivalence class that has this skeleton.  Built once, lazily (~0.5 s)."""
    global _class_index, _first_skeletons
    if _class_index is not None:
        return
    with _index_lock:
        if _class_index is not None:
            return
        data = cached_json("classes", _compute_index)
        _first_skeletons = frozenset(data["firsts"])
        _class_initials.update({k: frozenset(v) for k, v in data["initials"].items()})
        _class_index = {k: frozenset(v) for k, v in data["index"].items()}


def _compute_index() -> dict:
    from .equivalence import EXTRA, dictionary

    acc: dict[str, set[str]] = {}
    init_acc: dict[str, set[str]] = {}
    firsts: set[str] = set()
    for kind in ("first", "patronymic"):
        table = {k: list(v) for k, v in dictionary(kind).items()}
        for uk, extra in EXTRA[kind].items():
            table.setdefault(uk, []).extend(extra)
        for uk, rus in table.items():
            skels = {skeleton(uk)} | {skeleton(r) for r in rus}
            skels.discard("")
            inits = {_first_class(f) for f in [uk, *rus]}
            for sk in skels:
                init_acc.setdefault(sk, set()).update(inits)
            if kind == "first":
                firsts |= skels
            for s in skels:
                acc.setdefault(s, set()).update(skels)
    return {
        "index": {k: sorted(v) for k, v in acc.items()},
        "initials": {k: sorted(v - {""}) for k, v in init_acc.items()},
        "firsts": sorted(firsts),
    }


def _expand(skels: set[str]) -> set[str]:
    _build_index()
    assert _class_index is not None
    out = set(skels)
    for s in skels:
        out |= _class_index.get(s, frozenset())
    return out


@lru_cache(maxsize=300_000)
def search_keys(token: str) -> frozenset[str]:
    """A few canonical, script-independent keys for ONE name token.

    Spellings of the same name share at least one key, in any script and case, with
    homoglyphs mixed in: ``Олександр``, ``Александр``, ``Oleksandr``, ``Aleksandr``,
    ``Alexander`` all contain ``"lksndr"``; ``Петренко`` and ``Petrenko`` share
    ``"ptrnko"``; ``Миколайович``, ``Николаевич``, ``Mykolaiovych``, ``Nikolaevich``
    share ``"mklvC"`` and ``"nklvC"``.  Unrelated names rarely share a key.

    How: a key is a :func:`skeleton` (consonant classes plus the final vowel class).
    A token's keys are the skeletons of all its Ukrainian/Russian equivalents
    (:func:`~homecoming.names.equivalence.equivalents`), expanded through an index of
    the first-name and patronymic equivalence classes, so that a Latin ``Nikolaevich``
    also reaches the Ukrainian ``Mykolaiovych``.  A single letter (an initial) gives
    ``{"#" + class}`` (see :func:`initial_classes`); a token without letters gives
    an empty set.  Cached; a few microseconds per call once warm.

    Use: index each name token of each person under every key; look a query token up
    under every key; candidates are the union, to be ranked by a real comparison.
    """
    key = normalize_key(token).strip(".")
    if not any(c.isalpha() for c in key):
        return frozenset()
    # an initial: one sound (О, Х., Kh, Хь) or one letter, even a letter of two sounds (Ю, Я, Є, Ї, Щ)
    if is_initial_token(token):
        return frozenset("#" + c for c in initial_classes(key))
    if "-" in key or " " in key:  # a double surname: the whole and each part
        out: set[str] = set()
        for part in re.split(r"[\s\-]+", key):
            if sum(c.isalpha() for c in part) > 1:
                out |= search_keys(part)
        return frozenset(out | {skeleton(key.replace("-", "").replace(" ", ""))} - {""})
    # Cyrillic: the skeletons of the dictionary equivalents (first names, patronymics).
    # Surnames are not looked up: their Ukrainian and Russian forms differ in vowels,
    # which skeletons drop.
    cyr = any(is_cyrillic_char(c) for c in key)
    base = {skeleton(f) for f in equivalents(key, None)} if cyr else {skeleton(key)}
    base.discard("")
    if not base:
        return frozenset()
    return frozenset(_expand(base))


@lru_cache(maxsize=100_000)
def is_first_name_like(token: str) -> bool:
    """True when the token is a known first name in any script."""
    key = normalize_key(token)
    if any(is_cyrillic_char(c) for c in key):
        from .equivalence import is_known_first_name

        return is_known_first_name(key)
    _build_index()
    assert _first_skeletons is not None
    return skeleton(key) in _first_skeletons


_INITIAL = {"A": "V", "O": "V", "U": "V", "I": "V", "E": "V"}


@lru_cache(maxsize=100_000)
def initial_classes(token: str, kind: str | None = None) -> frozenset[str]:
    """Classes of the first letter of ``token`` and of its equivalents: a vowel or
    й/y/j gives ``"V"`` (Олександр / Александр / Yurii / Iurii / Єгор / Egor all
    agree), г ґ х h g kh give ``"g"``, otherwise the consonant class of
    :func:`skeleton` (``"Z"`` for ж/zh, ``"C"`` for ч/ch, ``"S"`` for ш щ sh, ``"t"`` for ц/ts).
    Two tokens may stand for the same name only if their classes intersect."""
    key = normalize_key(token).strip(".")
    if not key:
        return frozenset()
    forms = {key}
    if kind != "last" and len(key) > 1 and _HAS_CYR.search(key):
        forms |= equivalents(key, kind)
    out = {_first_class(f) for f in forms}
    if len(key) > 1 and not any(is_cyrillic_char(c) for c in key):
        _build_index()
        out |= _class_initials.get(skeleton(key), frozenset())
    out.discard("")
    return frozenset(out)


@lru_cache(maxsize=100_000)
def _first_class(form: str) -> str:
    syms = _symbols(form)
    return _INITIAL.get(syms[0], syms[0]) if syms else ""


def token_kind_hint(token: str) -> str:
    """``"initial"``, ``"patronymic"``, ``"first"`` or ``"other"``."""
    key = normalize_key(token).strip(".")
    if sum(c.isalpha() for c in key) <= 1:
        return "initial"
    if is_patronymic_like(key):
        return "patronymic"
    if is_first_name_like(key):
        return "first"
    return "other"

