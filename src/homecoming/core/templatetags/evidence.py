"""``{% evidence_table candidate.evidence labels %}``: one candidate's evidence (core/evidence.py),
the same table on every page that asks a person to decide a match."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _rows(evidence: list[dict]) -> str:
    """The ``<tr>`` rows, every value escaped. Drawn here rather than by a ``{% for %}`` in a
    template: a review page has some 300 such rows of five cells, and the template engine spent
    about half of the page's time on them (bench/load, "review queue"); ``format_html_join`` draws
    the same markup several times faster."""
    return format_html_join(
        "", '<tr class="ev-{}"><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        ((e["agreement"], e["label"], e["list_value"] or "—", e["registry_value"] or "—", e["level"],
          e["weight_text"]) for e in evidence))


@register.simple_tag
def evidence_table(evidence: list[dict], labels: dict) -> str:
    """The whole table; ``labels`` (core.evidence.evidence_labels, made once per page) holds the
    column headers in the reader's language."""
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in labels["headers"]))
    return format_html('<table class="evidence"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head,
                       _rows(evidence))
