"""Every login, logout and failed login goes into the audit log; a change of an account's
groups or permissions raises its access version (access.py)."""

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, pre_delete
from django.dispatch import receiver

from homecoming.audit.services import record

from .access import raise_version


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender, request, user, **kwargs):
    record(user, "login", object_type="user", object_id=user.pk, request=request)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(user, "logout", object_type="user", object_id=user.pk, request=request)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # The user name tried is kept (it is how an attack shows up); the password never is.
    username = str(credentials.get("username", ""))[:150]
    record(username, "login_failed", object_type="user", details={"username": username}, request=request)


# --- access versions (access.py): any change of who may do what retires the cached answers ------

def _forget_cached_perms(user) -> None:
    for name in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(name, None)


@receiver(m2m_changed, dispatch_uid="access-version-user-relations")
def _account_relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A user's groups or own permissions changed (from either side of the relation)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if action in ("post_add", "post_remove") and not pk_set:  # .set() with nothing to change
        return
    if sender in (User.groups.through, User.user_permissions.through):
        if isinstance(instance, User):  # user.groups.add(...)
            if action == "pre_clear":
                return
            raise_version([instance.pk])
            instance.refresh_from_db(fields=["access_version"])
            _forget_cached_perms(instance)
        elif action == "pre_clear":  # group.user_set.clear(): the members are unknown afterwards
            raise_version(User.objects.filter(groups=instance).values_list("pk", flat=True))
        elif action != "post_clear":  # group.user_set.add(user, ...)
            raise_version(pk_set or [])
    elif sender is Group.permissions.through and action != "pre_clear":
        raise_version()  # a role's permissions changed: every account's answer may be different


@receiver(pre_delete, sender=Group, dispatch_uid="access-version-group-deleted")
@receiver(pre_delete, sender=Permission, dispatch_uid="access-version-permission-deleted")
def _group_or_permission_deleted(sender, instance, **kwargs):
    """Deleting a group or a permission removes its relation rows without m2m signals."""
    raise_version()
