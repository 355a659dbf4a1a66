from django import template
from django.utils.html import format_html_join

from homecoming.intake.reasons import translate_reason

register = template.Library()


@register.filter
def linkage_reason(text: str) -> str:
    """A reason of the linkage engine in the reader's language (see intake/reasons.py)."""
    return translate_reason(text)


@register.simple_tag
def raw_row(pairs: list[tuple]) -> str:
    """The ``<dt>``/``<dd>`` pairs of a row as received (escaped), for the same reason."""
    return format_html_join("", "<dt>{}</dt><dd>{}</dd>", pairs)
