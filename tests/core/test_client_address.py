"""The client's address behind trusted proxies: read in one place (homecoming.common.network) and
used by the portal's limits, the login lock-out (django-axes) and the audit log.

Behind the documented TLS proxy every request comes from the proxy's address; only the
``X-Forwarded-For`` entries that the configured number of trusted proxies appended say who the
client is. Whatever a client writes into that header itself is never believed."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.common.network import client_address

PROXY = "127.0.0.1"
PASSWORD = "correct-horse-battery-9"


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("proxies,remote,forwarded,expected", [
    (0, "198.51.100.1", None, "198.51.100.1"),
    (0, "198.51.100.1", "203.0.113.9", "198.51.100.1"),  # no proxy trusted: the header is the client's lie
    (1, PROXY, "203.0.113.9", "203.0.113.9"),
    (1, PROXY, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own entry is not believed
    (2, PROXY, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
    (1, PROXY, "2001:db8::7", "2001:db8::7"),
    (1, PROXY, "203.0.113.9:5123", "203.0.113.9"),
    (1, PROXY, "[2001:db8::7]:443", "2001:db8::7"),
    (1, PROXY, "not-an-address", PROXY),  # garbage from a misconfigured proxy: the proxy, never the text
    (1, PROXY, None, PROXY),  # a request that did not pass the proxy
    (2, PROXY, "203.0.113.9", PROXY),  # fewer entries than trusted proxies: not through all of them
])
def test_the_client_is_the_entry_the_trusted_proxies_appended(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    assert client_address(_request(remote, forwarded)) == expected


def _via_proxy(client_ip):
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip}


def test_portal_lock_out_of_one_family_does_not_lock_the_next(settings, db):
    from homecoming.families import services as family_services
    from tests.families.conftest import inquiry_data

    settings.TRUSTED_PROXIES = 1
    filed = family_services.file_inquiry(None, inquiry_data())
    c = Client()
    c.cookies["homecoming_language"] = "en"
    for i in range(6):
        c.post("/family/", {"reference": f"INQ-2222-2{i + 2}", "code": "AAAA-BBBB-CCCC-DDDD"},
               **_via_proxy("203.0.113.7"))
    locked = c.post("/family/", {"reference": filed.inquiry.reference, "code": filed.secret},
                    **_via_proxy("203.0.113.7"))
    assert locked.status_code == 429
    other = Client()
    other.cookies["homecoming_language"] = "en"
    ok = other.post("/family/", {"reference": filed.inquiry.reference, "code": filed.secret},
                    **_via_proxy("198.51.100.9"))
    assert ok.status_code == 200 and "Your inquiry has been received" in ok.content.decode()


def test_login_lock_out_follows_the_client_not_the_proxy(settings, make_user):
    settings.TRUSTED_PROXIES = 1
    make_user("registrar", username="olena", password=PASSWORD)
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": "olena", "password": "wrong-password-123"},
                      **_via_proxy("203.0.113.66"))
    assert attacker.post(reverse("login"), {"username": "olena", "password": PASSWORD},
                         **_via_proxy("203.0.113.66")).status_code == 429
    owner = Client()
    response = owner.post(reverse("login"), {"username": "olena", "password": PASSWORD},
                          **_via_proxy("198.51.100.20"))
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="login").latest("id")
    assert event.ip_address == "198.51.100.20"  # the audit log names the client, not the proxy
    failed = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert failed.ip_address == "203.0.113.66"
