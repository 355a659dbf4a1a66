"""Decisions on the rows of an incoming list: one row at a time, or every automatic match at once.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.registry import services as registry_services
from homecoming.registry.models import Person

from .. import columns, selectors
from ..models import (
    Decision,
    IncomingList,
    ListRow,
    RowState,
)
from .common import RowAlreadyDecided, _require, _user

ACTIONS = ("accept", "reject", "create")


def _event_reference(row: ListRow) -> str:
    return _("%(list)s, row %(row)s") % {"list": row.incoming_list.source_description, "row": row.row_number}


@transaction.atomic
def decide_row(actor, row_id: int, *, action: str, version: int, person_id: int | None = None,
               request=None) -> ListRow:
    """Decide one row of an incoming list:

    * ``accept`` (``person_id``: a candidate or any other active person): the person gets a status
      event (the list's status, dated the list's date, source: the list and the row);
    * ``reject``: the row is nobody in the register (or not this candidate);
    * ``create``: a new person is created from the row with that status event (needs
      ``registry.add_person``).

    The row is locked; if it was decided in the meantime (its ``version`` moved on) nothing is done
    and :class:`RowAlreadyDecided` says by whom."""
    _require(actor, "intake.review_match")
    if action not in ACTIONS:
        raise ValidationError(_("Unknown decision."))
    row = ListRow.objects.select_for_update(of=("self",)).select_related("incoming_list").get(pk=row_id)
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValidationError(_("The row version is missing; reload the page.")) from None
    if row.state != RowState.OPEN or row.version != version:
        raise RowAlreadyDecided(row)
    lst = row.incoming_list
    event = None
    person = None
    if action == "accept":
        if person_id in (None, ""):
            raise ValidationError(_("Choose the person this row is."))
        person = selectors.persons_by_id([int(person_id)]).get(int(person_id))
        if person is None:
            raise ValidationError(_("There is no person with that reference."))
        event = registry_services.add_status_event(
            actor, person.pk, status=lst.status_on_accept, effective_date=lst.list_date,
            source_kind=lst.source_kind, source_reference=_event_reference(row)[:300],
            note=_("Row as received: %(raw)s") % {"raw": "; ".join(f"{k}: {v}" for k, v in row.raw.items() if v)},
            permission="intake.review_match", request=request)
        row.state = RowState.ACCEPTED
    elif action == "reject":
        row.state = RowState.REJECTED
    else:
        _require(actor, "registry.add_person")
        d = row.data
        data = {f: d[f] for f in columns.PERSON_FIELDS if d.get(f)}
        if "birth_date" in data:
            data["birth_date_precision"] = d.get("birth_date_precision") or "day"
        person = registry_services.create_person(actor, data, initial_event={
            "status": lst.status_on_accept, "effective_date": lst.list_date, "source_kind": lst.source_kind,
            "source_reference": _event_reference(row)[:300]}, request=request)
        event = person.status_events.order_by("-id").first()
        row.state = RowState.CREATED
    row.person = person
    row.status_event = event
    row.decided_by = _user(actor)
    row.decided_at = timezone.now()
    row.version += 1
    row.save(update_fields=["state", "person", "status_event", "decided_by", "decided_at", "version"])
    record(actor, f"intake.row_{action}", object_type="list_row", object_id=row.pk,
           details={"list": lst.pk, "row": row.row_number, "person": person.pk if person else None,
                    "event": event.pk if event else None, "linkage": row.decision}, request=request)
    return row


def automatic_rows(actor, list_id: int) -> list[tuple[int, int, int, int]]:
    """The undecided rows the engine matched automatically, in order: (row, version, number, the
    best candidate). The plan of confirm-all (run by the worker, never in the request)."""
    _require(actor, "intake.review_match")
    rows = ListRow.objects.filter(incoming_list_id=list_id, state=RowState.OPEN, decision=Decision.MATCH)
    return [(pk, version, number, cands[0]["person_id"])
            for pk, version, number, cands in rows.order_by("row_number", "pk").values_list(
                "pk", "version", "row_number", "candidates") if cands]


def accept_rows(actor, rows, *, request=None) -> dict:
    """Accept each of ``rows`` (from :func:`automatic_rows`) as its own decision (status event,
    audit). A row decided meanwhile by someone else is left as it is (``skipped``); a row the
    register refuses is reported (``failed``: [row number, message]) and the others go on."""
    accepted, skipped, failed = 0, 0, []
    for pk, version, number, person_id in rows:
        try:
            decide_row(actor, pk, action="accept", version=version, person_id=person_id, request=request)
            accepted += 1
        except RowAlreadyDecided:
            skipped += 1
        except ValidationError as exc:
            failed.append([number, " ".join(exc.messages)])
    return {"accepted": accepted, "skipped": skipped, "failed": failed}


def record_accept_automatic(actor, list_id: int, result: dict, *, request=None) -> None:
    record(actor, "intake.accept_automatic", object_type="incoming_list", object_id=list_id,
           details={"accepted": result.get("accepted", 0), "skipped": result.get("skipped", 0),
                    "failed": len(result.get("failed", []))}, request=request)


def accept_automatic(actor, list_id: int, *, request=None) -> dict:
    """Accept every undecided row the engine matched automatically (its best candidate), in this
    call (the command line and the API; the review page starts it in the background instead:
    intake/operations.py). Returns {"accepted": n, "skipped": n, "failed": [(row, message)]}."""
    _require(actor, "intake.review_match")
    lst = IncomingList.objects.get(pk=list_id)
    result = accept_rows(actor, automatic_rows(actor, lst.pk), request=request)
    record_accept_automatic(actor, lst.pk, result, request=request)
    return {**result, "failed": [tuple(f) for f in result["failed"]]}


def record_review_view(actor, incoming_list: IncomingList, person_ids, *, request=None) -> None:
    """The review page shows register persons: the read is audited."""
    record(actor, "intake.review_view", object_type="incoming_list", object_id=incoming_list.pk,
           details={"persons": sorted(set(person_ids))[:200]}, request=request)


def person_for_reference(text: str) -> Person | None:
    from homecoming.registry.selectors import person_by_reference

    return person_by_reference(text)
