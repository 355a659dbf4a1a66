"""Permission checks with one meaning each, for views (services check again on the actor).

Copies of a ``_require`` helper disagreed: with several permissions one meant "any of" and
another "all of". Here the name says which: :func:`require_all` (what a page needs, every one),
:func:`require_any` (a page that serves either of two roles). Both take a request or an actor
and raise ``PermissionDenied`` (the 403 page), as Django's ``permission_required`` does. The
services check the actor with the same functions (imported as their ``_require``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def _user(request_or_actor):
    """The one whose permissions count: a request's user, or the actor itself when it can answer
    ``has_perm`` (a user, or a stand-in for the command line such as intake's
    ``CommandLineActor``); None, the system by name, refuses everything."""
    subject = getattr(request_or_actor, "user", request_or_actor)
    return subject if callable(getattr(subject, "has_perm", None)) else None


def has_all(request_or_actor, *perms: str) -> bool:
    user = _user(request_or_actor)
    return user is not None and all(user.has_perm(p) for p in perms)


def has_any(request_or_actor, *perms: str) -> bool:
    user = _user(request_or_actor)
    return user is not None and any(user.has_perm(p) for p in perms)


def require_all(request_or_actor, *perms: str) -> None:
    """Refuse (403) unless the user holds every one of ``perms``."""
    if not perms or not has_all(request_or_actor, *perms):
        raise PermissionDenied(_("You do not have the permission to do this."))


def require_any(request_or_actor, *perms: str) -> None:
    """Refuse (403) unless the user holds at least one of ``perms``."""
    if not has_any(request_or_actor, *perms):
        raise PermissionDenied(_("You do not have the permission to do this."))
