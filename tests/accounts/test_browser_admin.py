"""In a real browser: an administrator creates an account, hands over the temporary password,
the new colleague signs in with it, and the administrator reads in the audit log what happened;
then switches the account off. In Ukrainian and in English."""

from __future__ import annotations

import pytest

from tests.browser import (
    LOCALES,
    both_languages,
    expect_errors,
    expect_heading,
    expect_message,
    expect_text,
    submit,
    tr,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@both_languages
def test_administrator_manages_an_account_and_reads_the_audit_log(_playwright_browser, browser_page, lang, make_user,
                                                                   sign_in, screenshot, live_server):
    page = browser_page
    make_user("administrator", username="stepan")
    sign_in(page, "stepan")

    # The accounts page, a new analyst account with a temporary password shown once.
    submit(page, "nav.site-nav a[href='/accounts/users/']")
    expect_heading(page, lang, "Accounts", exact=True)
    submit(page, "#new-account")
    expect_heading(page, lang, "New account", exact=True)
    submit(page, "#save-account")  # empty: the error summary names the fields, nothing created
    expect_errors(page, lang)
    page.fill("#id_username", "taras-night")
    page.fill("#id_first_name", "Тарас")
    page.fill("#id_last_name", "Тестовий")
    page.check("input[name=roles][value=analyst]")
    screenshot(page, f"administrator-new-account-{lang}")
    submit(page, "#save-account")
    expect_heading(page, lang, "Account created")
    password = page.locator("#temporary-password").inner_text()
    assert len(password) == 19

    # The colleague signs in with it, in a browser of their own (in the same language).
    context = _playwright_browser.new_context(base_url=live_server.url, locale=LOCALES[lang])
    colleague = context.new_page()
    sign_in(colleague, "taras-night", password)
    # the handed-over password is for the first sign-in only: the colleague chooses their own
    assert "/accounts/password/" in colleague.url
    expect_message(colleague, lang, "The password you were given is only for the first sign-in: choose your "
                                    "own to go on.")
    colleague.fill("#id_old_password", password)
    colleague.fill("#id_new_password1", "night-shift-analyst-77")
    colleague.fill("#id_new_password2", "night-shift-analyst-77")
    submit(colleague, "main button[type=submit]")
    colleague.goto("/")
    expect_text(colleague, lang, "Incoming lists", "nav.site-nav")
    context.close()

    # The account, and the audit log filtered to it shows its sign-in.
    submit(page, "#to-account")
    expect_text(page, lang, "Analyst", "#account-roles")
    submit(page, f"text={tr(lang, 'What this account did (audit log)')}")
    expect_heading(page, lang, "Audit log", exact=True)
    log = page.locator("table").inner_text()
    # events read as sentences in the reader's language (audit/sentences.py): "… signed in"
    signed_in = (tr(lang, "%(who)s signed in") % {"who": ""}).strip(": ")
    assert signed_in in log and "taras-night" in log
    screenshot(page, f"administrator-audit-log-{lang}")

    # Switch the account off: it can no longer sign in.
    page.go_back()
    page.uncheck("#id_is_active")
    submit(page, "#save-account")
    assert page.locator("#account-active").inner_text() == tr(lang, "switched off")
    screenshot(page, f"administrator-account-{lang}")
    context = _playwright_browser.new_context(base_url=live_server.url, locale=LOCALES[lang])
    colleague = context.new_page()
    colleague.goto("/accounts/login/")
    colleague.fill("#id_username", "taras-night")
    colleague.fill("#id_password", "night-shift-analyst-77")  # their own password, right but switched off
    submit(colleague, "#login-submit")
    expect_errors(colleague, lang)
    context.close()
