"""Two-factor login and the end of idle sessions.

``TwoFactorMiddleware`` (when ``settings.REQUIRE_2FA`` is on): a person who has signed in with
a password but not yet given a one-time code may open only the code page, the enrolment page
(when they have no device yet), the logout and the language switch; every other page sends them
there, and API calls made with that session answer 403. API tokens are not affected (they are
issued by an administrator to a machine, see ``homecoming token``).

``TemporaryPasswordMiddleware``: a person signed in with a password somebody else gave them (a new
account's, a reset one: ``User.password_is_temporary``) may open only the password change, the
logout, the language switch and the two-factor pages until they have chosen their own; every
other page sends them to the password change, and API calls made with that session answer 403.

``IdleTimeoutMiddleware``: a session unused for ``SESSION_IDLE_MINUTES`` is ended (audited as
``session.expired``) and the person is sent to the login page with a message. The time of the
last request is written to the session at most once every ``SESSION_TOUCH_SECONDS`` (60): writing
it with every request cost every page an UPDATE of the session row in its own transaction (three
round trips to the database), for a clock that only needs to be right to the minute. Each write
also moves the stored session's expiry, so a stolen cookie still dies after the idle time.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from homecoming.audit.services import record

#: views a signed-in person may open before giving their one-time code
OTP_OPEN_VIEWS = {"otp_verify", "otp_setup", "logout", "set_language", "admin:logout"}
LAST_SEEN_KEY = "homecoming_last_seen"
#: the last-request clock is written when it is at least this old (see the module docstring)
SESSION_TOUCH_SECONDS = 60


def needs_second_factor(user) -> bool:
    """Signed in with a password but no code yet, where codes are asked: everywhere with
    ``REQUIRE_2FA``, and for an account an administrator marked ``otp_required``."""
    return ((settings.REQUIRE_2FA or getattr(user, "otp_required", False))
            and getattr(user, "is_authenticated", False) and not getattr(user, "is_verified", lambda: False)())


class _SignInGate:
    """A step a signed-in person must take before anything else (give a code, choose a
    password): the views ``open_views`` stay open, the session's API calls answer 403 with
    ``refusal()``, public pages stay public, every other page sends the person to ``send()``."""

    open_views: frozenset[str] = frozenset()

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def applies(self, user) -> bool:
        raise NotImplementedError

    def refusal(self) -> str:
        raise NotImplementedError

    def send(self, request):
        raise NotImplementedError

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not self.applies(getattr(request, "user", None)):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.open_views:
            return None
        if request.path.startswith("/api/"):  # the session's API calls (a token is not a session)
            return JsonResponse({"detail": self.refusal()}, status=403)
        # Public pages (the family portal, the health check) stay public. The admin marks its
        # views as needing no login (it has its own login page), so it is named here.
        if not getattr(view_func, "login_required", True) and (match is None or "admin" not in match.namespaces):
            return None
        return self.send(request)


def _to(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


class TwoFactorMiddleware(_SignInGate):
    open_views = frozenset(OTP_OPEN_VIEWS)

    def applies(self, user) -> bool:
        return needs_second_factor(user)

    def refusal(self) -> str:
        return _("Give your one-time code first (two-factor login).")

    def send(self, request):
        from django_otp import devices_for_user

        return _to("otp_verify" if any(devices_for_user(request.user, confirmed=True)) else "otp_setup", request)


#: views a person with a temporary password may open (the two-factor pages come first)
TEMPORARY_PASSWORD_OPEN_VIEWS = OTP_OPEN_VIEWS | {"password_change", "password_change_done"}


class TemporaryPasswordMiddleware(_SignInGate):
    open_views = frozenset(TEMPORARY_PASSWORD_OPEN_VIEWS)

    def applies(self, user) -> bool:
        return getattr(user, "is_authenticated", False) and getattr(user, "password_is_temporary", False)

    def refusal(self) -> str:
        return _("Choose your own password first: the one you were given is only for the first sign-in.")

    def send(self, request):
        messages.info(request, _("The password you were given is only for the first sign-in: choose your own "
                                 "to go on."))
        return _to("password_change", request)


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_MINUTES * 60:
                record(user, "session.expired", object_type="user", object_id=user.pk,
                       details={"idle_seconds": now - int(last)}, request=request)
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Your session ended after a time without use: "
                                                     "sign in again.")}, status=401)
                messages.info(request, _("Your session ended after a time without use: sign in again."))
                return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")
            if last is None or now - int(last) >= SESSION_TOUCH_SECONDS:
                request.session[LAST_SEEN_KEY] = now  # saves the session and moves its expiry
        return self.get_response(request)
