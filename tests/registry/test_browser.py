"""In a real browser: a registrar finds, reads, creates, corrects and merges persons, in
Ukrainian and in English (switching with the header's language form)."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.registry import services
from homecoming.registry.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_registrar_walks_the_register_in_both_languages(browser_page, make_user, sign_in, screenshot):
    page = browser_page
    registrar = make_user("registrar", username="olena")
    existing = services.create_person(
        registrar, {"last_name": "Петренко", "first_name": "Олександр", "patronymic": "Миколайович",
                    "birth_date": dt.date(1994, 6, 12)},
        initial_event={"status": "missing", "effective_date": dt.date(2022, 3, 15),
                       "source_kind": "family_application"})
    services.create_person(registrar, {"last_name": "Петренко", "first_name": "Василь", "patronymic": "Богданович"})
    sign_in(page, "olena")

    # Find (Ukrainian interface, Latin query).
    page.click("nav.site-nav >> text=Реєстр")
    page.wait_for_load_state()
    page.fill("#id_q", "Oleksandr Petrenko")
    submit(page, "#search-submit")
    rows = page.locator("table.register tbody tr")
    assert rows.count() == 1 and existing.reference in rows.first.inner_text()
    screenshot(page, "registrar-search-uk")

    # Read.
    submit(page, f"text={existing.reference}")
    assert page.locator("#person-name").inner_text() == "Петренко Олександр Миколайович"
    assert page.locator("#current-status").inner_text() == "Зниклий безвісти"

    # Correct: a new status event.
    submit(page, "#add-event")
    submit(page, "#save-event")  # empty: the error summary, nothing saved
    assert page.locator(".error-summary").is_visible()
    page.select_option("#id_status", "captivity_confirmed")
    page.fill("#id_effective_date", "2022-09-01")
    page.select_option("#id_source_kind", "icrc")
    page.fill("#id_source_reference", "МКЧХ-ТЕСТ-1")
    submit(page, "#save-event")
    assert page.locator("#current-status").inner_text() == "Полон підтверджено"
    assert "МКЧХ-ТЕСТ-1" in page.locator("#timeline").inner_text()
    screenshot(page, "registrar-person-uk")

    # Create a second record of the same person (Russian spelling): warned, then confirmed.
    page.goto("/persons/new/")
    page.fill("#id_last_name", "Петренко")
    page.fill("#id_first_name", "Александр")
    page.fill("#id_patronymic", "Николаевич")
    page.fill("#id_birth_date", "1994-06-12")
    submit(page, "#save-person")
    assert page.locator("#duplicate-warning").is_visible()
    assert existing.reference in page.locator("#duplicate-candidates").inner_text()
    screenshot(page, "registrar-duplicate-warning-uk")
    page.check("#id_confirm_duplicate")
    submit(page, "#save-person")
    duplicate = Person.objects.get(first_name="Александр")
    assert duplicate.reference in page.locator("h1").inner_text()

    # Merge it into the first record, then undo, then merge again.
    page.goto(f"/persons/{existing.pk}/merge/")
    submit(page, f"#merge-candidates >> text={duplicate.reference}")
    assert page.locator("#merge-compare").is_visible()
    screenshot(page, "registrar-merge-uk")
    submit(page, "#confirm-merge")
    assert "Александр" in page.locator("#alternative-names").inner_text()
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == existing.pk
    submit(page, "#merges button")
    assert Person.objects.get(pk=duplicate.pk).merged_into_id is None

    # Switch to English and do it again: find, read, correct.
    page.select_option("#language-select", "en")
    submit(page, ".lang-form button")
    page.goto("/persons/?q=петренко+в")
    assert page.locator("h1").inner_text() == "Register"
    rows = page.locator("table.register tbody tr")
    assert rows.count() == 1 and "Петренко Василь" in rows.first.inner_text()
    submit(page, "table.register tbody tr >> a.person-name")
    assert page.locator("#current-status").inner_text() == "—"
    submit(page, "#edit-person")
    page.fill("#id_unit", "military unit A0000")
    submit(page, "#save-person")
    assert "Changes saved." in page.locator(".messages").inner_text()
    assert "military unit A0000" in page.locator("#edit-history").inner_text()
    screenshot(page, "registrar-person-en")
    submit(page, "#add-name")
    page.fill("#id_last_name", "Petrenko")
    page.fill("#id_first_name", "Vasyl")
    page.select_option("#id_script", "latin")
    submit(page, "#save-name")
    assert "Petrenko Vasyl" in page.locator("#alternative-names").inner_text()
