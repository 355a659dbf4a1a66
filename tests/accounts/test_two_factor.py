"""Two-factor login (TOTP): required when HOMECOMING_REQUIRE_2FA is on (the production default),
enrolment with the otpauth URI and secret, the code step after the password, the reset command."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from homecoming.accounts import services
from homecoming.audit.models import AuditEvent

PASSWORD = "correct-horse-battery-9"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _require_2fa(settings):
    settings.REQUIRE_2FA = True


def code(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def wrong(device: TOTPDevice) -> str:
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


@pytest.fixture
def enrolled(make_user):
    """A registrar with a confirmed authenticator."""
    user = make_user("registrar", username="olena")
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user, device


def sign_in(client, username="olena"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_the_switch_is_on_in_production_and_off_in_development():
    import subprocess
    import sys

    probe = "from django.conf import settings; print(settings.REQUIRE_2FA)"
    base = {"HOMECOMING_TESTING": "1", "DJANGO_SETTINGS_MODULE": "homecoming.settings", "PATH": "/usr/bin:/bin"}
    prod = {**base, "HOMECOMING_MODE": "production", "SECRET_KEY": "k" * 20 + "abcdefghij" * 4,
            "ALLOWED_HOSTS": "hq.example.org"}
    run = lambda env: subprocess.run(  # noqa: E731
        [sys.executable, "-c", f"import django; django.setup(); {probe}"], env=env, capture_output=True, text=True,
        check=True).stdout.strip()
    assert run(base) == "False"
    assert run(prod) == "True"
    assert run({**prod, "HOMECOMING_REQUIRE_2FA": "false"}) == "False"
    assert run({**base, "HOMECOMING_REQUIRE_2FA": "on"}) == "True"


def test_password_alone_opens_no_page(client, enrolled):
    sign_in(client)
    for url in (reverse("home"), reverse("registry:person_list")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("otp_verify")), url
    assert client.get(reverse("api:person-list")).status_code == 403  # the session is not enough for the API


def test_the_admin_needs_the_code_too(client, make_user):
    admin = make_user("administrator", username="stepan")
    TOTPDevice.objects.create(user=admin, name="authenticator", confirmed=True)
    sign_in(client, "stepan")
    for url in ("/admin/", "/admin/registry/branch/", reverse("audit:event_list")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("otp_verify")), url


def test_a_valid_code_after_the_password_opens_the_pages(client, enrolled):
    user, device = enrolled
    sign_in(client)
    response = client.post(reverse("otp_verify"), {"token": code(device), "next": reverse("registry:person_list")})
    assert response.status_code == 302 and response.url == reverse("registry:person_list")
    assert client.get(reverse("registry:person_list")).status_code == 200
    assert client.get(reverse("api:person-list")).status_code == 200
    assert AuditEvent.objects.filter(action="otp.verified", actor_id=user.pk).exists()


def test_a_wrong_code_is_refused_audited_and_slows_the_next_try(client, enrolled):
    user, device = enrolled
    sign_in(client)
    response = client.post(reverse("otp_verify"), {"token": wrong(device)})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action="otp.failed", actor_id=user.pk).count() == 1
    # django-otp throttles: right after a failure even the right code waits
    response = client.post(reverse("otp_verify"), {"token": code(device)})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="otp.throttled", actor_id=user.pk).exists()
    assert client.get(reverse("home")).status_code == 302


def test_an_open_redirect_through_next_is_refused(client, enrolled):
    _user, device = enrolled
    sign_in(client)
    response = client.post(reverse("otp_verify"), {"token": code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("home")


def test_the_public_pages_stay_public_and_signing_out_works(client, enrolled):
    sign_in(client)
    assert client.get(reverse("family:portal")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_enrolment_shows_uri_and_secret_and_confirms_with_a_code(client, make_user):
    user = make_user("case_worker", username="maria")
    sign_in(client, "maria")
    response = client.get(reverse("home"))
    assert response.url.startswith(reverse("otp_setup"))
    html = client.get(reverse("otp_setup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert "otpauth://totp/Homecoming:maria?secret=" in html.replace("%3A", ":")
    assert "<svg" in html  # the QR code, as markup
    # the secret stays the same on reload until it is confirmed
    client.get(reverse("otp_setup"))
    assert TOTPDevice.objects.filter(user=user).count() == 1
    response = client.post(reverse("otp_setup"), {"token": wrong(device), "password": PASSWORD})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    response = client.post(reverse("otp_setup"), {"token": code(device), "password": PASSWORD})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="otp.enrol", actor_id=user.pk).exists()


def test_with_a_device_the_enrolment_page_asks_for_the_code_first(client, enrolled):
    sign_in(client)
    response = client.get(reverse("otp_setup"))
    assert response.status_code == 302 and response.url.startswith(reverse("otp_verify"))
    assert TOTPDevice.objects.filter(confirmed=False).count() == 0  # no new secret handed out


def test_administrator_resets_a_device_with_the_command(enrolled):
    user, _device = enrolled
    out = io.StringIO()
    call_command("otp_reset", "olena", stdout=out)
    assert "Removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.filter(action="otp.reset").latest("id")
    assert event.object_id == str(user.pk) and event.actor_name == "system"
    # next login goes to enrolment
    client = Client()
    sign_in(client)
    assert client.get(reverse("home")).url.startswith(reverse("otp_setup"))


def test_reset_of_an_unknown_user_is_a_clear_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("otp_reset", "nobody")


def test_only_an_administrator_may_reset_through_the_service(enrolled, make_user):
    from django.core.exceptions import PermissionDenied

    user, _device = enrolled
    with pytest.raises(PermissionDenied):
        services.reset_otp(make_user("registrar"), user)
    assert TOTPDevice.objects.filter(user=user).exists()
    services.reset_otp(make_user("administrator"), user)
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_without_the_switch_no_code_is_asked(client, enrolled, settings):
    settings.REQUIRE_2FA = False
    sign_in(client)
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_asks_the_password_again(client, make_user):
    """Someone holding a stolen session (not the password) cannot put their phone on the account."""
    user = make_user("case_worker", username="maria")
    sign_in(client, "maria")
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    for data in ({"token": code(device)}, {"token": code(device), "password": "not-the-password-1"}):
        response = client.post(reverse("otp_setup"), data, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert "The password is not right." in response.content.decode()
    assert AuditEvent.objects.filter(action="password.failed", actor_id=user.pk,
                                     details__purpose="otp_enrol").count() == 1
    response = client.post(reverse("otp_setup"), {"token": code(device), "password": PASSWORD})
    assert response.status_code == 302 and TOTPDevice.objects.get(pk=device.pk).confirmed


def test_an_administrator_can_require_enrolment_at_the_next_sign_in(client, make_user, settings):
    settings.REQUIRE_2FA = False
    admin = Client()
    admin.force_login(make_user("administrator"))
    user = make_user("case_worker", username="maria")
    sign_in(client, "maria")
    assert client.get(reverse("home")).status_code == 200  # not required of everyone here
    response = admin.post(reverse("accounts:user_detail", args=[user.pk]), {
        "action": "save", "roles": ["case_worker"], "is_active": "on", "otp_required": "on",
        "first_name": "", "last_name": "", "email": ""})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.otp_required
    assert AuditEvent.objects.filter(action="user.otp_required", object_id=str(user.pk)).exists()
    other = Client()
    sign_in(other, "maria")
    assert other.get(reverse("home")).url.startswith(reverse("otp_setup"))
