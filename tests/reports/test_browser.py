"""In a real browser: an analyst opens the dashboard, follows a figure to the persons behind it and
opens an exchange report (printable); the leadership sees the same dashboard with small numbers
hidden and nothing that leads to persons. Both in Ukrainian and in English. Screenshots of both
pages go into docs/images/ (the guide shows them) when ``make screenshots`` runs the journeys (see
the ``screenshot`` fixture)."""

from __future__ import annotations

import pytest

from homecoming.reports import selectors
from tests.browser import both_languages, expect_heading, expect_text, tr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@both_languages
def test_analyst_reads_the_dashboard_and_an_exchange_report(browser_page, lang, remains_world, make_user, sign_in,
                                                             tmp_path, screenshot):
    page = browser_page
    make_user("analyst", username="taras")
    sign_in(page, "taras")
    with page.expect_navigation():
        page.click("nav.site-nav a[href='/reports/']")
    expect_heading(page, lang, "Dashboard", exact=True)
    assert page.locator("section.figure").count() == len(selectors.FIGURES)
    assert page.locator("section.figure svg[role=img]").count() == len(selectors.FIGURES)
    expect_text(page, lang, "Captivity confirmed", "#figure-register table")
    # the date range narrows the figures; a reversed one is refused with a clear message
    page.fill("#id_start", "2025-06-01")
    with page.expect_navigation():
        page.click("#apply-range")
    assert page.locator("#figure-returned tbody tr").count() == 1  # stage 2 only
    page.fill("#id_start", "2025-06-01")
    page.fill("#id_end", "2025-01-01")
    with page.expect_navigation():
        page.click("#apply-range")
    expect_text(page, lang, "The end of the range is before its start.", ".error-summary")
    page.goto("/reports/")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, f"reports-dashboard-{lang}")

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
    # "Exchange report: stage 1 of “<the agreement's title>”"
    stage_one = tr(lang, "Exchange report: stage %(n)s of “%(title)s”", n=1, title="\0").split("\0")[0]
    assert page.inner_text("#report-title").startswith(stage_one)
    expect_text(page, lang, "Returned as listed", "#figure-reconciliation")
    assert page.locator("#communique").count() == 1
    screenshot(page, f"reports-exchange-{lang}")
    # printed: the navigation is left out, and the browser makes a PDF of it
    page.emulate_media(media="print")
    assert not page.locator("nav.site-nav").is_visible()
    assert not page.locator("form.lang-form").is_visible()
    pdf = page.pdf(format="A4", path=str(tmp_path / "reports-exchange.pdf"))
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


@both_languages
def test_leadership_sees_aggregates_only(browser_page, lang, world, make_user, sign_in):
    page = browser_page
    make_user("leadership", username="viktor")
    sign_in(page, "viktor")
    nav = page.inner_text("nav.site-nav")
    assert tr(lang, "Dashboard") in nav and tr(lang, "Register") not in nav
    page.goto("/reports/")
    assert page.locator("#suppression-note").count() == 1
    mark = tr(lang, "c", context="a hidden number in a table of aggregates")
    assert mark == {"uk": "к", "en": "c"}[lang]
    note = tr(lang, "You see aggregates only: a number below %(n)s persons is hidden (shown as “%(mark)s”), and "
              "so is one more number of its row or column wherever a total would give it back; figures do not "
              "lead to the persons behind them.", n=5, mark=mark)  # the template's own text
    assert page.inner_text("#suppression-note") == note
    assert page.locator("a.drill").count() == 0
    assert mark in page.locator("#figure-register table td").all_inner_texts()
    page.goto("/persons/")
    expect_heading(page, lang, "Not allowed", exact=True)  # refused
