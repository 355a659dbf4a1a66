"""Messages between a family and their relative's case worker (issue 19).

A family that opened the portal with its reference and code writes to the case worker named there:
plain text, at most 2,000 characters, a few messages a day (a flood is refused), one message per
form sent (a reload sends nothing twice). The message goes to the case worker who owns the
relative's open aftercare case (asked by name: ``contacts.case_worker_id_for``), or, with nobody
assigned, to the case workers' shared queue. Case workers read it on their start page and on the
case, mark it read and reply; the family sees the reply on the portal: the case worker's own words,
nothing of the register, of detention or of remains.

Who may read, mark and answer a message (least privilege): a holder of ``families.view_familymessage``
reads, a holder of ``families.change_familymessage`` marks and answers (case workers), and only a
message addressed to them, one in the shared queue, or one about a person whose case they own now
(the case changed hands). Every write and every staff read is audited; the audit keeps no message text.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from homecoming.audit.services import record, record_list_read
from homecoming.common.text import sentence, text_problem
from homecoming.registry.limits import length_errors

from ..contacts import case_worker_id_for
from ..models import FamilyMessage, Inquiry, InquiryState, MessageFrom
from ..status import RETURNED, family_state
from .common import PORTAL_ACTOR, _require, _user

READ = "families.view_familymessage"
ANSWER = "families.change_familymessage"


def message_limits() -> dict[str, int]:
    """How many messages one inquiry may send in a window (settings ``FAMILIES_MESSAGES_PER_DAY``,
    ``FAMILIES_MESSAGES_WINDOW_HOURS``)."""
    return {"per_window": getattr(settings, "FAMILIES_MESSAGES_PER_DAY", 5),
            "window_hours": getattr(settings, "FAMILIES_MESSAGES_WINDOW_HOURS", 24)}


class TooManyMessages(ValidationError):
    """The family sent as many messages as the window allows: nothing was sent."""


class AlreadySent(Exception):
    """The same form was sent again (a reload, a double click): nothing more was sent."""


def may_write(inquiry: Inquiry) -> bool:
    """A family writes to a case worker once their relative is home (an aftercare case is theirs)."""
    return inquiry.state == InquiryState.LINKED and family_state(inquiry) == RETURNED


def _clean_body(body) -> str:
    text = str(body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError({"body": [pgettext("families", "Write your message.")]})
    errors = length_errors(FamilyMessage, {"body": text},
                           message=lambda n: pgettext("families", "At most %(n)s characters.") % {"n": n})
    problem = text_problem(text, multiline=True)
    if problem:
        errors.setdefault("body", []).append(sentence(problem))
    if errors:
        raise ValidationError(errors)
    return text


def _key(submission: str) -> str:
    return hashlib.sha256(f"family-message:{submission}".encode()).hexdigest() if submission else ""


def send_family_message(inquiry_id: int, body, *, submission: str = "", request=None) -> FamilyMessage:
    """The family of ``inquiry_id`` (who proved it with their code) writes to their case worker.
    Refused with a message naming why, nothing stored, for an empty, too long or unreadable text,
    an inquiry that may not write, or one more message than the window allows
    (:class:`TooManyMessages`, whose refusal is audited); the same form sent twice raises
    :class:`AlreadySent`."""
    try:
        return _send(inquiry_id, body, submission=submission, request=request)
    except TooManyMessages as exc:  # audited after the rollback, in a transaction of its own
        record(PORTAL_ACTOR, "family_message.refused", object_type="inquiry", object_id=inquiry_id,
               details={"reason": "too_many", **exc.counts}, request=request)
        raise


@transaction.atomic
def _send(inquiry_id: int, body, *, submission: str, request) -> FamilyMessage:
    inquiry = Inquiry.objects.select_for_update(of=("self",)).select_related("person").filter(pk=inquiry_id).first()
    if inquiry is None or not may_write(inquiry):
        raise ValidationError(_("Messages to a case worker can be written once your relative is home."))
    text = _clean_body(body)
    key = _key(submission)
    if key and FamilyMessage.objects.filter(submission_key=key).exists():
        raise AlreadySent()
    limits = message_limits()
    since = timezone.now() - dt.timedelta(hours=limits["window_hours"])
    sent = FamilyMessage.objects.filter(inquiry=inquiry, sender=MessageFrom.FAMILY, created_at__gte=since).count()
    if sent >= limits["per_window"]:
        refused = TooManyMessages(_("You have sent %(n)s messages in the last %(hours)s hours: please wait, or call "
                                    "the headquarters.") % {"n": sent, "hours": limits["window_hours"]})
        refused.counts = {"sent": sent, "window_hours": limits["window_hours"]}
        raise refused
    recipient = case_worker_id_for(inquiry.person)
    message = FamilyMessage(inquiry=inquiry, sender=MessageFrom.FAMILY, recipient_id=recipient, body=text,
                            submission_key=key)
    message.full_clean()
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:  # the same form, sent twice at the same moment
        raise AlreadySent() from None
    record(PORTAL_ACTOR, "family_message.send", object_type="inquiry", object_id=inquiry.pk,
           details={"message": message.pk, "to": "case_worker" if recipient else "queue", "recipient": recipient,
                    "length": len(text)}, request=request)
    return message


def _current_worker(message: FamilyMessage) -> int | None:
    return case_worker_id_for(message.inquiry.person) if message.inquiry.person_id else None


def may_answer(actor, message: FamilyMessage) -> bool:
    """Whether ``actor`` may mark ``message`` read and answer it (see the module)."""
    user = _user(actor)
    if user is None or not actor.has_perm(ANSWER) or message.sender != MessageFrom.FAMILY:
        return False
    return message.recipient_id in (None, user.pk) or _current_worker(message) == user.pk


def _family_message(actor, message_id) -> FamilyMessage:
    _require(actor, ANSWER)
    message = FamilyMessage.objects.select_for_update(of=("self",)).select_related("inquiry__person") \
        .filter(pk=message_id, sender=MessageFrom.FAMILY).first()
    if message is None:
        raise ValidationError(_("No such message."))
    if not may_answer(actor, message):
        raise PermissionDenied(_("This message is addressed to another case worker."))
    return message


def _mark(actor, message: FamilyMessage) -> None:
    message.read_at = timezone.now()
    message.read_by = _user(actor)
    message.save(update_fields=["read_at", "read_by"])


@transaction.atomic
def mark_family_message_read(actor, message_id: int, *, request=None) -> FamilyMessage:
    """A case worker marks a family's message read (refused when it already is)."""
    message = _family_message(actor, message_id)
    if message.read_at is not None:
        raise ValidationError(_("This message was already marked read."))
    _mark(actor, message)
    record(actor, "family_message.read", object_type="inquiry", object_id=message.inquiry_id,
           details={"message": message.pk}, request=request)
    return message


