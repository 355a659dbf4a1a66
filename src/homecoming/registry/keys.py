"""Search keys of a person's names (from :func:`homecoming.names.search_keys`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from homecoming.names import initial_classes, normalize, search_keys

KEY_MAX = 40
_SPLIT = re.compile(r"[\s,;]+")
_PART_SPLIT = re.compile(r"[\s\-‐–—,;]+")


def _letters(token: str) -> str:
    return "".join(c for c in token if c.isalpha())


def name_keys(parts: Iterable[str]) -> set[str]:
    """Every key under which a person with these name parts is found: the search keys of each
    part (and of each piece of a double-barrelled part) and the classes of its first letter
    (``#V``...), which serve one- and two-letter query tokens (initials)."""
    keys: set[str] = set()
    for part in parts:
        if not part:
            continue
        part = normalize(part)
        pieces = {part, *(_PART_SPLIT.split(part))}
        for piece in pieces:
            if len(_letters(piece)) < 2:
                continue
            keys |= {k[:KEY_MAX] for k in search_keys(piece)}
            keys |= {"#" + c for c in initial_classes(piece)}
    return keys


def query_token_keys(token: str) -> frozenset[str]:
    """Keys of one query token. One or two letters are read as an initial: they match any name
    part whose first letter is of the same class (``о`` finds Олександр, Oleksandr, Ольга...)."""
    letters = _letters(token)
    if not letters:
        return frozenset()
    if len(letters) <= 2:
        return frozenset(k[:KEY_MAX] for k in search_keys(letters[0]))
    return frozenset(k[:KEY_MAX] for k in search_keys(token))


def query_tokens(query: str) -> list[str]:
    return [t for t in _SPLIT.split(normalize(query or "")) if _letters(t)]
