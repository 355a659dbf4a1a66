"""Which language a whole Cyrillic name is written in: Ukrainian, Russian, or not decidable.

A letter alone often decides (і ї є ґ are Ukrainian, ы э ё ъ Russian), but ``Александр
Николаевич Петренко`` has none of them: its first name and patronymic do. A merge keeps the
other record's name as an alternative name labelled with its script, and a Russian rendering
labelled "Ukrainian" misleads every later search and review.
"""

from __future__ import annotations

from .equivalence import _reverse_map, cyr_key, dictionary
from .normalize import detect_script

_RU_PATRONYMIC = ("евич", "евна", "овна", "ична", "инична")
_UK_PATRONYMIC = ("івна", "ївна", "йович", "івич")


def _first_name_vote(first: str) -> str:
    """The Russian rendering of another Ukrainian name (Александр for Олександр) votes Russian; a
    Ukrainian name with another Russian form (Олександр, Андрій) votes Ukrainian; a name both write
    alike (Роман) does not vote. names-translator's table also lists Russian forms as keys that
    map to themselves, so a key alone proves nothing."""
    key = cyr_key(first)
    if not key:
        return ""
    if any(uk != key for uk in _reverse_map("first").get(key, ())):
        return "ru"
    if any(cyr_key(ru) != key for ru in dictionary("first").get(key, ())):
        return "uk"
    return ""


def _patronymic_vote(patronymic: str) -> str:
    key = cyr_key(patronymic)
    if key.endswith(_UK_PATRONYMIC):
        return "uk"
    if key.endswith(_RU_PATRONYMIC):
        return "ru"
    return ""


def name_language(last: str = "", first: str = "", patronymic: str = "") -> str:
    """``"uk"``, ``"ru"``, ``"latin"``, ``"cyrillic"`` (Cyrillic, not decidable) or ``"other"``
    (mixed scripts, no letters)."""
    script = detect_script(" ".join(p for p in (last, first, patronymic) if p))
    if script in ("uk", "ru", "latin"):
        return script
    if script != "cyrillic":
        return "other"
    votes = {v for v in (_first_name_vote(first), _patronymic_vote(patronymic)) if v}
    return votes.pop() if len(votes) == 1 else "cyrillic"
