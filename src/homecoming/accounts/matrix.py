"""The permission matrix: who may use which page or API endpoint, with which method.

One row per URL name of the project (``"namespace:name"``), one column per HTTP method the
endpoint offers, and in each cell the roles that may use it. Everyone else gets 403 (signed
in) or is sent to the login page (anonymous; API endpoints answer 401/403 instead).

This is a statement of intent, written by hand from the duties in ``roles.py`` and
docs/security.md; ``tests/accounts/test_permission_matrix.py`` walks every URL the resolver
knows, for every role and for an anonymous visitor, and fails when the application disagrees
with this table or when a URL has no row here. Views keep checking permissions (never role
names); this table only says what the outcome must be.

Like ``roles.py`` it names pages of higher apps by name, never by import.
"""

from __future__ import annotations

from . import roles as r

REG, ANA, NEG, MED, CW, FIN, ADM, LEAD, FOR = (
    r.REGISTRAR, r.ANALYST, r.NEGOTIATOR, r.MEDICAL_OFFICER, r.CASE_WORKER, r.FINANCE_OFFICER, r.ADMINISTRATOR,
    r.LEADERSHIP, r.FORENSIC_EXPERT,
)
ALL_ROLES = frozenset({REG, ANA, NEG, MED, CW, FIN, ADM, LEAD, FOR})
#: every role that works with persons (all but the administrator, who manages accounts)
REGISTER_READERS = frozenset({REG, ANA, NEG, MED, CW, FIN, FOR})

#: anyone, signed in or not (login, health check, language switch, family portal)
PUBLIC = "public"
#: every signed-in user, whatever their roles
SIGNED_IN = "signed-in"


def _roles(*slugs: str) -> frozenset[str]:
    return frozenset(slugs)


