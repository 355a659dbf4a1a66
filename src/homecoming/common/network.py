"""The client's address, read in one place for everything that needs it: the family portal's
limits, the login lock-out (django-axes, ``AXES_CLIENT_IP_CALLABLE``) and the audit log.

Behind a reverse proxy ``REMOTE_ADDR`` is the proxy. Each proxy appends the address it received
the request from to ``X-Forwarded-For``, so with ``settings.TRUSTED_PROXIES`` = N proxies in
front of the application the client is the N-th entry from the right; everything left of it was
written by the client and is never believed. With N = 0 (the default: no proxy) the header is
ignored. A request whose header has fewer entries than N did not pass every proxy, and one whose
entry is not an address comes from a misconfigured proxy: both count as coming from
``REMOTE_ADDR``, never from text the client chose.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(text: str) -> str | None:
    """``text`` as a canonical IP address (a port or brackets taken off), or None."""
    text = text.strip()
    if text.startswith("["):  # [IPv6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def trusted_proxies() -> int:
    return max(0, int(getattr(settings, "TRUSTED_PROXIES", 0) or 0))


def client_address(request) -> str | None:
    """The address of the client that sent ``request`` (None when there is no request)."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    hops = trusted_proxies()
    if hops == 0:
        return remote
    entries = [e for e in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if e.strip()]
    if len(entries) < hops:
        return remote
    return _address(entries[-hops]) or remote
