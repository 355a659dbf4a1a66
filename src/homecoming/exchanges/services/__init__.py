"""Every write of the exchanges app. Each function runs in one transaction, checks the actor's
permission, writes the audit event and any status event (through the register's services).

A package by concern (``agreements``: agreements and their categories; ``stages``: an exchange
and its stages; ``entries``: who is on the lists and the counterpart's list matched against ours;
``counter``: decisions on its rows to review and their undo; ``reconciliation``: the crossings
on the day, the reconciliation and the communiqué; ``merges``: following the register's
merges); this module re-exports the public names so that callers import from
``homecoming.exchanges.services`` as before.
"""

from .agreements import AGREEMENT_TEXT, check_rule, create_agreement, create_category, update_agreement, update_category
from .common import CHANGE_AGREEMENT, CHANGE_EXCHANGE, RECONCILE, VIEW_AGREEMENT, VIEW_EXCHANGE
from .counter import (
    COUNTER_ACTIONS,
    CounterRowChanged,
    decide_counter_row,
    may_undo_counter,
    undo_counter_decision,
)
from .entries import (
    ENTRIES_CHANGEABLE,
    ENTRY_TRANSITIONS,
    ROW_FIELDS,
    add_entries,
    change_entry_state,
    close_listing,
    match_counter_list,
)
from .merges import follow_merge, follow_merge_undo
from .reconciliation import (
    AlreadyReconciled,
    build_report,
    communique_texts,
    publish_communique,
    reconcile,
    record_crossings,
    remove_crossing,
)
from .stages import EXCHANGE_TRANSITIONS, LISTS_OPEN, NeedsException, create_exchange, set_exchange_status

__all__ = [
    "VIEW_AGREEMENT",
    "CHANGE_AGREEMENT",
    "VIEW_EXCHANGE",
    "CHANGE_EXCHANGE",
    "RECONCILE",
    "AGREEMENT_TEXT",
    "create_agreement",
    "update_agreement",
    "check_rule",
    "create_category",
    "update_category",
    "EXCHANGE_TRANSITIONS",
    "LISTS_OPEN",
    "create_exchange",
    "NeedsException",
    "set_exchange_status",
    "ENTRY_TRANSITIONS",
    "ENTRIES_CHANGEABLE",
    "add_entries",
    "close_listing",
    "change_entry_state",
    "ROW_FIELDS",
    "match_counter_list",
    "COUNTER_ACTIONS",
    "CounterRowChanged",
    "decide_counter_row",
    "may_undo_counter",
    "undo_counter_decision",
    "AlreadyReconciled",
    "record_crossings",
    "remove_crossing",
    "reconcile",
    "build_report",
    "communique_texts",
    "publish_communique",
    "follow_merge",
    "follow_merge_undo",
]
