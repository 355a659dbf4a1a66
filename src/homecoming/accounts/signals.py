"""Every login, logout and failed login goes into the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from homecoming.audit.services import record


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
