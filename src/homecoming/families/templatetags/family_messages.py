"""``{% load family_messages %}``: family messages where case workers meet them.

``{% family_messages_widget %}``: the start page's counts of unread messages to the signed-in case
worker and in the shared queue (counts only: nothing to audit). ``{% case_family_messages case %}``:
the messages of the families following a case's person, on the aftercare case page (which names
this panel by template only: aftercare does not import families); the read is audited.
"""

from django import template

from homecoming.families import selectors, services

register = template.Library()


def _user(context):
    request = context.get("request")
    return request, getattr(request, "user", None) or context.get("user")


@register.inclusion_tag("families/_start_messages.html", takes_context=True)
def family_messages_widget(context):
    _request, user = _user(context)
    allowed = bool(getattr(user, "is_authenticated", False) and user.has_perm("families.view_familymessage"))
    return {"allowed": allowed, "counts": selectors.unread_counts(user) if allowed else {}}


@register.inclusion_tag("families/_case_messages_panel.html", takes_context=True)
def case_family_messages(context, case):
    request, user = _user(context)
    allowed = bool(getattr(user, "is_authenticated", False) and user.has_perm("families.view_familymessage"))
    thread = selectors.person_messages_for_reading(user, case.person, request=request) if allowed else []
    for message in thread:
        message.answerable = services.may_answer(user, message)
    return {"allowed": allowed, "thread": thread, "here": request.get_full_path() if request else "",
            "unread": sum(1 for m in thread if m.sender == "family" and not m.read_at),
            "csrf_token": context.get("csrf_token")}
