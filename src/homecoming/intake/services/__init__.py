"""Every write of intake: uploads and their checks, imports of persons and lists, review
decisions. Each function checks the actor's permission, runs in a transaction and is audited.

A decision can be undone until a later step used it (``undo``: the row back in the queue as it
was, and what the decision wrote taken back from the register).

An import goes: :func:`stage_upload` (read and check; nothing imported; a broken file creates
nothing) → :func:`update_mapping` (optional, the user corrects the columns) →
:func:`start_import` (runs it now when small, otherwise as a background task) →
:func:`run_import` (reads, checks again, writes everything in one transaction or nothing).

A package by concern (``uploads``: a file staged, checked, its columns chosen; ``imports``: an
import run, recovered and retried; ``review``: decisions on the rows of an incoming list, one by
one or a bulk reject; ``undo``: their undo); this module re-exports the public names so that
callers import from ``homecoming.intake.services``.
"""

from .common import (
    MAX_STORED_ERRORS,
    MAX_STORED_SKIPPED,
    AlreadyImported,
    CommandLineActor,
    RowAlreadyDecided,
    log,
    ours_statuses,
    stale_after,
)
from .imports import recover_interrupted, retry_import, run_import, start_import
from .learning import learn_linkage_model, use_linkage_model
from .review import (
    ACTIONS,
    MAX_BULK_REJECT,
    accept_automatic,
    accept_rows,
    automatic_rows,
    bulk_reject_fingerprint,
    decide_row,
    person_for_reference,
    record_accept_automatic,
    record_review_view,
    reject_rows,
    rows_to_reject,
)
from .undo import UNDO_ANY, may_undo, undo_decision
from .uploads import cancel_import, check_job, choose_encoding, stage_upload, update_mapping

__all__ = [
    "learn_linkage_model",
    "use_linkage_model",
    "log",
    "MAX_STORED_ERRORS",
    "MAX_STORED_SKIPPED",
    "CommandLineActor",
    "AlreadyImported",
    "RowAlreadyDecided",
    "stale_after",
    "ours_statuses",
    "stage_upload",
    "check_job",
    "update_mapping",
    "choose_encoding",
    "cancel_import",
    "start_import",
    "recover_interrupted",
    "retry_import",
    "run_import",
    "ACTIONS",
    "decide_row",
    "accept_automatic",
    "accept_rows",
    "automatic_rows",
    "record_accept_automatic",
    "record_review_view",
    "person_for_reference",
    "MAX_BULK_REJECT",
    "bulk_reject_fingerprint",
    "rows_to_reject",
    "reject_rows",
    "UNDO_ANY",
    "may_undo",
    "undo_decision",
]
