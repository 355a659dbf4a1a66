"""In a real browser: a registrar finds, reads, creates, corrects and merges persons; the journey
runs in Ukrainian and in English (the browser asks for the language), and ends by switching to
the other language with the header's language form."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.registry import services
from homecoming.registry.models import Person
from tests.browser import both_languages, expect_errors, expect_heading, expect_message, submit, switch_language, tr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@both_languages
def test_registrar_walks_the_register(browser_page, lang, make_user, sign_in, screenshot):
    page = browser_page
    registrar = make_user("registrar", username="olena")
    existing = services.create_person(
        registrar, {"last_name": "Петренко", "first_name": "Олександр", "patronymic": "Миколайович",
                    "birth_date": dt.date(1994, 6, 12)},
        initial_event={"status": "missing", "effective_date": dt.date(2022, 3, 15),
                       "source_kind": "family_application"})
    services.create_person(registrar, {"last_name": "Петренко", "first_name": "Василь", "patronymic": "Богданович"})
    sign_in(page, "olena")

    # Find (a Latin query finds the Cyrillic record).
    submit(page, "nav.site-nav a[href='/persons/']")
    expect_heading(page, lang, "Register", exact=True)
    page.fill("#id_q", "Oleksandr Petrenko")
    submit(page, "#search-submit")
    rows = page.locator("table.register tbody tr")
    assert rows.count() == 1 and existing.reference in rows.first.inner_text()
    screenshot(page, f"registrar-search-{lang}")

    # Read.
    submit(page, f"text={existing.reference}")
    assert page.locator("#person-name").inner_text() == "Петренко Олександр Миколайович"
    assert page.locator("#current-status").inner_text() == tr(lang, "Missing")
    expect_heading(page, lang, "Status history", selector="#h-timeline", exact=True)

    # Correct: a new status event.
    submit(page, "#add-event")
    expect_heading(page, lang, "Add status event")
    submit(page, "#save-event")  # empty: the error summary, nothing saved
    expect_errors(page, lang)
    page.select_option("#id_status", "captivity_confirmed")
    page.fill("#id_effective_date", "2022-09-01")
    page.select_option("#id_source_kind", "icrc")
    page.fill("#id_source_reference", "МКЧХ-ТЕСТ-1")
    submit(page, "#save-event")
    expect_message(page, lang, "Status event added.")
    assert page.locator("#current-status").inner_text() == tr(lang, "Captivity confirmed")
    assert "МКЧХ-ТЕСТ-1" in page.locator("#timeline").inner_text()
    screenshot(page, f"registrar-person-{lang}")

    # Create a second record of the same person (Russian spelling): warned, then confirmed.
    page.goto("/persons/new/")
    expect_heading(page, lang, "New record", exact=True)
    page.fill("#id_last_name", "Петренко")
    page.fill("#id_first_name", "Александр")
    page.fill("#id_patronymic", "Николаевич")
    page.fill("#id_birth_date", "1994-06-12")
    submit(page, "#save-person")
    assert page.locator("#duplicate-warning").is_visible()
    expect_heading(page, lang, "This person may already be in the register", selector="#duplicate-warning h2")
    assert existing.reference in page.locator("#duplicate-candidates").inner_text()
    screenshot(page, f"registrar-duplicate-warning-{lang}")
    page.check("#id_confirm_duplicate")
    submit(page, "#save-person")
    duplicate = Person.objects.get(first_name="Александр")
    assert duplicate.reference in page.locator("h1").inner_text()
    expect_message(page, lang, "Record %(ref)s created.", ref=duplicate.reference)

    # Merge it into the first record, then undo, then merge again.
    page.goto(f"/persons/{existing.pk}/merge/")
    expect_heading(page, lang, "Merge a duplicate")
    submit(page, f"#merge-candidates >> text={duplicate.reference}")
    assert page.locator("#merge-compare").is_visible()
    screenshot(page, f"registrar-merge-{lang}")
    submit(page, "#confirm-merge")
    expect_message(page, lang, "%(dup)s was merged into %(ref)s.", dup=duplicate.reference, ref=existing.reference)
    assert "Александр" in page.locator("#alternative-names").inner_text()
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == existing.pk
    submit(page, "#merges button")
    expect_message(page, lang, "The merge was undone: %(dup)s is a separate record again.", dup=duplicate.reference)
    assert Person.objects.get(pk=duplicate.pk).merged_into_id is None

    # Another person: edit a field (the edit history shows it), add a Latin name.
    page.goto("/persons/?q=петренко+в")
    rows = page.locator("table.register tbody tr")
    assert rows.count() == 1 and "Петренко Василь" in rows.first.inner_text()
    submit(page, "table.register tbody tr >> a.person-name")
    assert page.locator("#current-status").inner_text() == "—"
    submit(page, "#edit-person")
    vasyl = Person.objects.get(first_name="Василь")
    expect_heading(page, lang, "Edit %(ref)s", ref=vasyl.reference)
    page.fill("#id_unit", "military unit A0000")
    submit(page, "#save-person")
    expect_message(page, lang, "Changes saved.")
    assert "military unit A0000" in page.locator("#edit-history").inner_text()
    expect_heading(page, lang, "Edit history", selector="#h-history", exact=True)
    screenshot(page, f"registrar-edit-history-{lang}")
    submit(page, "#add-name")
    expect_heading(page, lang, "Add alternative name")
    page.fill("#id_last_name", "Petrenko")
    page.fill("#id_first_name", "Vasyl")
    page.select_option("#id_script", "latin")
    submit(page, "#save-name")
    expect_message(page, lang, "Alternative name added.")
    assert "Petrenko Vasyl" in page.locator("#alternative-names").inner_text()

    # The header's language form switches to the other language, and it stays chosen.
    other = "en" if lang == "uk" else "uk"
    switch_language(page, other)
    page.goto("/persons/")
    expect_heading(page, other, "Register", exact=True)
