"""In a real browser: every role signs in, sees its navigation, switches language, signs out."""

import pytest
from django.utils import translation

from homecoming.accounts import roles as r

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_role_signs_in_and_sees_its_navigation(browser_page, make_user, sign_in, screenshot):
    page = browser_page
    for role in r.ROLES:
        make_user(role.slug, username=f"demo-{role.slug}")
        sign_in(page, f"demo-{role.slug}")
        nav = page.locator("nav.site-nav")
        assert nav.is_visible()
        links = nav.locator("a").all_inner_texts()
        assert "Початок" in links
        assert ("Журнал аудиту" in links) is (role.slug == r.ADMINISTRATOR), (role.slug, links)
        with translation.override("uk"):
            assert page.locator(".user-roles").inner_text() == f"({role.label})"
        screenshot(page, f"start-{role.slug}-uk", full_page=False)
        with page.expect_navigation():
            page.click("button.link-button")  # sign out
        assert "/accounts/login/" in page.url


def test_language_switch_and_wrong_password(browser_page, make_user, sign_in):
    page = browser_page
    make_user(r.ANALYST, username="taras")
    page.goto("/accounts/login/")
    page.fill("#id_username", "taras")
    page.fill("#id_password", "not-the-password")
    page.click("#login-submit")
    assert page.locator(".error-summary").is_visible()
    assert page.url.endswith("/accounts/login/")
    page.select_option("#language-select", "en")
    with page.expect_navigation():
        page.click(".lang-form button")
    assert page.locator("h1").inner_text() == "Sign in"
    sign_in(page, "taras")
    assert "Welcome" in page.locator("h1").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"


def test_two_factor_journey_under_the_content_security_policy(browser_page, make_user, sign_in, settings):
    """Enrol an authenticator, sign out, sign in with password and code; then open the audit log
    and the API docs (Swagger UI). Chromium reports every resource or script the policy blocks:
    there must be none (the browser_page fixture fails on any)."""
    import re

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REQUIRE_2FA = True
    page = browser_page
    user = make_user(r.ADMINISTRATOR, username="stepan")

    def code() -> str:
        device = TOTPDevice.objects.filter(user=user).latest("id")
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    sign_in(page, "stepan")
    assert "/accounts/otp/setup/" in page.url
    assert page.locator(".otp-qr svg").is_visible()
    assert re.fullmatch(r"[A-Z2-7 ]+", page.locator("#otp-secret").inner_text())
    page.fill("#id_token", code())
    with page.expect_navigation():
        page.click("#otp-submit")
    assert "/accounts/otp" not in page.url
    with page.expect_navigation():
        page.click("button.link-button")  # sign out
    TOTPDevice.objects.filter(user=user).update(last_t=-1)  # the same 30 s window may be used again here
    sign_in(page, "stepan")
    assert "/accounts/otp/" in page.url
    page.fill("#id_token", code())
    with page.expect_navigation():
        page.click("#otp-submit")
    page.goto("/audit/")
    assert page.locator("h1").inner_text() == "Журнал аудиту"
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=15000)
