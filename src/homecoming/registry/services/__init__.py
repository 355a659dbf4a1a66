"""Every write to the register. Each function runs in one transaction, checks the actor's
permission, writes the audit event and keeps the derived columns (current status, search keys)
right. Views, the API, commands and other apps call these; nothing else saves a register model.

A package by concern (``fields``: who may set what and how plain values become model values;
``persons``: create, edit, names and audited reads; ``history``: status events; ``merge``: merge
and its undo; ``bulk``: imports of many persons at once); this module re-exports the public
names so that callers import from ``homecoming.registry.services`` as before.
"""

from .bulk import bulk_create_persons
from .fields import (
    ALL_FIELDS,
    CHOICES,
    CONTACT_FIELDS,
    DATE_FIELDS,
    EARLIEST_BIRTH,
    EARLIEST_INCIDENT,
    FK_MODELS,
    GENERAL_FIELDS,
    MEDICAL_CATEGORY_FIELDS,
    MEDICAL_NOTES_FIELDS,
    NAME_FIELDS,
    REQUIRED,
    _as_text,
    creatable_fields,
    editable_fields,
)
from .history import (
    MANAGED_BY_EXCHANGES,
    MANAGED_BY_REMAINS,
    Contradiction,
    NewEvent,
    add_status_event,
    add_status_events_bulk,
    derive_status,
    refresh_current_status,
    status_event_added,
    status_events_added,
)
from .merge import (
    MERGE_FILL_FIELDS,
    SCRIPT_OF_LANGUAGE,
    _empty,
    follow_merges,
    merge_conflicts,
    merge_fingerprint,
    merge_persons,
    person_merge_undone,
    person_merged,
    undo_merge,
)
from .persons import (
    StaleVersion,
    add_alternative_name,
    create_person,
    rebuild_name_keys,
    record_person_search,
    record_person_view,
    update_person,
)
from .withdraw import StillInUse, status_event_withdrawing, withdraw_new_person, withdraw_status_event

__all__ = [
    "EARLIEST_INCIDENT",
    "EARLIEST_BIRTH",
    "GENERAL_FIELDS",
    "MEDICAL_CATEGORY_FIELDS",
    "MEDICAL_NOTES_FIELDS",
    "CONTACT_FIELDS",
    "ALL_FIELDS",
    "FK_MODELS",
    "CHOICES",
    "DATE_FIELDS",
    "REQUIRED",
    "NAME_FIELDS",
    "editable_fields",
    "creatable_fields",
    "_as_text",
    "StaleVersion",
    "rebuild_name_keys",
    "create_person",
    "update_person",
    "add_alternative_name",
    "record_person_view",
    "record_person_search",
    "status_event_added",
    "status_events_added",
    "derive_status",
    "refresh_current_status",
    "Contradiction",
    "MANAGED_BY_EXCHANGES",
    "MANAGED_BY_REMAINS",
    "add_status_event",
    "NewEvent",
    "add_status_events_bulk",
    "person_merged",
    "person_merge_undone",
    "follow_merges",
    "MERGE_FILL_FIELDS",
    "SCRIPT_OF_LANGUAGE",
    "_empty",
    "merge_conflicts",
    "merge_fingerprint",
    "merge_persons",
    "undo_merge",
    "bulk_create_persons",
    "StillInUse",
    "status_event_withdrawing",
    "withdraw_status_event",
    "withdraw_new_person",
]
