"""Who is acting: the one way a view names the actor it hands to services and selectors.

Services and selectors take an actor (a user, or None for the system or an anonymous visitor),
never a request, so that pages, the API, commands and imports call them alike. Anonymous
visitors become None here, so that no caller has to tell an ``AnonymousUser`` from a user.
"""

from __future__ import annotations


def user_of(actor):
    """The signed-in user behind ``actor``, or None (the system, an anonymous visitor, a name)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def actor(request):
    """The signed-in user of ``request``, or None when nobody is signed in."""
    return user_of(getattr(request, "user", None))
