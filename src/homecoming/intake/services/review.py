"""Decisions on the rows of an incoming list: one row at a time, or every automatic match at once.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record, record_many
from homecoming.common.confirm import check, fingerprint
from homecoming.common.text import sentence, text_problem
from homecoming.registry import services as registry_services
from homecoming.registry.limits import length_errors
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
               note: str = "", request=None) -> ListRow:
    """Decide one row of an incoming list:

    * ``accept`` (``person_id``: a candidate or any other active person): the person gets a status
      event (the list's status, dated the list's date, source: the list and the row);
    * ``reject``: the row is nobody in the register (or not this candidate); ``note``: why;
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
    note = _checked_note(note)
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
    row.decision_note = note if action == "reject" else ""
    row.version += 1
    row.save(update_fields=["state", "person", "status_event", "decided_by", "decided_at", "decision_note",
                            "version"])
    record(actor, f"intake.row_{action}", object_type="list_row", object_id=row.pk,
           details={"list": lst.pk, "row": row.row_number, "person": person.pk if person else None,
                    "event": event.pk if event else None, "linkage": row.decision,
                    **({"reason": note} if note else {})}, request=request)
    return row


def _checked_note(note) -> str:
    note = (note or "").strip() if isinstance(note, str) else note
    if not isinstance(note, str):
        raise ValidationError({"reason": [_("Give the reason as text.")]})
    if too_long := length_errors(ListRow, {"decision_note": note}):
        raise ValidationError({"reason": too_long["decision_note"]})
    if problem := text_problem(note):
        raise ValidationError({"reason": [sentence(problem)]})
    return note


def bulk_reject_fingerprint(rows) -> str:
    """What the person who rejects many rows at once saw: each row at its version (common.confirm)."""
    return fingerprint(sorted((r.pk, r.version, r.state) for r in rows))


def rows_to_reject(list_id: int, row_ids) -> list[ListRow]:
    """The chosen rows of one list, as the preview of a bulk reject shows them; an id that is not a
    row of the list is refused (a forged or stale form)."""
    try:
        ids = sorted({int(x) for x in row_ids})
    except (TypeError, ValueError):
        raise ValidationError({"rows": [_("Choose the rows by their numbers.")]}) from None
    if not ids:
        raise ValidationError({"rows": [_("Choose at least one row to reject.")]})
    if len(ids) > MAX_BULK_REJECT:
        raise ValidationError({"rows": [_("At most %(n)s rows at once.") % {"n": MAX_BULK_REJECT}]})
    rows = list(ListRow.objects.filter(incoming_list_id=list_id, pk__in=ids).order_by("row_number"))
    if len(rows) != len(ids):
        raise ValidationError({"rows": [_("Some of the chosen rows are not rows of this list.")]})
    return rows


MAX_BULK_REJECT = 500


@transaction.atomic
def reject_rows(actor, list_id: int, row_ids, *, reason: str, confirm: str | None,
                request=None) -> list[ListRow]:
    """Reject many rows of one list at once, with one reason: the rows are nobody in the register.

    ``confirm`` is the fingerprint of the rows as the preview showed them
    (:func:`bulk_reject_fingerprint`): a row decided or undone meanwhile (in another tab, by a
    colleague) changes it, and then nothing is rejected (``ChangedSincePreview``). Each row gets
    its own audit event, as a rejection one by one would."""
    _require(actor, "intake.review_match")
    reason = _checked_note(reason)
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for rejecting these rows.")]})
    rows = rows_to_reject(list_id, row_ids)
    rows = list(ListRow.objects.select_for_update().filter(pk__in=[r.pk for r in rows]).order_by("row_number"))
    check(confirm, bulk_reject_fingerprint(rows))
    decided = [r.row_number for r in rows if r.state != RowState.OPEN]
    if decided:
        raise ValidationError(_("Rows already decided cannot be rejected again: %(rows)s. Nothing was changed.")
                              % {"rows": ", ".join(map(str, decided))})
    user, now = _user(actor), timezone.now()
    for r in rows:
        r.state, r.decided_by, r.decided_at, r.decision_note = RowState.REJECTED, user, now, reason
        r.version += 1
    ListRow.objects.bulk_update(rows, ["state", "decided_by", "decided_at", "decision_note", "version"])
    record_many(actor, [{"action": "intake.row_reject", "object_type": "list_row", "object_id": r.pk,
                         "details": {"list": list_id, "row": r.row_number, "person": None, "event": None,
                                     "linkage": r.decision, "reason": reason, "bulk": len(rows)}}
                        for r in rows], request=request)
    return rows


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
