"""``{% load aftercare_tags %}{% overdue_tasks %}``: the overdue tasks of the signed-in user, for the
start page (core/home.html's ``start_widgets`` block), and how many open cases nobody owns have
overdue tasks (counts, with a link to those cases)."""

from django import template
from django.utils import timezone

from homecoming.aftercare.selectors import overdue_tasks_for, unowned_overdue

register = template.Library()


@register.inclusion_tag("aftercare/_overdue_tasks.html", takes_context=True)
def overdue_tasks(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    today = timezone.localdate()
    allowed = bool(getattr(user, "is_authenticated", False) and user.has_perm("aftercare.view_case"))
    tasks = list(overdue_tasks_for(user, today)) if allowed else []
    if tasks:  # the tasks name their persons: the start page's read is audited like any other
        from homecoming.audit.services import record_list_read

        record_list_read(user, "case.list", object_type="aftercare_case", ids=sorted({t.case_id for t in tasks}),
                         details={"via": "start page", "overdue_tasks": len(tasks)}, request=request)
    unowned = unowned_overdue(today) if allowed else {"cases": 0, "tasks": 0}
    return {"allowed": allowed, "tasks": tasks, "today": today, "unowned": unowned}
