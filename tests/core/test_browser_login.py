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
