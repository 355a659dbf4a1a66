"""The navigation, by role: an item shows when the user holds its permission.

Apps add their items here by URL name and permission name only (no imports), so the shell
stays below them in the layering. Items whose URL does not exist yet are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    permission: str | None  # None: every signed-in user


NAV: tuple[NavItem, ...] = (
    NavItem("home", _("Start"), None),
    NavItem("registry:person_list", _("Register"), "registry.view_person"),
    NavItem("intake:list_index", _("Incoming lists"), "intake.view_incominglist"),
    NavItem("intake:upload", _("Import persons"), "intake.import_persons"),
    NavItem("exchanges:agreement_list", _("Agreements and exchanges"), "exchanges.view_agreement"),
    NavItem("aftercare:case_list", _("Aftercare"), "aftercare.view_case"),
    NavItem("payments:home", _("Payments"), "payments.view_entitlement"),
    NavItem("remains:transfer_list", _("Remains"), "remains.view_forensic"),
    NavItem("remains:identification_list", _("Identifications"), "remains.confirm_identification"),
    NavItem("families:inquiry_list", _("Family inquiries"), "families.view_inquiry"),
    NavItem("reports:dashboard", _("Dashboard"), "reports.view_dashboard"),
    NavItem("accounts:user_list", _("Accounts"), "accounts.manage_accounts"),
    NavItem("audit:event_list", _("Audit log"), "audit.view_audit_log"),
    NavItem("admin:index", _("Administration"), "accounts.manage_accounts"),
)


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for item in NAV:
        if item.permission and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": item.label, "url_name": item.url_name})
    return items


# Start-page widgets, by template name (each app's template loads its own tags). A template that
# does not exist (its app not installed) is skipped.
START_WIDGETS: tuple[str, ...] = (
    "aftercare/_start_widget.html",
    "families/_start_widget.html",
)


def start_widgets() -> list[str]:
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    found = []
    for name in START_WIDGETS:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        found.append(name)
    return found
