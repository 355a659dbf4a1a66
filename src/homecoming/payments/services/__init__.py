"""Every write of payments: one transaction, a permission check on the actor, an audit event.

The arithmetic is :mod:`homecoming.payments.arithmetic` (pure); here it meets the database.

A package by concern (``rules``: the effective-dated payment rules; ``profiles``: a returnee's
bank details, pay data and payments already made to the family; ``entitlements``: returns noted
and entitlements computed; ``batches``: batches prepared, approved by a second person, paid and
exported; ``death_benefits``: the death benefit to a family told in person of an identification;
``merges``: following the register and refusing what would lose money records); this
module re-exports the public names so that callers import from ``homecoming.payments.services``.
"""

# Re-exported because callers used them through this module: views audit their reads with
# ``services.record``; tests compare the export with ``services.neutralise``.
from homecoming.audit.services import record
from homecoming.common.cells import neutralise

from .batches import FourEyes, approve_batch, export_batch_csv, mark_batch_paid, prepare_batch, reject_batch
from .common import MAX_AMOUNT
from .death_benefits import (
    approve_death_benefit,
    create_death_benefit_rule,
    death_benefit_arises,
    death_reversed,
    mark_death_benefit_paid,
    settle_flagged_death_benefit,
)
from .entitlements import compute_entitlement, note_return, note_returns, record_entitlement_view
from .merges import follow_merge, follow_merge_undo, refuse_losing_a_paid_return, refuse_merge_of_money
from .profiles import PAYMENT_DATA_PERMS, add_family_payment, add_pay_data, set_payment_profile
from .rules import create_rule_set, update_rule_set

__all__ = [
    "record",
    "neutralise",
    "MAX_AMOUNT",
    "create_rule_set",
    "update_rule_set",
    "PAYMENT_DATA_PERMS",
    "set_payment_profile",
    "add_pay_data",
    "add_family_payment",
    "note_return",
    "note_returns",
    "compute_entitlement",
    "record_entitlement_view",
    "prepare_batch",
    "FourEyes",
    "approve_batch",
    "reject_batch",
    "mark_batch_paid",
    "export_batch_csv",
    "refuse_merge_of_money",
    "refuse_losing_a_paid_return",
    "follow_merge",
    "follow_merge_undo",
    "create_death_benefit_rule",
    "death_benefit_arises",
    "approve_death_benefit",
    "mark_death_benefit_paid",
    "death_reversed",
    "settle_flagged_death_benefit",
]
