"""Roles are groups whose permissions are exactly the ones in roles.py."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from homecoming.accounts import roles as r
from homecoming.accounts.services import create_user, set_roles
from homecoming.audit.models import AuditEvent


def existing(names):
    found = set()
    for name in names:
        app_label, codename = name.split(".")
        if Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists():
            found.add(name)
    return found


@pytest.mark.django_db
def test_migrate_created_every_role_group_with_exactly_its_permissions():
    for role in r.ROLES:
        group = Group.objects.get(name=role.slug)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == existing(role.permissions), role.slug


@pytest.mark.django_db
def test_sync_takes_away_a_permission_granted_by_hand():
    group = Group.objects.get(name=r.ANALYST)
    group.permissions.add(Permission.objects.get(codename="view_audit_log"))
    call_command("sync_roles", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not group.permissions.filter(codename="view_audit_log").exists()


@pytest.mark.django_db
def test_only_administrators_read_the_audit_log_and_manage_accounts():
    for role in r.ROLES:
        expected = role.slug == r.ADMINISTRATOR
        assert ("audit.view_audit_log" in role.permissions) is expected
        assert ("accounts.manage_accounts" in role.permissions) is expected


@pytest.mark.django_db
def test_create_user_checks_roles_and_is_audited(make_user):
    admin = make_user(r.ADMINISTRATOR)
    user = create_user(admin, username="new-analyst", password="a-long-password-1", roles=[r.ANALYST])
    assert user.role_slugs == [r.ANALYST]
    assert not user.is_staff
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk), actor_id=admin.pk).exists()
    with pytest.raises(ValidationError, match="Unknown role"):
        create_user(admin, username="x", password="a-long-password-1", roles=["spy"])
    assert not type(user).objects.filter(username="x").exists()


@pytest.mark.django_db
def test_non_administrator_cannot_manage_accounts(make_user):
    analyst = make_user(r.ANALYST)
    with pytest.raises(PermissionDenied):
        create_user(analyst, username="mole", password="a-long-password-1", roles=[r.ADMINISTRATOR])
    with pytest.raises(PermissionDenied):
        set_roles(analyst, analyst, [r.ADMINISTRATOR])
    analyst.refresh_from_db()
    assert analyst.role_slugs == [r.ANALYST]
    assert not type(analyst).objects.filter(username="mole").exists()
