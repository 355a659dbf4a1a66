"""The rows of the register's table, drawn in Python.

A register page lists 50 persons in 8 cells each, two links per row: the template engine spent
more of the search page's time on that loop than the search itself (bench/load, "search by
name"). ``format_html_join`` escapes every value as the template would and draws the same markup
several times faster. The template keeps the table's head, caption and empty message."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext

from homecoming.registry.models import Status

register = template.Library()

ROW = ('<tr><td><a href="{0}">{1}</a></td><td><a href="{0}" class="person-name">{2}</a></td><td>{3}</td>'
       '<td>{4}</td><td><span class="status status-{5}">{6}</span></td><td>{7}</td><td>{8}</td><td>{9}</td></tr>')


def _day(value) -> str:
    return value.isoformat() if value else "—"


@register.simple_tag
def register_rows(persons) -> str:
    """``<tr>`` per person: reference and name (links to the record), birth and incident dates,
    status, branch, front direction, side."""
    statuses = {k: str(v) for k, v in Status.choices}
    ours, enemy = gettext("ours"), gettext("enemy POW")
    sample = reverse("registry:person_detail", args=[0])  # ".../persons/0/": one reverse per page
    link = sample[:-2]
    return format_html_join("", ROW, (
        (f"{link}{p.pk}/", p.reference, p.full_name, _day(p.birth_date), _day(p.incident_date),
         p.current_status or "none", statuses.get(p.current_status, p.current_status) or "—",
         p.branch or "—", p.direction or "—", enemy if p.side == "enemy" else ours)
        for p in persons))
