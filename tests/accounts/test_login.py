"""Login, logout, password change, throttling and their audit events."""

import pytest
from django.test import Client
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.audit.services import verify_chain

PASSWORD = "correct-horse-battery-9"


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


@pytest.fixture
def registrar(make_user):
    return make_user("registrar", username="olena")


def test_login_page_is_public_and_translated(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Увійти" in response.content.decode()
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Sign in" in response.content.decode()


def test_successful_login_is_audited(client, registrar):
    response = login(client, "olena", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    event = AuditEvent.objects.filter(action="login").latest("id")
    assert event.actor_id == registrar.pk
    assert event.ip_address == "10.1.2.3"
    assert verify_chain() is None


def test_failed_login_is_audited_without_the_password(client, registrar):
    response = login(client, "olena", "wrong-password-123")
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    event = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert event.details == {"username": "olena"}
    assert "wrong-password" not in str(event.details) + event.actor_name
    assert "_auth_user_id" not in client.session


def test_logout_is_audited_and_needs_post(client, registrar):
    login(client, "olena", PASSWORD)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor_id=registrar.pk).exists()
    assert client.get(reverse("home")).status_code == 302


def test_repeated_failures_lock_the_user_name_from_that_address(client, registrar, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "olena", "wrong-password-123")
    # Now even the right password is refused, with the lock-out page (status 429).
    response = login(client, "olena", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked out: the lock is per user name and address.
    other = Client()
    response = other.post(reverse("login"), {"username": "olena", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302


def test_password_change(client, registrar):
    login(client, "olena", PASSWORD)
    bad = client.post(reverse("password_change"), {"old_password": "not-it", "new_password1": "x",
                                                   "new_password2": "y"})
    assert bad.status_code == 200
    registrar.refresh_from_db()
    assert registrar.check_password(PASSWORD)  # nothing changed
    good = client.post(reverse("password_change"), {"old_password": PASSWORD,
                                                    "new_password1": "a-much-longer-secret-42",
                                                    "new_password2": "a-much-longer-secret-42"})
    assert good.status_code == 302
    registrar.refresh_from_db()
    assert registrar.check_password("a-much-longer-secret-42")


def test_passwords_are_hashed_with_argon2_outside_tests():
    from homecoming import settings as s

    assert "Argon2PasswordHasher" in [h for h in s.PASSWORD_HASHERS if "MD5" not in h][0]


def test_healthz_is_public(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "workers": {"alive": 0, "waiting_tasks": 0}}


def test_healthz_answers_503_when_the_database_is_unreachable(client, db, monkeypatch):
    from django.db import OperationalError

    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("homecoming.core.views.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_password_change_is_audited_and_throttled(client, registrar, settings):
    """Wrong old passwords are audited; after five in a quarter of an hour even the right one is
    refused for the rest of it; a change is audited without the password."""
    login(client, "olena", PASSWORD)
    new = {"new_password1": "a-much-longer-secret-42", "new_password2": "a-much-longer-secret-42"}
    for _ in range(5):
        response = client.post(reverse("password_change"), {"old_password": "wrong-password-123", **new})
        assert response.status_code == 200
    assert AuditEvent.objects.filter(action="password.failed", actor_id=registrar.pk).count() == 5
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, **new})
    assert response.status_code == 200  # refused: throttled
    registrar.refresh_from_db()
    assert registrar.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="password.throttled", actor_id=registrar.pk).exists()
    settings.PASSWORD_WINDOW_MINUTES = 0  # the quarter of an hour has passed
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, **new})
    assert response.status_code == 302
    registrar.refresh_from_db()
    assert registrar.check_password("a-much-longer-secret-42")
    event = AuditEvent.objects.filter(action="password.change").latest("id")
    assert event.actor_id == registrar.pk and "secret" not in str(event.details)


def test_the_login_page_leads_families_to_their_portal(client, db):
    """Issue 19: a family that lands on the staff login page finds the way to the portal."""
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert f'href="{reverse("family:portal")}"' in page and "Стежити за справою рідної людини" in page
    assert f'href="{reverse("family:inquiry_new")}"' in page