# url name -> {method: PUBLIC | SIGNED_IN | frozenset of role slugs}
MATRIX: dict[str, dict[str, object]] = {
    # --- core and accounts ------------------------------------------------------------------
    "home": {"GET": SIGNED_IN},
    "healthz": {"GET": PUBLIC},
    "login": {"GET": PUBLIC, "POST": PUBLIC},
    "logout": {"POST": SIGNED_IN},
    "password_change": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "password_change_done": {"GET": SIGNED_IN},
    "set_language": {"POST": PUBLIC},
    "otp_verify": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "otp_setup": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "accounts:user_list": {"GET": _roles(ADM)},
    "accounts:user_create": {"GET": _roles(ADM), "POST": _roles(ADM)},
    "accounts:user_detail": {"GET": _roles(ADM), "POST": _roles(ADM)},
    # --- reports: aggregates for the dashboard's readers; the persons behind a figure only for those
    # who also read the register
    "reports:dashboard": {"GET": _roles(ANA, NEG, ADM, LEAD)},
    "reports:csv": {"GET": _roles(ANA, NEG, ADM, LEAD)},
    "reports:exchange_index": {"GET": _roles(ANA, NEG, ADM, LEAD)},
    "reports:exchange": {"GET": _roles(ANA, NEG, ADM, LEAD)},
    "reports:agreement": {"GET": _roles(ANA, NEG, ADM, LEAD)},
    "reports:persons": {"GET": _roles(ANA, NEG)},
    # --- audit --------------------------------------------------------------------------------
    "audit:event_list": {"GET": _roles(ADM)},
    "audit:event_export": {"GET": _roles(ADM)},
    "audit:chain_verify": {"POST": _roles(ADM)},
    # --- registry -----------------------------------------------------------------------------
    "registry:person_list": {"GET": REGISTER_READERS},
    "registry:person_create": {"GET": _roles(REG), "POST": _roles(REG)},
    "registry:person_detail": {"GET": REGISTER_READERS},
    "registry:person_edit": {"GET": _roles(REG, MED), "POST": _roles(REG, MED)},
    "registry:event_add": {"GET": _roles(REG, ANA), "POST": _roles(REG, ANA)},
    "registry:alternative_name_add": {"GET": _roles(REG), "POST": _roles(REG)},
    "registry:merge": {"GET": _roles(REG), "POST": _roles(REG)},
    "registry:merge_undo": {"POST": _roles(REG)},
    # --- intake -------------------------------------------------------------------------------
    # --- background operations: who holds the permission of the operation's kind (the walk's
    # operation is a confirm-all of a list: intake.review_match, the analysts); a reconciliation
    # is the negotiators', a batch preparation the finance officers' (tests/*/test_*_background.py)
    "operations:status": {"GET": _roles(ANA)},
    "operations:cancel": {"POST": _roles(ANA)},
    "intake:list_index": {"GET": _roles(REG, ANA)},
    "intake:upload": {"GET": _roles(REG, ANA), "POST": _roles(REG, ANA)},
    # the test's import job is a list of the other side: analysts only
    "intake:job_detail": {"GET": _roles(ANA)},
    "intake:job_status": {"GET": _roles(ANA)},
    "intake:job_mapping": {"POST": _roles(ANA)},
    "intake:job_start": {"POST": _roles(ANA)},
    "intake:job_encoding": {"POST": _roles(ANA)},
    "intake:job_retry": {"POST": _roles(ANA)},
    "intake:job_cancel": {"POST": _roles(ANA)},
    "intake:list_review": {"GET": _roles(ANA)},
    "intake:row_decide": {"POST": _roles(ANA)},
    "intake:row_undo": {"POST": _roles(ANA)},
    "intake:bulk_reject": {"POST": _roles(ANA)},
    "intake:accept_automatic": {"POST": _roles(ANA)},
    "intake:export_list": {"GET": _roles(ANA)},
    "intake:export_register": {"GET": _roles(ANA)},
    # --- exchanges ----------------------------------------------------------------------------
    "exchanges:agreement_list": {"GET": _roles(NEG)},
    "exchanges:agreement_create": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "exchanges:agreement_detail": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "exchanges:agreement_edit": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "exchanges:category_create": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "exchanges:category_edit": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "exchanges:category_pool": {"GET": _roles(NEG)},
    "exchanges:exchange_detail": {"GET": _roles(NEG)},
    "exchanges:exchange_status": {"POST": _roles(NEG)},
    "exchanges:exchange_add": {"POST": _roles(NEG)},
    "exchanges:counter_list": {"POST": _roles(NEG)},
    "exchanges:counter_row_decide": {"POST": _roles(NEG)},
    "exchanges:counter_row_undo": {"POST": _roles(NEG)},
    "exchanges:crossings": {"POST": _roles(NEG)},
    "exchanges:reconcile": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "exchanges:report": {"GET": _roles(NEG)},
    "exchanges:communique": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "exchanges:entry_state": {"POST": _roles(NEG)},
    # --- families: the public portal and the staff pages --------------------------------------
    "family:portal": {"GET": PUBLIC, "POST": PUBLIC},
    "family:inquiry_new": {"GET": PUBLIC, "POST": PUBLIC},
    "family:inquiry_received": {"GET": PUBLIC},
    "family:message": {"POST": PUBLIC},
    "families:message_list": {"GET": _roles(CW)},
    "families:message_detail": {"GET": _roles(CW), "POST": _roles(CW)},
    "families:message_read": {"POST": _roles(CW)},
    "families:inquiry_list": {"GET": _roles(REG, CW)},
    "families:inquiry_new": {"GET": _roles(REG), "POST": _roles(REG)},
    "families:inquiry_received": {"GET": _roles(REG)},
    "families:inquiry_told": {"POST": _roles(REG, CW)},
    "families:inquiry_detail": {"GET": _roles(REG, CW), "POST": _roles(REG)},
    "families:inquiry_link_candidate": {"POST": _roles(REG)},
    "families:inquiry_create_person": {"POST": _roles(REG)},
    "families:inquiry_unlink": {"POST": _roles(REG)},
    "families:inquiry_close": {"POST": _roles(REG)},
    "families:notification_retry": {"POST": _roles(REG)},
    "families:person_inquiries": {"GET": _roles(REG, CW)},
    "families:lockout_list": {"GET": _roles(REG, CW)},
    "families:lockout_lift": {"POST": _roles(REG)},
    # --- aftercare ----------------------------------------------------------------------------
    "aftercare:case_list": {"GET": _roles(MED, CW)},
    "aftercare:case_open": {"POST": _roles(CW)},
    "aftercare:case_detail": {"GET": _roles(MED, CW)},
    "aftercare:case_assign": {"POST": _roles(CW)},
    "aftercare:case_close": {"POST": _roles(CW)},
    "aftercare:task_edit": {"GET": _roles(MED, CW), "POST": _roles(MED, CW)},
    # --- payments -----------------------------------------------------------------------------
    "payments:home": {"GET": _roles(FIN)},
    "payments:rules": {"GET": _roles(FIN, ADM), "POST": _roles(ADM)},
    "payments:person": {"GET": _roles(FIN)},
    "payments:compute": {"POST": _roles(FIN)},
    "payments:profile_set": {"POST": _roles(FIN)},
    "payments:pay_data_add": {"POST": _roles(FIN)},
    "payments:family_payment_add": {"POST": _roles(FIN)},
    "payments:batch_prepare": {"POST": _roles(FIN)},
    "payments:batch": {"GET": _roles(FIN)},
    "payments:batch_approve": {"POST": _roles(FIN)},
    "payments:batch_reject": {"POST": _roles(FIN)},
    "payments:batch_paid": {"POST": _roles(FIN)},
    "payments:batch_export": {"GET": _roles(FIN)},
    # --- remains: forensic data for forensic experts; a registrar reads and confirms the
    # identifications; telling the family in person is done by those in contact with families
    "remains:transfer_list": {"GET": _roles(FOR), "POST": _roles(FOR)},
    "remains:transfer_detail": {"GET": _roles(FOR), "POST": _roles(FOR)},
    "remains:remains_detail": {"GET": _roles(FOR), "POST": _roles(FOR)},
    "remains:mark_add": {"POST": _roles(FOR)},
    "remains:effect_add": {"POST": _roles(FOR)},
    "remains:identification_open": {"POST": _roles(FOR)},
    "remains:person": {"GET": _roles(FOR), "POST": _roles(FOR)},
    "remains:person_mark_add": {"POST": _roles(FOR)},
    "remains:sample_add": {"POST": _roles(FOR)},
    "remains:identification_list": {"GET": _roles(FOR, REG)},
    "remains:identification_detail": {"GET": _roles(FOR, REG)},
    "remains:identification_report": {"POST": _roles(FOR)},
    "remains:identification_propose": {"POST": _roles(FOR)},
    "remains:identification_exclude": {"POST": _roles(FOR)},
    "remains:identification_confirm": {"POST": _roles(REG)},
    "remains:identification_propose_reversal": {"POST": _roles(FOR)},
    "remains:identification_reverse": {"POST": _roles(REG)},
    "remains:task_done": {"POST": _roles(REG, CW)},
    # --- API ----------------------------------------------------------------------------------
    "schema": {"GET": SIGNED_IN},
    "api-docs": {"GET": SIGNED_IN},
    "api:root": {"GET": SIGNED_IN},
    "api:me": {"GET": SIGNED_IN},
    "api:person-list": {"GET": REGISTER_READERS, "POST": _roles(REG)},
    "api:person-detail": {"GET": REGISTER_READERS, "PUT": _roles(REG, MED), "PATCH": _roles(REG, MED)},
    "api:person-events": {"GET": REGISTER_READERS, "POST": _roles(REG, ANA)},
    "api:agreement-list": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "api:agreement-detail": {"GET": _roles(NEG), "PATCH": _roles(NEG)},
    "api:category-create": {"POST": _roles(NEG)},
    "api:category-detail": {"GET": _roles(NEG), "PATCH": _roles(NEG)},
    "api:category-pool": {"GET": _roles(NEG)},
    "api:rule-check": {"POST": _roles(NEG)},
    "api:exchange-list": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "api:exchange-detail": {"GET": _roles(NEG)},
    "api:exchange-status": {"POST": _roles(NEG)},
    "api:exchange-entries": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "api:exchange-counter-list": {"POST": _roles(NEG)},
    "api:exchange-crossings": {"POST": _roles(NEG)},
    "api:exchange-reconcile": {"GET": _roles(NEG), "POST": _roles(NEG)},
    "api:exchange-report": {"GET": _roles(NEG)},
    "api:exchange-communique": {"GET": _roles(NEG)},
    "api:exchange-communique-publish": {"POST": _roles(NEG)},
    "api:entry-state": {"POST": _roles(NEG)},
    "api:aftercare-case-list": {"GET": _roles(MED, CW)},
    "api:aftercare-case-detail": {"GET": _roles(MED, CW)},
    "api:aftercare-task": {"PATCH": _roles(MED, CW)},
    "api:payments-entitlement": {"GET": _roles(FIN)},
    "api:payments-batch-list": {"GET": _roles(FIN)},
    "api:payments-batch-approve": {"POST": _roles(FIN)},
    "api:payments-report": {"GET": _roles(FIN)},
    "api:intake-list-list": {"GET": _roles(ANA)},
    "api:intake-list-rows": {"GET": _roles(ANA)},
    "api:intake-row-decision": {"POST": _roles(ANA)},
    "api:intake-row-undo": {"POST": _roles(ANA)},
    "api:intake-list-recent-decisions": {"GET": _roles(ANA)},
    "api:intake-list-reject": {"GET": _roles(ANA), "POST": _roles(ANA)},
    "api:families-inquiry-list": {"GET": _roles(REG, CW)},
    "api:families-inquiry-detail": {"GET": _roles(REG, CW)},
    "api:families-inquiry-link": {"POST": _roles(REG)},
    # remains: forensic data for forensic experts only; the identifications also for registrars,
    # who confirm them; nothing for any other role (nor a family: the portal has no API)
    "api:remains-transfer-list": {"GET": _roles(FOR), "POST": _roles(FOR)},
    "api:remains-transfer-detail": {"GET": _roles(FOR), "PATCH": _roles(FOR)},
    "api:remains-transfer-remains": {"GET": _roles(FOR), "POST": _roles(FOR)},
    "api:remains-detail": {"GET": _roles(FOR), "PATCH": _roles(FOR)},
    "api:remains-marks": {"POST": _roles(FOR)},
    "api:remains-effects": {"POST": _roles(FOR)},
    "api:remains-candidates": {"GET": _roles(FOR)},
    "api:remains-person": {"GET": _roles(FOR)},
    "api:remains-ante-mortem": {"PUT": _roles(FOR)},
    "api:remains-ante-mortem-marks": {"POST": _roles(FOR)},
    "api:remains-samples": {"POST": _roles(FOR)},
    "api:remains-sample": {"PATCH": _roles(FOR)},
    "api:remains-identification-list": {"GET": _roles(FOR, REG), "POST": _roles(FOR)},
    "api:remains-identification-detail": {"GET": _roles(FOR, REG)},
    "api:remains-identification-kinship-reports": {"POST": _roles(FOR)},
    "api:remains-identification-propose": {"POST": _roles(FOR)},
    "api:remains-identification-exclude": {"POST": _roles(FOR)},
    "api:remains-identification-confirm": {"POST": _roles(REG)},
}

