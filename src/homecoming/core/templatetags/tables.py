"""``{% table %}``: the frame every table of the pages shares, written once.

The tables drew the same frame by hand (a scrolling wrapper, the head row, the body, the foot)
and the copies drifted apart. A page now writes only its own cells::

    {% load tables %}
    {% table id="timeline" %}<th scope="col">…</th>…
    {% rows %}{% for event in events %}<tr>…</tr>{% empty %}<tr><td colspan="5">…</td></tr>{% endfor %}
    {% foot %}<tr>…</tr>{% endtable %}

``{% foot %}`` is optional. A table with a caption starts with it and then names its head::

    {% table id="lists" %}{% caption class="visually-hidden" %}…{% head %}<th>…{% rows %}…{% endtable %}

The keyword arguments become the table's attributes, except ``wrap``: more classes for the
scrolling wrapper (``wrap="section"``).
"""

from __future__ import annotations

from django import template
from django.forms.utils import flatatt
from django.utils.html import format_html

register = template.Library()


def _attrs(parser, bits, tag):
    count = len(bits)
    attrs = template.base.token_kwargs(bits, parser, support_legacy=False)
    if len(attrs) != count:
        raise template.TemplateSyntaxError(f"{{% {tag} %}} takes only name=value attributes")
    return attrs


class TableNode(template.Node):
    def __init__(self, attrs, caption, head, rows, foot):
        self.attrs, self.caption, self.head, self.rows, self.foot = attrs, caption, head, rows, foot

    def render(self, context):
        attrs = {name: value.resolve(context) for name, value in self.attrs.items()}
        wrap = " ".join(filter(None, ["table-wrap", attrs.pop("wrap", "")]))
        caption = ""
        if self.caption is not None:
            caption_attrs, nodes = self.caption
            caption_attrs = flatatt({name: value.resolve(context) for name, value in caption_attrs.items()})
            caption = format_html("\n  <caption{}>{}</caption>", caption_attrs, nodes.render(context))
        foot = format_html("\n  <tfoot>{}</tfoot>", self.foot.render(context)) if self.foot is not None else ""
        return format_html('<div class="{}">\n<table{}>{}\n  <thead><tr>{}</tr></thead>\n  <tbody>{}</tbody>{}\n'
                           "</table>\n</div>", wrap, flatatt(attrs), caption, self.head.render(context),
                           self.rows.render(context), foot)


@register.tag
def table(parser, token):
    attrs = _attrs(parser, token.split_contents()[1:], "table")
    head = parser.parse(("caption", "rows"))
    caption = None
    opening = parser.next_token()
    if opening.contents.split()[0] == "caption":
        caption = (_attrs(parser, opening.split_contents()[1:], "caption"), parser.parse(("head",)))
        parser.delete_first_token()
        head = parser.parse(("rows",))
        parser.delete_first_token()
    rows = parser.parse(("foot", "endtable"))
    foot = None
    if parser.next_token().contents == "foot":
        foot = parser.parse(("endtable",))
        parser.delete_first_token()
    return TableNode(attrs, caption, head, rows, foot)
