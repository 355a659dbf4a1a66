"""The localised name of a reference row (branches, categories, plan templates ...).

Reference data is stored in both languages (``name_uk``/``name_en``, ``title_uk``/``title_en``);
a reader sees the one of the active language, Ukrainian unless English is chosen.
"""

from __future__ import annotations

from django.utils.translation import get_language


def language() -> str:
    """``"en"`` when the active language is English, else ``"uk"`` (the default)."""
    return "en" if (get_language() or "uk").startswith("en") else "uk"


def localised(row, field: str = "name") -> str:
    """``row.<field>_en`` or ``row.<field>_uk``, by the active language."""
    return getattr(row, f"{field}_{language()}")
