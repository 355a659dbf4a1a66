"""A negotiator goes from an agreement to a reconciled stage and a published communiqué, in the browser."""

from __future__ import annotations

import datetime as dt
import json

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_negotiator_walks_from_agreement_to_communique(browser_page, sign_in, make_user, make_person, tmp_path,
                                                        screenshot):
    page = browser_page
    # a transactional test may find the reference lists flushed by an earlier one: make sure they exist
    from homecoming.registry.models import Branch, Direction, Operation, Rank

    Branch.objects.get_or_create(code="navy", defaults={"name_uk": "Військово-Морські Сили ЗСУ",
                                                        "name_en": "Armed Forces: Navy"})
    Direction.objects.get_or_create(code="donetsk", defaults={"name_uk": "Донецький", "name_en": "Donetsk"})
    Operation.objects.get_or_create(code="mariupol", defaults={"name_uk": "Оборона Маріуполя",
                                                               "name_en": "Defence of Mariupol"})
    Rank.objects.get_or_create(code="sergeant", defaults={"name_uk": "Сержант", "name_en": "Sergeant",
                                                          "category": "nco"})
    make_user("negotiator", username="iryna")
    ours = make_person("Петренко", "Олександр", patronymic="Миколайович", birth_date=dt.date(1990, 5, 17),
                       medical_category="seriously_wounded", incident_date=dt.date(2022, 5, 17),
                       operation="mariupol", branch="navy", rank="sergeant", direction="donetsk",
                       history=[("missing", dt.date(2022, 5, 17)), ("captivity_confirmed", dt.date(2022, 8, 1))])
    make_person("Иванов", "Иван", side="enemy", medical_category="seriously_ill")
    make_person("Бойко", "Андрій", medical_category="wounded")  # just outside
    sign_in(page, "iryna")
    # English, to read the page as the assertions do
    page.select_option("#language-select", "en")
    with page.expect_navigation():
        page.click(".lang-form button[type=submit]")

    page.goto("/exchanges/")
    page.click("#new-agreement")
    page.fill("#id_title", "Istanbul, 2 June 2025")
    page.fill("#id_date", "2025-06-02")
    page.fill("#id_place", "Istanbul")
    with page.expect_navigation():
        page.click("#save-agreement")
    page.click("#new-category")
    page.fill("#id_name_uk", "тяжкопоранені та тяжкохворі")
    page.fill("#id_name_en", "seriously wounded and seriously ill")
    page.fill("#id_rule", json.dumps({"in": [{"field": "medical_category"},
                                             ["seriously_wounded", "seriously_ill"]]}))
    with page.expect_navigation():
        page.click("#check-rule")
    preview = page.inner_text("#rule-preview")
    assert "Петренко" in preview and "Бойко" in preview and "must be one of" in preview
    screenshot(page, "negotiator-rule-preview-en")
    with page.expect_navigation():
        page.click("#save-category")
    page.fill("#id_planned_date", "2025-06-12")
    with page.expect_navigation():
        page.click("#new-stage")

    # our side from the pool, then the other side
    page.click("[id^=pool-ours-]")
    page.check(f"#pick-{ours.pk}")
    with page.expect_navigation():
        page.click("#add-selected")
    assert "Петренко" in page.inner_text("main")
    page.click("[id^=pool-enemy-]")
    with page.expect_navigation():
        page.click("#add-all")
    assert "Иванов" in page.inner_text("main")
    screenshot(page, "negotiator-stage-lists-en")

    # the other side's counter-list confirms our entry; we confirm theirs by hand
    csv_path = tmp_path / "theirs.csv"
    csv_path.write_text("full_name;birth_date\nПЕТРЕНКО Александр Николаевич;17.05.1990\n", encoding="utf-8")
    page.set_input_files("#id_file", str(csv_path))
    with page.expect_navigation():
        page.click("#upload-counter-list")
    assert "1 matched (1 confirmed)" in page.inner_text(".messages")
    entry_forms = page.locator("form.entry-form")
    for i in range(entry_forms.count()):
        form = entry_forms.nth(i)
        if form.locator("option[value=confirmed]").count():
            form.locator("select").select_option("confirmed")
            with page.expect_navigation():
                form.locator("button").click()
            break

    for status in ("lists_sent", "lists_agreed"):
        page.select_option("#id_status", status)
        with page.expect_navigation():
            page.click("#change-status")
    page.select_option("#id_status", "carried_out")
    page.fill("#id_carried_out_on", "2025-06-12")
    with page.expect_navigation():
        page.click("#change-status")
    with page.expect_navigation():
        page.click("#record-final-list")
    assert "2 recorded as crossed" in page.inner_text(".messages")
    with page.expect_navigation():
        page.click("#reconcile-link")
    with page.expect_navigation():
        page.click("#confirm-reconcile")
    assert "Returned as listed" in page.inner_text("main")
    assert "missing before captivity was confirmed" in page.inner_text("#group-considered_missing")
    screenshot(page, "negotiator-reconciliation-report-en")
    with page.expect_navigation():
        page.click("#communique-link")
    english = page.input_value("#text-en")
    assert "1 defender returned home" in english and "Defence of Mariupol" in english
    assert "повернувся 1 захисник" in page.input_value("#text-uk")
    with page.expect_navigation():
        page.click("#publish")
    assert page.locator("#published-note").is_visible()
    screenshot(page, "negotiator-communique-en")
