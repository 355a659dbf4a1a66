"""The roles of the headquarters and what each may do, defined in code.

A role is a Django group whose permissions are exactly the ones listed here. ``sync_roles``
makes the database match (it runs after every ``migrate`` and as ``homecoming sync-roles``):
permissions added here are granted, permissions removed here are taken away. Apps added later
list their permissions here by name (``"app_label.codename"``); a name whose app is not
installed yet is skipped, so this file can run ahead of the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    slug: str
    label: str
    description: str
    permissions: tuple[str, ...]


REGISTRAR = "registrar"
ANALYST = "analyst"
NEGOTIATOR = "negotiator"
MEDICAL_OFFICER = "medical_officer"
CASE_WORKER = "case_worker"
FINANCE_OFFICER = "finance_officer"
ADMINISTRATOR = "administrator"
LEADERSHIP = "leadership"
FORENSIC_EXPERT = "forensic_expert"

ROLES: tuple[Role, ...] = (
    Role(
        REGISTRAR,
        _("Registrar"),
        _("Records missing persons from family applications and unit reports; keeps the register clean."),
        (
            "registry.view_person",
            "registry.add_person",
            "registry.change_person",
            "registry.merge_person",
            "registry.view_contacts",
            "registry.add_statusevent",
            "intake.import_persons",
            # A registrar keeps the register clean: one who is also an analyst leads the review and
            # may undo any reviewer's decision (with intake.review_match, which only analysts hold).
            "intake.undo_any_decision",
            "families.view_inquiry",
            "families.change_inquiry",
            "families.tell_family",
            # confirms (second person) an identification a forensic expert proposed; reads that
            # proposal's evidence, not the forensic records themselves
            "remains.confirm_identification",
        ),
    ),
    Role(
        ANALYST,
        _("Analyst"),
        _("Imports lists from the other side and partners, reviews matches, prepares statistics."),
        (
            "registry.view_person",
            "registry.add_statusevent",
            "intake.view_incominglist",
            "intake.add_incominglist",
            "intake.review_match",
            "intake.export_register",
            "intake.learn_linkage",
            "reports.view_dashboard",
        ),
    ),
    Role(
        NEGOTIATOR,
        _("Negotiator"),
        _("Defines agreements and categories, builds and tracks exchange lists."),
        (
            "registry.view_person",
            "exchanges.view_agreement",
            "exchanges.change_agreement",
            "exchanges.view_exchange",
            "exchanges.change_exchange",
            "exchanges.reconcile_exchange",
            "reports.view_dashboard",
        ),
    ),
    Role(
        MEDICAL_OFFICER,
        _("Medical officer"),
        _("Health categories before exchange; medical examination and rehabilitation after."),
        (
            "registry.view_person",
            "registry.view_medical",
            "registry.change_medical",
            "aftercare.view_case",
            "aftercare.view_medical_task",
            "aftercare.change_task",
        ),
    ),
    Role(
        CASE_WORKER,
        _("Case worker"),
        _("Aftercare cases and tasks; family contact."),
        (
            "registry.view_person",
            "registry.view_contacts",
            "aftercare.view_case",
            "aftercare.change_case",
            "aftercare.change_task",
            "families.view_inquiry",
            "families.tell_family",
            # the family's messages to their case worker (issue 19): read, marked read, answered
            "families.view_familymessage",
            "families.change_familymessage",
        ),
    ),
    Role(
        FINANCE_OFFICER,
        _("Finance officer"),
        _("Entitlements and payment batches; a second finance officer approves."),
        (
            "registry.view_person",
            "payments.view_entitlement",
            "payments.prepare_batch",
            "payments.approve_batch",
            "payments.view_payment_data",
        ),
    ),
    Role(
        ADMINISTRATOR,
        _("Administrator"),
        _("Accounts, roles and reference data; reads the audit log."),
        (
            "accounts.manage_accounts",
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "audit.view_audit_log",
            "registry.change_referencedata",
            "payments.add_ruleset", "payments.change_ruleset", "payments.add_deathbenefitrule",
            "reports.view_dashboard",
        ),
    ),
    Role(
        FORENSIC_EXPERT,
        _("Forensic expert"),
        _("Remains: post-mortem and ante-mortem data, reference samples, candidates, laboratory results; "
          "proposes identifications for a registrar to confirm."),
        (
            "registry.view_person",
            "remains.view_forensic",
            "remains.change_forensic",
        ),
    ),
    Role(
        LEADERSHIP,
        _("Leadership"),
        _("Reads the dashboard and the exchange reports as aggregates: small numbers hidden, no persons."),
        (
            "reports.view_dashboard",
        ),
    ),
)

ROLE_BY_SLUG = {role.slug: role for role in ROLES}


def group_name(role: Role) -> str:
    """Groups are named by slug: the label is translated, the group name must not be."""
    return role.slug


def roles_of(user) -> list[Role]:
    if not getattr(user, "is_authenticated", False):
        return []
    prefetched = getattr(user, "_prefetched_objects_cache", {}).get("groups")
    if prefetched is not None:  # a list of accounts fetched its groups in one query
        names = {g.name for g in prefetched}
    else:
        from .access import access_of

        names = access_of(user).groups
    return [role for role in ROLES if role.slug in names]


def sync_roles() -> dict[str, list[str]]:
    """Make every role group hold exactly its permissions. Returns what each group holds."""
    from django.contrib.auth.models import Group, Permission

    result: dict[str, list[str]] = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=group_name(role))
        wanted = []
        for name in role.permissions:
            app_label, codename = name.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
        result[role.slug] = sorted(f"{p.content_type.app_label}.{p.codename}" for p in wanted)
    return result


def sync_roles_after_migrate(sender, **kwargs):
    """post_migrate fires once per app, before later apps have their permissions: create them
    all first (idempotent), then sync, once, on our own app's turn."""
    if sender.label != "accounts":
        return
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    using = kwargs.get("using", "default")
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles()
