"""Browser-side controls: a strict Content Security Policy on every page (no inline script or
style anywhere in the templates), the other security headers, the production deploy check, and
the end of a session after inactivity."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

import homecoming
from homecoming.accounts.middleware import LAST_SEEN_KEY, SESSION_TOUCH_SECONDS
from homecoming.audit.models import AuditEvent

PACKAGE = Path(homecoming.__file__).parent


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/family/", "/healthz"])
def test_public_pages_carry_the_strict_policy(client, url):
    response = client.get(url)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"] and policy["base-uri"] == ["'none'"]
    assert not any("unsafe" in v for values in policy.values() for v in values)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_signed_in_pages_and_the_api_docs_carry_it_too(client_for):
    client = client_for("administrator")
    for url in ("/", "/audit/", "/api/docs/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _policy(response)["script-src"] == ["'self'"], url
        html = response.content.decode()
        # Swagger UI's start-up script is a file of its own (the split view), never inline
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on* event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style", re.I), "a <style> element"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_has_what_the_policy_blocks():
    problems = []
    for path in PACKAGE.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(PACKAGE)}:{line}: {what}")
    assert not problems, "\n".join(problems)


def test_production_settings_pass_the_deploy_check(tmp_path):
    """What .ci/run checks, here too: `homecoming check --deploy --fail-level WARNING` is clean."""
    dropped = ("DATABASE_URL", "HOMECOMING_REQUIRE_2FA", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(HOMECOMING_MODE="production", SECRET_KEY="p" * 10 + "0123456789abcdefghijklmnopqrstuvwxyz" * 2,
               ALLOWED_HOSTS="hq.example.org", HOMECOMING_VAR_DIR=str(tmp_path), HOMECOMING_TESTING="0")
    result = subprocess.run([sys.executable, "-m", "homecoming", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    probe = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
             "s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.REQUIRE_2FA, s.SESSION_COOKIE_AGE)")
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {probe}"],
                         env={**env, "DJANGO_SETTINGS_MODULE": "homecoming.settings"}, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["True", "True", "31536000", "True", "True", "1800"]


# --- the end of idle sessions -----------------------------------------------------------------

@pytest.mark.django_db
def test_a_session_idle_longer_than_the_limit_is_ended_and_audited(client_for, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = client_for("registrar")
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="session.expired", actor_id=client.user.pk).exists()


@pytest.mark.django_db
def test_activity_keeps_the_session_alive(client_for, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = client_for("registrar")
    client.get("/")
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/").status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 60  # the clock restarted with the request


@pytest.mark.django_db
def test_an_idle_api_session_answers_401(client_for, settings):
    client = client_for("registrar")
    client.get("/")
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - (settings.SESSION_IDLE_MINUTES + 1) * 60
    session.save()
    assert client.get(reverse("api:person-list")).status_code == 401


@pytest.mark.django_db
def test_the_server_side_session_expires_too(client_for, settings):
    """Even without the middleware the stored session dies after the idle time (its expiry moves
    with use, once a minute): a stolen cookie is worth nothing after half an hour."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = client_for("registrar")
    client.get("/")
    stored = Session.objects.get(session_key=client.session.session_key)
    left = (stored.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < left <= settings.SESSION_COOKIE_AGE
    # ten minutes later (the clock says so), the next request moves the stored expiry again
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 10 * 60
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now()
                                                                   + timedelta(minutes=20))
    client.get("/")
    stored.refresh_from_db()
    assert (stored.expire_date - timezone.now()).total_seconds() > settings.SESSION_COOKIE_AGE - 60
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 60


@pytest.mark.django_db
def test_requests_within_a_minute_do_not_write_the_session(client_for):
    """The last-request clock is renewed once a minute, not by an UPDATE with every page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("registrar")
    client.get("/")
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - SESSION_TOUCH_SECONDS + 20
    session.save()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - SESSION_TOUCH_SECONDS - 1
    session.save()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert [q for q in ctx.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_idle_minutes_must_be_positive():
    env = {**os.environ, "SESSION_IDLE_MINUTES": "0", "DJANGO_SETTINGS_MODULE": "homecoming.settings"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "SESSION_IDLE_MINUTES must be at least 1" in result.stderr


def test_pages_and_the_api_that_show_persons_are_never_stored(client_for):
    """Cache-Control: no-store on every page and API answer for a signed-in person: neither the
    browser's cache nor a proxy keeps a copy of a person record."""
    from homecoming.registry import services

    c = client_for("registrar", "finance_officer")
    person = services.create_person(c.user, {"last_name": "Тестовий", "first_name": "Іван"})
    for url in ("/", "/persons/", f"/persons/{person.pk}/", f"/persons/{person.pk}/edit/",
                f"/payments/persons/{person.pk}/", "/api/v1/persons/", f"/api/v1/persons/{person.pk}/",
                f"/api/v1/persons/{person.pk}/events/", "/api/v1/me/", "/api/v1/nothing-here/"):
        response = c.get(url)
        assert response.status_code in (200, 404), url
        assert "no-store" in response.get("Cache-Control", ""), (url, response.get("Cache-Control"))
