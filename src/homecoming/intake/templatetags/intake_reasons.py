from django import template

from homecoming.intake.reasons import translate_reason

register = template.Library()


@register.filter
def linkage_reason(text: str) -> str:
    """A reason of the linkage engine in the reader's language (see intake/reasons.py)."""
    return translate_reason(text)
