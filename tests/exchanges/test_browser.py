"""A negotiator goes from an agreement to a reconciled stage and a published communiqué, in the browser,
in Ukrainian and in English."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.browser import both_languages, expect_heading, expect_message, expect_text, tr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@both_languages
def test_negotiator_walks_from_agreement_to_communique(browser_page, lang, sign_in, make_user, make_person, tmp_path,
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

    page.goto("/exchanges/")
    expect_heading(page, lang, "Agreements and exchanges", exact=True)
    with page.expect_navigation():
        page.click("#new-agreement")
    expect_heading(page, lang, "New agreement", exact=True)
    page.fill("#id_title", "Istanbul, 2 June 2025")
    page.fill("#id_date", "2025-06-02")
    page.fill("#id_place", "Istanbul")
    with page.expect_navigation():
        page.click("#save-agreement")
    with page.expect_navigation():
        page.click("#new-category")
    expect_heading(page, lang, "New category", exact=True)
    page.fill("#id_name_uk", "тяжкопоранені та тяжкохворі")
    page.fill("#id_name_en", "seriously wounded and seriously ill")
    page.fill("#id_rule", json.dumps({"in": [{"field": "medical_category"},
                                             ["seriously_wounded", "seriously_ill"]]}))
    with page.expect_navigation():
        page.click("#check-rule")
    expect_text(page, lang, "Result of the rule (not saved yet)", "#preview-title")
    preview = page.inner_text("#rule-preview")
    assert "Петренко" in preview and "Бойко" in preview
    # Бойко, wounded, is just outside, with the reason in words: "... (must be one of ...)"
    must_be_one_of = tr(lang, "%(subject)s (must be %(condition)s)", subject="",
                        condition=tr(lang, "one of %(values)s", values="")).strip(" )")
    assert must_be_one_of in preview and tr(lang, "medical category") in preview, (must_be_one_of, preview)
    screenshot(page, f"negotiator-rule-preview-{lang}")
    with page.expect_navigation():
        page.click("#save-category")
    page.fill("#id_planned_date", "2025-06-12")
    with page.expect_navigation():
        page.click("#new-stage")
    expect_heading(page, lang, "Stage %(n)s", n=1)

    # our side from the pool, then the other side
    with page.expect_navigation():
        page.click("[id^=pool-ours-]")
    expect_heading(page, lang, "Pool")
    page.check(f"#pick-{ours.pk}")
    with page.expect_navigation():
        page.click("#add-selected")
    assert "Петренко" in page.inner_text("main")
    page.click("[id^=pool-enemy-]")
    with page.expect_navigation():
        page.click("#add-all")
    assert "Иванов" in page.inner_text("main")
    screenshot(page, f"negotiator-stage-lists-{lang}")

    # the other side's counter-list confirms our entry; we confirm theirs by hand
    csv_path = tmp_path / "theirs.csv"
    csv_path.write_text("full_name;birth_date\nПЕТРЕНКО Александр Николаевич;17.05.1990\n", encoding="utf-8")
    page.set_input_files("#id_file", str(csv_path))
    with page.expect_navigation():
        page.click("#upload-counter-list")
    expect_message(page, lang, "Counter-list: %(m)s matched (%(c)s confirmed), %(r)s to review, %(n)s not on "
                   "our lists; %(o)s of our entries are not on theirs.", m=1, c=1, r=0, n=0, o=1)
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
    expect_message(page, lang, "%(n)s recorded as crossed.", n=2)
    with page.expect_navigation():
        page.click("#reconcile-link")
    expect_heading(page, lang, "Reconcile the stage", exact=True)
    with page.expect_navigation():
        page.click("#confirm-reconcile")
    expect_heading(page, lang, "Reconciliation report", exact=True)
    expect_text(page, lang, "Returned as listed")
    expect_text(page, lang, "missing before captivity was confirmed", "#group-considered_missing")
    screenshot(page, f"negotiator-reconciliation-report-{lang}")
    with page.expect_navigation():
        page.click("#communique-link")
    expect_heading(page, lang, "Communiqué", exact=True)
    # both texts are generated whatever the reader's language
    english = page.input_value("#text-en")
    assert "1 defender returned home" in english and "Defence of Mariupol" in english
    assert "повернувся 1 захисник" in page.input_value("#text-uk")
    with page.expect_navigation():
        page.click("#publish")
    assert page.locator("#published-note").is_visible()
    screenshot(page, f"negotiator-communique-{lang}")
