"""Every write of the remains app (a package by concern: ``records`` the forensic records,
``identification`` proposals, confirmations and what follows them). Callers import from
``homecoming.remains.services``."""

from .common import CHANGE, CONFIRM, VIEW
from .identification import (
    TELL,
    add_kinship_report,
    complete_task,
    confirm_identification,
    confirmation_fingerprint,
    confirmation_preview,
    death_date,
    exclude_identification,
    open_identification,
    propose_identification,
)
from .records import (
    add_effect,
    add_mark,
    add_reference_sample,
    record_ante_mortem,
    record_remains,
    record_transfer,
    update_reference_sample,
    update_remains,
    update_transfer,
)
from .reversal import propose_reversal, reversal_fingerprint, reversal_preview, reverse_identification

__all__ = [
    "CHANGE", "CONFIRM", "TELL", "VIEW",
    "add_kinship_report", "complete_task", "confirm_identification", "confirmation_fingerprint",
    "confirmation_preview", "death_date", "propose_reversal", "reversal_fingerprint", "reversal_preview",
    "reverse_identification", "exclude_identification", "open_identification", "propose_identification",
    "add_effect", "add_mark", "add_reference_sample", "record_ante_mortem", "record_remains", "record_transfer",
    "update_reference_sample", "update_remains", "update_transfer",
]
