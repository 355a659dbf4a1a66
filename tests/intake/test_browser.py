"""The analyst's night: a Windows-1251, semicolon-separated CSV of 1,200 Russified names, imported
as a list, reviewed and confirmed, entirely in the browser, in Ukrainian and in English."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.intake.models import IncomingList, RowState
from homecoming.registry.models import StatusEvent
from tests.browser import both_languages, expect_heading, expect_text, ntr

from .conftest import csv_bytes, russian, synthetic_people

N = 1200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@both_languages
def test_analyst_imports_reviews_and_confirms_1200_russified_names(browser_page, lang, sign_in, make_user, tmp_path,
                                                                    screenshot):
    from homecoming.registry.services import bulk_create_persons

    registrar = make_user("registrar")
    make_user("analyst", username="night-analyst")
    people = synthetic_people(N + 300, seed=42)
    bulk_create_persons(registrar, people, source_kind="family_application", source_reference="applications",
                        status="missing", effective_date=dt.date(2023, 1, 1))
    rows = [["№", "Фамилия", "Имя", "Отчество", "Дата рождения"]]
    for i, p in enumerate(people[:N], start=1):
        rows.append([str(i), russian(p["last_name"]).upper(), russian(p["first_name"]), russian(p["patronymic"]),
                     p["birth_date"].strftime("%d.%m.%Y")])
    path = tmp_path / "spisok.csv"
    path.write_bytes(csv_bytes(rows, encoding="cp1251", delimiter=";"))

    page = browser_page
    sign_in(page, "night-analyst")
    with page.expect_navigation():
        page.click("nav.site-nav >> a[href='/intake/']")
    expect_heading(page, lang, "Incoming lists", exact=True)
    with page.expect_navigation():
        page.click("#upload-link")
    expect_heading(page, lang, "Upload a file", exact=True)
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_kind", "list")
    page.select_option("#id_source_kind", "other_side_list")
    page.fill("#id_source_reference", "список, переданий посередником")
    page.fill("#id_list_date", "2025-06-07")
    with page.expect_navigation():
        page.click("#upload-submit")
    # not UTF-8: the readings are shown, the likeliest (Windows-1251) chosen; the analyst confirms it
    expect_text(page, lang, "Which reading is right?", "#encoding-choice h2")
    with page.expect_navigation():
        page.click("#encoding-submit")
    expect_text(page, lang, "Check report")
    expect_text(page, lang, "%(total)s rows: %(valid)s valid, %(bad)s with errors.", "#check-summary",
                total=N, valid=N, bad=0)
    assert "Windows-1251" in page.content()
    screenshot(page, f"analyst-import-check-{lang}")
    with page.expect_navigation(timeout=120_000):
        page.click("#start-submit")
    assert page.is_visible("#job-result")
    expect_text(page, lang, "Imported", "#job-result h2")
    with page.expect_navigation():
        page.click("#review-link")
    lst = IncomingList.objects.get()
    auto = lst.rows.filter(decision="match").count()
    assert auto > N * 0.8  # Russian renderings with a full date of birth link automatically
    expect_text(page, lang, "date of the list")
    assert page.locator("#accept-automatic").inner_text() == ntr(
        lang, "Confirm the %(counter)s automatic match", "Confirm all %(counter)s automatic matches", auto,
        counter=auto)
    review_url = page.url
    page.goto(review_url.split("?")[0] + "?show=match")
    assert page.locator("article.row-card table.evidence").count() >= 1  # the evidence beside every candidate
    expect_text(page, lang, "In the register", "article.row-card table.evidence")
    screenshot(page, f"analyst-automatic-matches-{lang}", full_page=False)
    page.goto(review_url)
    with page.expect_navigation(timeout=180_000):
        page.click("#accept-automatic", timeout=180_000)
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == auto
    expect_text(page, lang, "%(n)s automatic matches confirmed.", "#operation-text", n=auto)
    assert not lst.rows.filter(decision="match", state=RowState.OPEN).exists()
    # the rows left to review: look at the evidence and confirm the first one by hand
    if lst.rows.filter(state=RowState.OPEN, decision="review").exists():
        first = page.locator("article.row-card").first
        assert first.locator("table.evidence").count() >= 1
        screenshot(page, f"analyst-evidence-{lang}", full_page=False)
        with page.expect_navigation():
            first.locator("button.accept-button").click()
        assert lst.rows.filter(state=RowState.ACCEPTED).count() == auto + 1
    ev = StatusEvent.objects.filter(status="captivity_confirmed").select_related("source").first()
    assert ev.source.kind == "other_side_list" and "2025-06-07" in ev.source.reference
