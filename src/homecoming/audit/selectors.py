"""Reads of the audit log: the viewer's filters, and the audited read of a page of events."""

from datetime import datetime, time

from django.core.paginator import Paginator
from django.utils import timezone

from .models import AuditEvent
from .services import record_list_read


def filtered_events(data: dict):
    events = AuditEvent.objects.all()
    if data.get("actor"):
        events = events.filter(actor_name__iexact=data["actor"])
    if data.get("action"):
        events = events.filter(action__startswith=data["action"])
    if data.get("object_type"):
        events = events.filter(object_type=data["object_type"])
    if data.get("object_id"):
        events = events.filter(object_id=data["object_id"])
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        events = events.filter(created_at__gte=datetime.combine(data["date_from"], time.min, tz))
    if data.get("date_to"):
        events = events.filter(created_at__lte=datetime.combine(data["date_to"], time.max, tz))
    return events.order_by("-id")


def event_page_for_reading(actor, data: dict, number, per_page: int, *, request=None):
    """One page of the events that match the filters ``data``, newest first. Reading the log is
    itself audited, after the page is taken, so it never lists itself (``request`` only gives
    the event the client's address)."""
    page = Paginator(filtered_events(data), per_page).get_page(number)
    record_list_read(actor, "audit.view", object_type="audit_event", ids=[e.pk for e in page.object_list],
                     details={"filters": {k: str(v) for k, v in data.items() if v not in (None, "")},
                              "page": page.number}, request=request)
    return page
