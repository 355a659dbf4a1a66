"""In a real browser: every role signs in, sees its navigation, switches language, signs out; in
Ukrainian and in English."""

import pytest
from django.utils import translation

from homecoming.accounts import roles as r
from tests.browser import both_languages, expect_errors, expect_heading, switch_language, tr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@both_languages
def test_each_role_signs_in_and_sees_its_navigation(browser_page, lang, make_user, sign_in, screenshot):
    page = browser_page
    for role in r.ROLES:
        make_user(role.slug, username=f"demo-{role.slug}")
        sign_in(page, f"demo-{role.slug}")
        expect_heading(page, lang, "Welcome, %(name)s", name=f"demo-{role.slug}", exact=True)
        nav = page.locator("nav.site-nav")
        assert nav.is_visible()
        links = nav.locator("a").all_inner_texts()
        assert tr(lang, "Start") in links
        assert (tr(lang, "Audit log") in links) is (role.slug == r.ADMINISTRATOR), (role.slug, links)
        with translation.override(lang):
            assert page.locator(".user-roles").inner_text() == f"({role.label})"
        screenshot(page, f"start-{role.slug}-{lang}", full_page=False)
        with page.expect_navigation():
            page.click("button.link-button")  # sign out
        assert "/accounts/login/" in page.url


@both_languages
def test_language_switch_and_wrong_password(browser_page, lang, make_user, sign_in):
    """A wrong password in the browser's language; then the header's form switches to the other
    language, which stays chosen after signing in."""
    page = browser_page
    other = "en" if lang == "uk" else "uk"
    make_user(r.ANALYST, username="taras")
    page.goto("/accounts/login/")
    expect_heading(page, lang, "Sign in", exact=True)
    page.fill("#id_username", "taras")
    page.fill("#id_password", "not-the-password")
    with page.expect_navigation():
        page.click("#login-submit")
    expect_errors(page, lang)
    assert page.url.endswith("/accounts/login/")
    switch_language(page, other)
    expect_heading(page, other, "Sign in", exact=True)
    sign_in(page, "taras")
    expect_heading(page, other, "Welcome, %(name)s", name="taras", exact=True)


@both_languages
def test_two_factor_journey_under_the_content_security_policy(browser_page, lang, make_user, sign_in, settings):
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
    expect_heading(page, lang, "Set up two-factor login", exact=True)
    assert page.locator(".otp-qr svg").is_visible()
    assert re.fullmatch(r"[A-Z2-7 ]+", page.locator("#otp-secret").inner_text())
    page.fill("#id_password", "correct-horse-battery-9")  # enrolment asks the password again
    page.fill("#id_token", code())
    with page.expect_navigation():
        page.click("#otp-submit")
    assert "/accounts/otp" not in page.url
    with page.expect_navigation():
        page.click("button.link-button")  # sign out
    TOTPDevice.objects.filter(user=user).update(last_t=-1)  # the same 30 s window may be used again here
    sign_in(page, "stepan")
    assert "/accounts/otp/" in page.url
    expect_heading(page, lang, "Two-factor login", exact=True)
    page.fill("#id_token", code())
    with page.expect_navigation():
        page.click("#otp-submit")
    page.goto("/audit/")
    expect_heading(page, lang, "Audit log", exact=True)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=15000)
