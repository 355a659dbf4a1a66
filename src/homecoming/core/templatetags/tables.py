"""``{% table %}``: the frame every table of the pages shares, written once.

Most tables drew the same frame by hand (a scrolling wrapper, the head row, the body, the
foot) and the copies drifted apart. A page now writes only its own cells::

    {% load tables %}
    {% table id="timeline" %}<th scope="col">…</th>…
    {% rows %}{% for event in events %}<tr>…</tr>{% empty %}<tr><td colspan="5">…</td></tr>{% endfor %}
    {% foot %}<tr>…</tr>{% endtable %}

``{% foot %}`` is optional; the keyword arguments become the table's attributes.
"""

from __future__ import annotations

from django import template
from django.forms.utils import flatatt
from django.utils.html import format_html

register = template.Library()


class TableNode(template.Node):
    def __init__(self, attrs, head, rows, foot):
        self.attrs, self.head, self.rows, self.foot = attrs, head, rows, foot

    def render(self, context):
        attrs = flatatt({name: value.resolve(context) for name, value in self.attrs.items()})
        foot = format_html("\n  <tfoot>{}</tfoot>", self.foot.render(context)) if self.foot is not None else ""
        return format_html('<div class="table-wrap">\n<table{}>\n  <thead><tr>{}</tr></thead>\n  <tbody>{}</tbody>{}\n'
                           "</table>\n</div>", attrs, self.head.render(context), self.rows.render(context), foot)


@register.tag
def table(parser, token):
    bits = token.split_contents()
    attrs = template.base.token_kwargs(bits[1:], parser, support_legacy=False)
    if len(attrs) != len(bits) - 1:
        raise template.TemplateSyntaxError("{% table %} takes only name=value attributes")
    head = parser.parse(("rows",))
    parser.delete_first_token()
    rows = parser.parse(("foot", "endtable"))
    foot = None
    if parser.next_token().contents == "foot":
        foot = parser.parse(("endtable",))
        parser.delete_first_token()
    return TableNode(attrs, head, rows, foot)
