"""``{% operation_panel operation %}``: the progress of a background operation on its target's
page, with its cancel button; refreshed by operations/progress.js, shown again after a reload."""

from __future__ import annotations

from django import template

from .. import kinds
from ..presentation import text

register = template.Library()


@register.inclusion_tag("operations/_panel.html", takes_context=True)
def operation_panel(context, operation):
    request = context.get("request")
    if operation is None:
        return {"operation": None}
    return {"operation": operation, "title": kinds.get(operation.kind).title, "text": text(operation),
            "next": request.get_full_path() if request else "", "csrf_token": context.get("csrf_token")}
