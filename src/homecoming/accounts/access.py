"""What an account may do (its role groups and permissions), read once per version of the account.

Every page asks ``has_perm`` and draws the navigation from the roles: Django's ModelBackend read
them with three queries per request (the user's permissions, the groups' permissions, the
groups). Roles change a few times a year and are read on every request, so the answer is kept in
memory per process, keyed by the account, its ``date_joined`` and its ``access_version``. The
version is a column of the user row, which every request loads anyway, and it is raised in the
same transaction as any change of the account's groups or permissions, or of any group's
permissions (the signal handlers below). So a revoked role stops working at the next request,
in every process, and a cache entry can never answer for another state of the account:
least privilege does not wait for a cache to expire. ``date_joined`` in the key keeps apart two
accounts that reuse one primary key (SQLite may, after the highest row is deleted; tests do).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.backends import ModelBackend
from django.db.models import F

#: entries kept per process before the cache starts over (a few hundred staff accounts in use)
MAX_ENTRIES = 4096


@dataclass(frozen=True)
class Access:
    groups: frozenset[str]
    permissions: frozenset[str]


_cache: dict[tuple, Access] = {}
_model_backend = ModelBackend()


def _key(user) -> tuple:
    return (user.pk, user.date_joined, user.access_version, user.is_superuser, user.is_active)


def access_of(user) -> Access:
    """The role groups and permissions of a saved, active account, from the cache when its
    version is unchanged."""
    key = _key(user)
    found = _cache.get(key)
    if found is None:
        found = Access(
            groups=frozenset(user.groups.values_list("name", flat=True)),
            permissions=frozenset(_model_backend.get_user_permissions(user)
                                  | _model_backend.get_group_permissions(user)),
        )
        if len(_cache) >= MAX_ENTRIES:
            _cache.clear()
        _cache[key] = found
    return found


class AccessBackend(ModelBackend):
    """ModelBackend (it also authenticates) whose permission answers come from ``access_of``."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(access_of(user_obj).permissions)
        return user_obj._perm_cache


def raise_version(user_ids=None) -> None:
    """A new access version for these accounts (all when None): their cached access is dead."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    users.update(access_version=F("access_version") + 1)
