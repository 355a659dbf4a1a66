"""``{% load aftercare_tags %}{% overdue_tasks %}``: the overdue tasks of the signed-in user, for the
start page (core/home.html's ``start_widgets`` block)."""

from django import template
from django.utils import timezone

from homecoming.aftercare.selectors import overdue_tasks_for

register = template.Library()


@register.inclusion_tag("aftercare/_overdue_tasks.html", takes_context=True)
def overdue_tasks(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    today = timezone.localdate()
    allowed = bool(getattr(user, "is_authenticated", False) and user.has_perm("aftercare.view_case"))
    tasks = overdue_tasks_for(user, today) if allowed else []
    return {"allowed": allowed, "tasks": tasks, "today": today}