@transaction.atomic
def reply_to_family_message(actor, message_id: int, body, *, request=None) -> FamilyMessage:
    """A case worker answers a family's message: the reply (their words only) shows on the portal;
    the message is marked read; one still in the shared queue is theirs from now on."""
    message = _family_message(actor, message_id)
    if message.inquiry.state == InquiryState.CLOSED:
        raise ValidationError(_("The inquiry is closed: the family no longer sees the portal."))
    text = _clean_body(body)
    reply = FamilyMessage(inquiry=message.inquiry, sender=MessageFrom.STAFF, in_reply_to=message, author=_user(actor),
                          body=text)
    reply.full_clean()
    reply.save()
    taken = message.recipient_id is None
    if taken:
        message.recipient = _user(actor)
        message.save(update_fields=["recipient"])
    if message.read_at is None:
        _mark(actor, message)
    record(actor, "family_message.reply", object_type="inquiry", object_id=message.inquiry_id,
           details={"message": message.pk, "reply": reply.pk, "length": len(text), "taken_from_queue": taken},
           request=request)
    return reply


def record_message_reads(actor, messages, *, via: str, request=None) -> None:
    """A staff page showed these messages (they name the family and the person): one audit event."""
    messages = list(messages)
    if messages:
        record_list_read(actor, "family_message.list", object_type="inquiry",
                         ids=sorted({m.inquiry_id for m in messages}),
                         details={"via": via, "messages": [m.pk for m in messages]}, request=request)
