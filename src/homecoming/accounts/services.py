"""Writes to accounts: create a user with roles, change roles, tokens. All audited."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from homecoming.audit.services import record

from .roles import ROLE_BY_SLUG, group_name


def _check_roles(roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(ROLE_BY_SLUG))
    if unknown:
        raise ValidationError(f"Unknown role(s): {', '.join(unknown)}. Known: {', '.join(ROLE_BY_SLUG)}.")


def _require_manager(actor) -> None:
    if actor is not None and not actor.has_perm("accounts.manage_accounts"):
        raise PermissionDenied("Only an administrator can manage accounts.")


@transaction.atomic
def create_user(actor, *, username: str, password: str, roles: list[str], **fields):
    """Create an account with the given roles. ``actor`` None means the system (set-up commands)."""
    _require_manager(actor)
    _check_roles(roles)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"A user named {username!r} already exists.")
    user = User(username=username, **fields)
    user.set_password(password)
    user.is_staff = "administrator" in roles  # the Django admin is for administrators only
    user.save()
    set_roles(actor, user, roles)
    record(actor or "system", "user.create", object_type="user", object_id=user.pk,
           details={"username": username, "roles": sorted(roles)})
    return user


@transaction.atomic
def set_roles(actor, user, roles: list[str]) -> None:
    _require_manager(actor)
    _check_roles(roles)
    before = sorted(user.groups.values_list("name", flat=True))
    groups = [Group.objects.get_or_create(name=group_name(ROLE_BY_SLUG[slug]))[0] for slug in roles]
    user.groups.set(groups)
    user.is_staff = "administrator" in roles
    user.save(update_fields=["is_staff"])
    if before != sorted(roles):
        record(actor or "system", "user.roles", object_type="user", object_id=user.pk,
               details={"before": before, "after": sorted(roles)})


@transaction.atomic
def create_token(actor, user) -> str:
    """A new API token for ``user`` (any earlier one stops working)."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record(actor or "system", "token.create", object_type="user", object_id=user.pk)
    return token.key
