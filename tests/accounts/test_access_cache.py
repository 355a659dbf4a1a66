"""accounts/access.py: permissions and roles are read once per access version, and every change
of who may do what is seen at the next request, whichever side of the relation it came from."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homecoming.accounts.access import access_of
from homecoming.accounts.roles import roles_of
from homecoming.accounts.services import set_roles

User = get_user_model()


def fresh(user):
    """The account as the next request loads it."""
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_the_second_request_reads_no_permissions_or_groups(make_user):
    user = make_user("registrar")
    assert fresh(user).has_perm("registry.view_person")
    again = fresh(user)
    with CaptureQueriesContext(connection) as ctx:
        assert again.has_perm("registry.view_person")
        assert not again.has_perm("payments.approve_batch")
        assert [r.slug for r in roles_of(again)] == ["registrar"]
    assert ctx.captured_queries == []


@pytest.mark.django_db
def test_a_revoked_role_stops_working_at_the_next_request(make_user, client):
    user = make_user("registrar")
    client.force_login(user)
    assert client.get(reverse("registry:person_list")).status_code == 200
    set_roles(None, fresh(user), ["analyst"])
    assert not fresh(user).has_perm("registry.add_person")
    assert client.get(reverse("registry:person_create")).status_code == 403
    assert [r.slug for r in roles_of(fresh(user))] == ["analyst"]


@pytest.mark.django_db
def test_the_changed_account_in_memory_answers_anew(make_user):
    user = make_user("registrar")
    assert user.has_perm("registry.add_person")
    set_roles(None, user, [])
    assert not user.has_perm("registry.add_person")
    assert roles_of(user) == []


@pytest.mark.django_db
def test_a_role_losing_a_permission_is_seen_by_its_members(make_user):
    user = make_user("registrar")
    assert fresh(user).has_perm("registry.add_person")
    perm = Permission.objects.get(content_type__app_label="registry", codename="add_person")
    Group.objects.get(name="registrar").permissions.remove(perm)
    assert not fresh(user).has_perm("registry.add_person")
    assert fresh(user).has_perm("registry.view_person")


@pytest.mark.django_db
def test_membership_changed_from_the_group_side(make_user):
    user = make_user()
    assert not fresh(user).has_perm("registry.view_person")
    group = Group.objects.get(name="registrar")
    group.user_set.add(user)
    assert fresh(user).has_perm("registry.view_person")
    group.user_set.remove(user)
    assert not fresh(user).has_perm("registry.view_person")
    group.user_set.add(user)
    assert fresh(user).has_perm("registry.view_person")
    group.user_set.clear()
    assert not fresh(user).has_perm("registry.view_person")


@pytest.mark.django_db
def test_own_permissions_and_clearing_groups(make_user):
    user = make_user("registrar")
    perm = Permission.objects.get(content_type__app_label="payments", codename="approve_batch")
    assert not fresh(user).has_perm("payments.approve_batch")
    user.user_permissions.add(perm)
    assert fresh(user).has_perm("payments.approve_batch")
    user.groups.clear()
    assert not fresh(user).has_perm("registry.view_person")
    assert fresh(user).has_perm("payments.approve_batch")


@pytest.mark.django_db
def test_a_switched_off_account_has_no_permission(make_user):
    user = make_user("registrar")
    assert fresh(user).has_perm("registry.view_person")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not fresh(user).has_perm("registry.view_person")


@pytest.mark.django_db
def test_an_account_reusing_a_primary_key_does_not_inherit_the_answer(make_user):
    """SQLite can give a deleted highest row's key to the next account: the key of the cache
    holds the time the account was made, so the newcomer is read anew."""
    old = make_user("administrator")
    assert access_of(fresh(old)).permissions
    pk, version = old.pk, fresh(old).access_version
    old.delete()
    newcomer = User.objects.create(pk=pk, username="newcomer", access_version=version)
    assert not fresh(newcomer).has_perm("accounts.manage_accounts")
    assert roles_of(fresh(newcomer)) == []


@pytest.mark.django_db
def test_a_deleted_group_or_permission_is_seen_at_the_next_request(make_user):
    """Deleting removes the relation rows without m2m signals: the delete itself raises versions."""
    user = make_user("registrar")
    assert fresh(user).has_perm("registry.add_person")
    Permission.objects.get(content_type__app_label="registry", codename="add_person").delete()
    assert not fresh(user).has_perm("registry.add_person")
    assert fresh(user).has_perm("registry.view_person")
    Group.objects.get(name="registrar").delete()
    assert not fresh(user).has_perm("registry.view_person")
    assert roles_of(fresh(user)) == []
