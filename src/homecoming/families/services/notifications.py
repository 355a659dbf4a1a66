"""News for families when a person's status changes: queued inside the register's
transaction, delivered (and retried) outside it.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record, record_many
from homecoming.registry.models import Status

from ..channels import get_channel
from ..models import (
    Inquiry,
    InquiryState,
    Notification,
    NotificationState,
)
from ..status import family_state, family_view, news
from .common import MAX_ATTEMPTS, PORTAL_ACTOR, _require
from .filing import _render_message


def _notify_if_news(inquiry: Inquiry) -> list[Notification]:
    """Inside the caller's transaction: when the family's state is news by :func:`status.news`,
    queue a message on every channel they gave; delivery starts after commit. ``notified_state``
    keeps what the last message told (no repeats, and what a later state may take back)."""
    notes = _status_messages(inquiry, family_state(inquiry))
    for note in notes:
        note.save()
        record(PORTAL_ACTOR, "notification.queue", object_type="inquiry", object_id=inquiry.pk,
               details={"notification": note.pk, "template": "status", "channel": note.channel,
                        "state": inquiry.notified_state})
        transaction.on_commit(partial(_enqueue, note.pk))
    return notes


def _status_messages(inquiry: Inquiry, now: str, *, save_state: bool = True) -> list[Notification]:
    """The status messages (unsaved) for a family whose state is ``now``, one on every channel they
    gave that is installed; none when it is no news for a message (status.news). Sets
    ``notified_state`` when there is news, even with no channel to send it on (saved unless the
    caller saves many at once)."""
    said = news(inquiry.notified_state, now)
    if said is None or inquiry.state == InquiryState.CLOSED:
        return []
    if save_state:
        Inquiry.objects.filter(pk=inquiry.pk).update(notified_state=now)
    inquiry.notified_state = now
    view = family_view(inquiry, state=said)
    subject, body = _render_message("status", inquiry, view=view, portal_says_the_same=said == now)
    recipients = [("email", inquiry.email)] if inquiry.email else []
    if inquiry.phone:
        recipients.append(("sms", inquiry.phone))
    from ..channels import channel_names

    # A channel that is not installed (SMS) is skipped: the registrar sees that no message went.
    return [Notification(inquiry=inquiry, channel=channel, recipient=recipient, template="status",
                         language=inquiry.language, subject=subject, body=body)
            for channel, recipient in recipients if channel in channel_names()]


def _enqueue(notification_id: int, *, delay: dt.timedelta | None = None) -> None:
    from ..tasks import deliver_notification

    task = deliver_notification
    if delay is not None and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(notification_id)


def status_changed(person, event) -> list[Notification]:
    """The register added a status event to ``person`` (inside its transaction)."""
    notes: list[Notification] = []
    for inquiry in Inquiry.objects.select_related("person").filter(person=person, state=InquiryState.LINKED):
        inquiry.person = person
        notes += _notify_if_news(inquiry)
    return notes


def refuse_withdrawal_once_told(person, event) -> None:
    """The register is about to take back ``event`` (the undo of a review decision): refused once
    a family following ``person`` was sent a message since the event was written, for the family
    would keep news the register no longer holds (raises; the undo is rolled back)."""
    note = Notification.objects.filter(inquiry__person=person, created_at__gte=event.created_at) \
        .order_by("created_at").first()
    if note is not None:
        raise ValidationError(_("The family following %(ref)s was sent a message on %(when)s about this status: the "
                                "decision cannot be undone; correct the register instead.")
                              % {"ref": person.reference,
                                 "when": timezone.localtime(note.created_at).strftime("%Y-%m-%d %H:%M")})


def statuses_changed(events, persons: dict) -> list[Notification]:
    """The register added many status events at once (``persons``: id -> Person with the refreshed
    status; inside its transaction): the same as :func:`status_changed` for each event, in a few
    queries. Each family whose state changed is told once, whatever the number of events."""
    order = list(dict.fromkeys(e.person_id for e in events))
    by_person: dict[int, list[Inquiry]] = {}
    for start in range(0, len(order), 500):
        for inquiry in Inquiry.objects.filter(person_id__in=order[start:start + 500], state=InquiryState.LINKED):
            by_person.setdefault(inquiry.person_id, []).append(inquiry)
    changed: dict[str, list[int]] = {}
    pending: list[tuple[Notification, str]] = []
    from homecoming.exchanges.selectors import list_standing

    listed = [pid for pid in by_person if persons[pid].current_status == Status.ON_EXCHANGE_LIST]
    standing = list_standing(listed) if listed else {}
    for pid in order:
        for inquiry in by_person.get(pid, []):
            inquiry.person = persons[pid]
            state = family_state(inquiry, standing=standing.get(pid, ""))
            if news(inquiry.notified_state, state) is None or inquiry.state == InquiryState.CLOSED:
                continue
            changed.setdefault(state, []).append(inquiry.pk)
            pending += [(note, state) for note in _status_messages(inquiry, state, save_state=False)]
    for state, ids in changed.items():
        for start in range(0, len(ids), 500):
            Inquiry.objects.filter(pk__in=ids[start:start + 500]).update(notified_state=state)
    notes = Notification.objects.bulk_create([note for note, _state in pending], batch_size=500)
    record_many(PORTAL_ACTOR, [
        {"action": "notification.queue", "object_type": "inquiry", "object_id": note.inquiry_id,
         "details": {"notification": note.pk, "template": "status", "channel": note.channel, "state": state}}
        for note, state in pending
    ])
    for note in notes:
        transaction.on_commit(partial(_enqueue, note.pk))
    return notes


def deliver_notification(notification_id: int) -> str:
    """Try to hand one queued message to its channel; on failure count the attempt, keep the
    error and try again later, up to ``MAX_ATTEMPTS``. Returns the state."""
    with transaction.atomic():
        note = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if note is None or note.state != NotificationState.QUEUED:
            return note.state if note else "missing"
        note.attempts += 1
        try:
            get_channel(note.channel).send(note.recipient, note.subject, note.body)
        except Exception as exc:  # noqa: BLE001 - any failure of the channel is retried
            note.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            if note.attempts >= MAX_ATTEMPTS:
                note.state = NotificationState.FAILED
            else:
                transaction.on_commit(partial(_enqueue, note.pk, delay=dt.timedelta(minutes=2 ** note.attempts)))
        else:
            note.state = NotificationState.SENT
            note.sent_at = timezone.now()
            note.last_error = ""
        note.save(update_fields=["attempts", "last_error", "state", "sent_at"])
        if note.state != NotificationState.QUEUED:
            record(PORTAL_ACTOR, "notification.send", object_type="inquiry", object_id=note.inquiry_id,
                   details={"notification": note.pk, "template": note.template, "channel": note.channel,
                            "state": note.state, "attempts": note.attempts})
    return note.state


@transaction.atomic
def retry_notification(actor, notification_id: int, *, request=None) -> Notification:
    """A registrar sends a failed message again."""
    _require(actor, "families.change_inquiry")
    note = Notification.objects.select_for_update().filter(pk=notification_id).first()
    if note is None:
        raise ValidationError(_("No such message."))
    if note.state != NotificationState.FAILED or note.template == "filed":
        raise ValidationError(_("Only a failed status message can be sent again."))
    note.state = NotificationState.QUEUED
    note.attempts = 0
    note.save(update_fields=["state", "attempts"])
    record(actor, "notification.retry", object_type="inquiry", object_id=note.inquiry_id,
           details={"notification": note.pk}, request=request)
    transaction.on_commit(partial(_enqueue, note.pk))
    return note


def requeue_stale_notifications(*, older_than: dt.timedelta = dt.timedelta(minutes=30)) -> int:
    """Queued messages whose delivery never started (a worker lost, an enqueue lost with a crash)
    are handed to the task queue again. Returns how many."""
    cutoff = timezone.now() - older_than
    ids = list(Notification.objects.filter(state=NotificationState.QUEUED, created_at__lt=cutoff)
               .values_list("pk", flat=True))
    for pk in ids:
        _enqueue(pk)
    return len(ids)
