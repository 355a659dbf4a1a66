"""The review queue by keyboard (issue 19): an analyst moves with j, confirms with a, rejects
with r, finds that typing in a field fires nothing, and undoes a decision from the recent
decisions, in Ukrainian and in English. The buttons stay the way in: the keys only press them."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.intake import services
from homecoming.intake.models import IncomingList, RowState
from tests.browser import both_languages, expect_message, expect_text

from .conftest import csv_bytes, russian, synthetic_people


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@both_languages
def test_review_by_keyboard_then_undo(browser_page, lang, sign_in, make_user, screenshot):
    from homecoming.registry.services import bulk_create_persons

    registrar = make_user("registrar")
    analyst = make_user("analyst", username="keys-analyst")
    people = synthetic_people(12, seed=7)
    bulk_create_persons(registrar, people, source_kind="family_application", source_reference="applications",
                        status="missing", effective_date=dt.date(2023, 1, 1))
    # names only (no date of birth): every row waits for a person
    rows = [["Фамилия", "Имя", "Отчество"]] + [[russian(p["last_name"]), russian(p["first_name"]),
                                                  russian(p["patronymic"])] for p in people[:4]]
    job = services.stage_upload(analyst, content=csv_bytes(rows), filename="keys.csv", kind="list",
                                source_kind="other_side_list", source_reference="mediator",
                                list_date=dt.date(2025, 6, 7))
    lst = services.start_import(analyst, job.pk).incoming_list
    assert lst.rows.filter(decision="review").count() >= 3

    page = browser_page
    sign_in(page, "keys-analyst")
    page.goto(f"/intake/lists/{lst.pk}/")
    expect_text(page, lang, "Keys: j or n next row, k or p previous row, a confirm the chosen person, r reject, x "
                "choose the row for a bulk reject, ? this help. They never act while you type in a field; every "
                "button works without them.", "#review-keys-help")
    first = page.locator("article.row-card").first
    first_number = int(first.get_attribute("id").split("-")[1])
    # typing an "a" or an "r" in a field fires nothing
    first.locator("input[name=other]").fill("")
    first.locator("input[name=other]").press("a")
    first.locator("input[name=reason]").press("r")
    assert lst.rows.filter(state=RowState.OPEN).count() == 4
    # j: the first row; a: confirm its chosen person
    page.locator("h1").click()
    page.keyboard.press("j")
    assert "row-current" in first.get_attribute("class")
    with page.expect_navigation():
        page.keyboard.press("a")
    accepted = lst.rows.get(row_number=first_number)
    assert accepted.state == RowState.ACCEPTED
    # the next row to review is now the first one shown: j, then r rejects it
    second = page.locator("article.row-card").first
    second_number = int(second.get_attribute("id").split("-")[1])
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("r")
    expect_message(page, lang, "Row %(row)s rejected.", row=second_number)
    assert lst.rows.get(row_number=second_number).state == RowState.REJECTED
    screenshot(page, f"analyst-review-keys-{lang}", full_page=False)
    # undo the acceptance from the recent decisions: the row is back in the queue, nothing of it left
    with page.expect_navigation():
        page.click(f"#recent-{first_number} button.undo-button")
    expect_message(page, lang, "Row %(row)s: the decision was undone; the row is back in the queue.",
                   row=first_number)
    again = IncomingList.objects.get(pk=lst.pk).rows.get(row_number=first_number)
    assert again.state == RowState.OPEN and again.person_id is None and again.status_event_id is None
    assert page.locator(f"#row-{first_number}").count() == 1
