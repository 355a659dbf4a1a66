"""In a real browser: an analyst opens the dashboard, follows a figure to the persons behind it and
opens an exchange report (printable); the leadership sees the same dashboard with small numbers
hidden and nothing that leads to persons. Screenshots of both pages go into docs/images/ (the
guide shows them) when ``make screenshots`` runs the journeys (see the ``screenshot`` fixture)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def english(page):
    page.select_option("#language-select", "en")
    with page.expect_navigation():
        page.click(".lang-form button[type=submit]")


def test_analyst_reads_the_dashboard_and_an_exchange_report(browser_page, world, make_user, sign_in, tmp_path,
                                                             screenshot):
    page = browser_page
    make_user("analyst", username="taras")
    sign_in(page, "taras")
    english(page)
    with page.expect_navigation():
        page.click("nav.site-nav a[href='/reports/']")
    assert page.locator("section.figure").count() == 12
    assert page.locator("section.figure svg[role=img]").count() == 12
    held = page.locator("#figure-register table")
    assert "Captivity confirmed" in held.inner_text()
    # the date range narrows the figures; a reversed one is refused with a clear message
    page.fill("#id_start", "2025-06-01")
    with page.expect_navigation():
        page.click("#apply-range")
    assert page.locator("#figure-returned tbody tr").count() == 1  # stage 2 only
    page.fill("#id_start", "2025-06-01")
    page.fill("#id_end", "2025-01-01")
    with page.expect_navigation():
        page.click("#apply-range")
    assert "The end of the range is before its start." in page.inner_text(".error-summary")
    page.goto("/reports/")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "reports-dashboard")

    # a number leads to the persons behind it
    link = page.locator("#figure-by_branch a.drill").first
    expected = link.inner_text().strip()
    with page.expect_navigation():
        link.click()
    assert page.inner_text("#result-count").startswith(expected)

    # the exchange report of stage 1, from the returned-per-exchange figure
    page.goto("/reports/")
    with page.expect_navigation():
        page.locator("#figure-returned tbody th a").first.click()
    assert "stage 1" in page.inner_text("#report-title")
    assert "Returned as listed" in page.inner_text("#figure-reconciliation")
    assert page.locator("#communique").count() == 1
    screenshot(page, "reports-exchange")
    # printed: the navigation is left out, and the browser makes a PDF of it
    page.emulate_media(media="print")
    assert not page.locator("nav.site-nav").is_visible()
    assert not page.locator("form.lang-form").is_visible()
    pdf = page.pdf(format="A4", path=str(tmp_path / "reports-exchange.pdf"))
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_leadership_sees_aggregates_only(browser_page, world, make_user, sign_in):
    page = browser_page
    make_user("leadership", username="viktor")
    sign_in(page, "viktor")
    english(page)
    nav = page.inner_text("nav.site-nav")
    assert "Dashboard" in nav and "Register" not in nav
    page.goto("/reports/")
    assert page.locator("#suppression-note").count() == 1
    assert page.locator("a.drill").count() == 0
    assert "<5" in page.inner_text("#figure-register table")
    page.goto("/persons/")
    assert page.locator("h1").inner_text() != "Register"  # refused
