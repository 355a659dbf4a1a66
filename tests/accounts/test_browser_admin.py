"""In a real browser: an administrator creates an account, hands over the temporary password,
the new colleague signs in with it, and the administrator reads in the audit log what happened;
then switches the account off. In Ukrainian, then in English."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_administrator_manages_an_account_and_reads_the_audit_log(_playwright_browser, browser_page, make_user,
                                                                   sign_in, screenshot, live_server):
    page = browser_page
    make_user("administrator", username="stepan")
    sign_in(page, "stepan")

    # Ukrainian: the accounts page, a new analyst account with a temporary password shown once.
    submit(page, "nav.site-nav a[href='/accounts/users/']")
    assert page.locator("h1").inner_text() == "Облікові записи"
    submit(page, "#new-account")
    submit(page, "#save-account")  # empty: the error summary names the fields, nothing created
    assert page.locator(".error-summary").is_visible()
    page.fill("#id_username", "taras-night")
    page.fill("#id_first_name", "Тарас")
    page.fill("#id_last_name", "Тестовий")
    page.check("input[name=roles][value=analyst]")
    screenshot(page, "administrator-new-account-uk")
    submit(page, "#save-account")
    password = page.locator("#temporary-password").inner_text()
    assert len(password) == 19

    # The colleague signs in with it, in a browser of their own.
    context = _playwright_browser.new_context(base_url=live_server.url, locale="uk-UA")
    colleague = context.new_page()
    sign_in(colleague, "taras-night", password)
    assert "Вхідні списки" in colleague.locator("nav.site-nav").inner_text()
    context.close()

    # English: the account, and the audit log filtered to it shows its sign-in.
    submit(page, "#to-account")
    page.select_option("#language-select", "en")
    submit(page, ".lang-form button[type=submit]")
    assert "Analyst" in page.locator("#account-roles").inner_text()
    submit(page, "text=What this account did (audit log)")
    assert page.locator("h1").inner_text() == "Audit log"
    log = page.locator("table").inner_text()
    assert "login" in log and "taras-night" in log
    screenshot(page, "administrator-audit-log-en")

    # Switch the account off: it can no longer sign in.
    page.go_back()
    page.uncheck("#id_is_active")
    submit(page, "#save-account")
    assert page.locator("#account-active").inner_text() == "switched off"
    screenshot(page, "administrator-account-en")
    context = _playwright_browser.new_context(base_url=live_server.url, locale="en-GB")
    colleague = context.new_page()
    colleague.goto("/accounts/login/")
    colleague.fill("#id_username", "taras-night")
    colleague.fill("#id_password", password)
    colleague.click("#login-submit")
    assert colleague.locator(".error-summary").is_visible()
    context.close()
