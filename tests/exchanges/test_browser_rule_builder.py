"""A negotiator builds an eligibility rule with forms in the browser, in Ukrainian and in English
(issue 19): a field, a condition and values per row, a group of "any of", the inputs that fit each
field shown by the page's script, the preview's count refreshed as the rule changes, then saved;
the saved rule is exactly the JSON the forms state."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser import both_languages, expect_heading, expect_message, tr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wait_for_count(page, n: int) -> None:
    """The preview, refreshed by the page's script after a change, counts ``n`` eligible of ours."""
    page.wait_for_function("n => { const c = document.querySelector('#eligible-count-ours');"
                           " return c !== null && c.textContent.trim() === String(n); }", arg=n)


@both_languages
def test_negotiator_builds_a_rule_with_forms(browser_page, lang, sign_in, make_user, make_person, screenshot):
    from homecoming.exchanges import services
    from homecoming.exchanges.models import Category

    page = browser_page
    negotiator = make_user("negotiator", username="iryna")
    agreement = services.create_agreement(negotiator, {"title": "Istanbul, 2 June 2025", "date": "2025-06-02"})
    make_person("Молодий", "Назар", birth_date=dt.date(2003, 3, 1), medical_category="none")
    make_person("Старий", "Петро", birth_date=dt.date(1970, 3, 1), medical_category="seriously_ill")
    make_person("Середній", "Іван", birth_date=dt.date(1985, 3, 1), medical_category="wounded")
    sign_in(page, "iryna")
    page.goto(f"/exchanges/agreements/{agreement.pk}/categories/new/")
    expect_heading(page, lang, "New category", exact=True)
    page.fill("#id_name_uk", "до 25 або тяжкохворі")
    page.fill("#id_name_en", "under 25 or seriously ill")

    # condition 1: the whole rule is "any of"; age on 2 June 2025 ≤ 24
    page.select_option("#rb-join", "or")
    page.select_option("#id_rb-0-subject", "age_on")
    assert page.is_visible("#id_rb-0-date") and not page.is_visible("#id_rb-0-value")  # the script's doing
    page.fill("#id_rb-0-date", "2025-06-02")
    page.select_option("#id_rb-0-op", "≤")
    page.fill("#id_rb-0-number", "24")
    page.press("#id_rb-0-number", "Tab")
    _wait_for_count(page, 1)

    # condition 2: a group, its first row "medical category is one of seriously wounded, seriously ill"
    with page.expect_navigation():
        page.click("#rb-add-group")
    page.select_option("#id_rb-1-0-subject", "medical_category")
    assert not page.is_visible("#id_rb-1-0-date")
    ops = page.eval_on_selector("#id_rb-1-0-op", "s => Array.from(s.options).map(o => o.value)")
    assert "<" not in ops and "in" in ops  # only what the engine accepts for a field
    page.select_option("#id_rb-1-0-op", "in")
    page.select_option("#id_rb-1-0-values", ["seriously_wounded", "seriously_ill"])
    _wait_for_count(page, 2)
    preview = page.inner_text("#rule-preview")
    assert "Молодий" in preview and "Старий" in preview and "Середній" in preview  # wounded: just outside
    screenshot(page, f"negotiator-rule-builder-{lang}")

    with page.expect_navigation():
        page.click("#save-category")
    expect_message(page, lang, "Category saved.")
    rule = Category.objects.get(name_en="under 25 or seriously ill").rule
    chosen = rule["or"][1]["or"][0]["in"][1]  # in the order the list shows them, which is the language's
    assert sorted(chosen) == ["seriously_ill", "seriously_wounded"]
    assert rule == {"or": [{"≤": [{"age_on": "2025-06-02"}, 24]},
                           {"or": [{"in": [{"field": "medical_category"}, chosen]}]}]}

    # a bad value: the error stands next to its row, in the page's language, and nothing is saved
    category = Category.objects.get(name_en="under 25 or seriously ill")
    page.goto(f"/exchanges/categories/{category.pk}/edit/")
    page.fill("#id_rb-0-number", "")
    with page.expect_navigation():
        page.click("#save-category")
    assert tr(lang, "Enter a number.") in page.inner_text("#rb-0")
    category.refresh_from_db()
    assert category.rule["or"][0] == {"≤": [{"age_on": "2025-06-02"}, 24]}
