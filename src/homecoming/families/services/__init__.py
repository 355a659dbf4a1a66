"""Every write of the families app: inquiries filed by families (through the portal or by the
headquarters), their link to the register, what a family was told, the portal's lock-outs and the
notifications sent when a person's status changes.

A package by concern (``filing``: an inquiry checked and filed; ``inquiries``: linking, telling,
closing and following merges; ``portal``: the family's look-up and its lock-outs;
``notifications``: news for the family, queued and delivered; ``messages``: a family's messages to
their case worker and the replies); this module re-exports the
public names so that callers import from ``homecoming.families.services`` as before.
"""

from .common import EARLIEST_BIRTH, EARLIEST_INCIDENT, MAX_ATTEMPTS, PORTAL_ACTOR, REDACTED_CODE, logger
from .filing import INQUIRY_FIELDS, AlreadyFiled, Filed, file_inquiry, submission_key
from .inquiries import (
    close_inquiry,
    create_person_for_inquiry,
    follow_merge,
    follow_merge_undo,
    link_inquiry,
    record_inquiry_view,
    record_reversal_told,
    record_told_in_person,
    retell,
    unlink_inquiry,
)
from .messages import (
    AlreadySent,
    TooManyMessages,
    mark_family_message_read,
    may_answer,
    may_write,
    message_limits,
    record_message_reads,
    reply_to_family_message,
    send_family_message,
)
from .notifications import (
    deliver_notification,
    refuse_withdrawal_once_told,
    requeue_stale_notifications,
    retry_notification,
    status_changed,
    statuses_changed,
)
from .portal import PortalAnswer, lift_lockout, portal_limits, portal_lookup, portal_reopen, purge_portal_attempts

__all__ = [
    "logger",
    "PORTAL_ACTOR",
    "EARLIEST_INCIDENT",
    "EARLIEST_BIRTH",
    "MAX_ATTEMPTS",
    "REDACTED_CODE",
    "INQUIRY_FIELDS",
    "Filed",
    "AlreadyFiled",
    "submission_key",
    "file_inquiry",
    "link_inquiry",
    "unlink_inquiry",
    "record_told_in_person",
    "record_reversal_told",
    "create_person_for_inquiry",
    "close_inquiry",
    "record_inquiry_view",
    "follow_merge",
    "retell",
    "follow_merge_undo",
    "portal_limits",
    "PortalAnswer",
    "portal_lookup",
    "portal_reopen",
    "lift_lockout",
    "purge_portal_attempts",
    "status_changed",
    "statuses_changed",
    "deliver_notification",
    "retry_notification",
    "refuse_withdrawal_once_told",
    "requeue_stale_notifications",
    "AlreadySent",
    "TooManyMessages",
    "may_write",
    "may_answer",
    "message_limits",
    "send_family_message",
    "mark_family_message_read",
    "reply_to_family_message",
    "record_message_reads",
]
