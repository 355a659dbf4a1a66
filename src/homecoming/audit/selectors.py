"""Reads of the audit log: the viewer's filters, the audited read of a page of events, and the
audited export of every event the filters match."""

from __future__ import annotations

import re
from datetime import datetime, time

from django.core.paginator import Paginator
from django.db.models import Max
from django.utils import timezone

from .models import AuditEvent
from .sentences import ACTIONS
from .services import record, record_list_read

NO_ACCOUNT = "-"  # the "who" of events written by no account (the system, the family portal)
GROUP_PREFIX = "group:"  # a "what" that names a whole group of actions
_PERSON_REFERENCE = re.compile(r"^\s*HC-?0*(\d+)\s*$", re.IGNORECASE)


def filtered_events(data: dict):
    """The events matching the viewer's filters: ``who`` (an account's id or NO_ACCOUNT), ``what``
    (an action code, or GROUP_PREFIX and a group), ``object_type`` and ``object_id`` (a person's
    reference such as HC-003519 is understood), ``date_from`` and ``date_to`` (days in the local
    time zone). Newest first."""
    events = AuditEvent.objects.all()
    who = data.get("who")
    if who == NO_ACCOUNT:
        events = events.filter(actor_id__isnull=True)
    elif who:
        events = events.filter(actor_id=int(who))
    what = data.get("what") or ""
    if what.startswith(GROUP_PREFIX):
        group = what.removeprefix(GROUP_PREFIX)
        events = events.filter(action__in=[a.code for a in ACTIONS.values() if a.group == group])
    elif what:
        events = events.filter(action=what)
    object_type, object_id = data.get("object_type") or "", (data.get("object_id") or "").strip()
    if object_id and (match := _PERSON_REFERENCE.match(object_id)):
        object_type, object_id = object_type or "person", match.group(1)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        events = events.filter(created_at__gte=datetime.combine(data["date_from"], time.min, tz))
    if data.get("date_to"):
        events = events.filter(created_at__lte=datetime.combine(data["date_to"], time.max, tz))
    return events.order_by("-id")


def _filters(data: dict) -> dict:
    return {k: str(v) for k, v in data.items() if v not in (None, "")}


def event_page_for_reading(actor, data: dict, number, per_page: int, *, request=None):
    """One page of the events that match the filters ``data``, newest first. Reading the log is
    itself audited, after the page is taken, so it never lists itself (``request`` only gives
    the event the client's address)."""
    page = Paginator(filtered_events(data), per_page).get_page(number)
    record_list_read(actor, "audit.view", object_type="audit_event", ids=[e.pk for e in page.object_list],
                     details={"filters": _filters(data), "page": page.number}, request=request)
    return page


def events_for_export(actor, data: dict, *, request=None):
    """Every event the filters match, up to the newest event now (so the export never holds its
    own record nor anything written while it streams), oldest first; the export is audited with
    its filters, how many events and the first and last id, before it is handed out."""
    newest = AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0
    events = filtered_events(data).filter(pk__lte=newest).order_by("id")
    count = events.count()
    first = events.values_list("id", flat=True).first()
    last = events.order_by("-id").values_list("id", flat=True).first()
    record(actor, "audit.export", object_type="audit_event",
           details={"filters": _filters(data), "count": count, "first": first, "last": last, "format": "csv"},
           request=request)
    return events
