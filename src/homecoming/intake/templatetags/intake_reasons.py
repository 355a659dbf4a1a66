from django import template
from django.utils.html import format_html_join

from homecoming.intake.reasons import translate_reason

register = template.Library()


@register.filter
def linkage_reason(text: str) -> str:
    """A reason of the linkage engine in the reader's language (see intake/reasons.py)."""
    return translate_reason(text)


@register.simple_tag
def evidence_rows(evidence: list[dict]) -> str:
    """The ``<tr>`` rows of one candidate's evidence table, every value escaped.

    Drawn here rather than by a ``{% for %}`` in the template: a review page has some 300 such
    rows of five cells, and the template engine spent about half of the page's time on them
    (bench/load, "review queue"); ``format_html_join`` draws the same markup several times faster."""
    return format_html_join(
        "", '<tr class="ev-{}"><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        ((e["agreement"], e["label"], e["list_value"] or "—", e["registry_value"] or "—", e["level"],
          e["weight_text"]) for e in evidence))


@register.simple_tag
def raw_row(pairs: list[tuple]) -> str:
    """The ``<dt>``/``<dd>`` pairs of a row as received (escaped), for the same reason."""
    return format_html_join("", "<dt>{}</dt><dd>{}</dd>", pairs)