#: The Django admin holds the reference lists only (branches, directions, operations, ranks):
#: administrators may list, add and change them, never delete (persons point at them). Every
#: other admin page (users, groups, tokens, lock-outs, tasks) is refused to everyone: accounts
#: are managed with ``homecoming`` commands and their services, which audit.
ADMIN_NAMESPACE = "admin"
ADMIN_ROLES = _roles(ADM)
_REFERENCE_MODELS = ("branch", "direction", "operation", "rank")
_ADMIN_PAGES = {
    "admin:index", "admin:app_list", "admin:jsi18n", "admin:view_on_site",
    "admin:password_change", "admin:password_change_done",
    *(f"admin:registry_{m}_{page}" for m in _REFERENCE_MODELS for page in ("changelist", "add", "change", "history")),
}


def admin_row(name: str) -> dict[str, object]:
    """The matrix row of a URL of the Django admin."""
    if name == "admin:login":
        return {"GET": PUBLIC}
    if name == "admin:logout":
        return {"POST": SIGNED_IN}
    if name in _ADMIN_PAGES:
        return {"GET": ADMIN_ROLES}
    return {"GET": frozenset()}

#: Pages and endpoints that show persons (or the audit log): a successful GET must leave an
#: audit event. (The walk also plants names in every person and fails on any page that shows one
#: unaudited, listed here or not.) Not here: pages of counts only (the payments report),
#: and the review of an incoming list, whose rows are the other side's names (audited when it
#: shows register persons as candidates, tested in tests/intake).
AUDITED_READS: frozenset[str] = frozenset({
    "audit:event_list",
    "audit:event_export",
    "registry:person_list",
    "registry:person_detail",
    "registry:person_edit",
    "registry:event_add",
    "registry:alternative_name_add",
    "registry:merge",
    "intake:export_list",
    "intake:export_register",
    "exchanges:category_pool",
    "exchanges:exchange_detail",
    "exchanges:report",
    "exchanges:reconcile",
    "families:inquiry_list",
    "families:inquiry_detail",
    "families:person_inquiries",
    "families:message_list",
    "families:message_detail",
    "aftercare:case_list",
    "aftercare:case_detail",
    "aftercare:task_edit",
    "payments:home",
    "payments:person",
    "payments:batch",
    "payments:batch_export",
    "remains:remains_detail",
    "remains:person",
    "remains:identification_list",
    "remains:identification_detail",
    "api:person-list",
    "api:person-detail",
    "api:person-events",
    "api:category-pool",
    "api:exchange-entries",
    "api:exchange-report",
    "api:exchange-reconcile",
    "api:aftercare-case-list",
    "api:aftercare-case-detail",
    "api:payments-entitlement",
    "api:payments-batch-list",
    "api:families-inquiry-list",
    "api:families-inquiry-detail",
    "api:remains-transfer-list",
    "api:remains-transfer-detail",
    "api:remains-transfer-remains",
    "api:remains-detail",
    "api:remains-candidates",
    "api:remains-person",
    "api:remains-identification-list",
    "api:remains-identification-detail",
})


def allowed(rule: object, user_roles: frozenset[str] | None) -> bool:
    """Whether a visitor with ``user_roles`` (None: not signed in) may use a cell of the matrix."""
    if rule == PUBLIC:
        return True
    if user_roles is None:
        return False
    if rule == SIGNED_IN:
        return True
    return bool(set(rule) & user_roles)
