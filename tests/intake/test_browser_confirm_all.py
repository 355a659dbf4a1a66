"""The analyst confirms every automatic match of a list in the background (issue 19): the click
only starts it; the page shows its progress, again after a reload, its bar moves by itself
(operations/progress.js, under the Content-Security-Policy), and the result is shown at the end.
The worker is run by the test, chunk by chunk, so that the page can be looked at in between."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from homecoming.intake import services
from homecoming.intake.models import RowState
from homecoming.intake.operations import CONFIRM_ALL
from homecoming.operations import runner
from homecoming.registry.models import StatusEvent
from tests.browser import both_languages, expect_text, tr
from tests.operations.helpers import in_chunks_of, only

from .conftest import csv_bytes, russian, synthetic_people

CHUNK = 5


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@both_languages
def test_confirm_all_runs_in_the_background_with_a_progress_bar_that_survives_a_reload(
        browser_page, lang, sign_in, make_user, monkeypatch, screenshot, request):
    from homecoming.registry.services import bulk_create_persons

    registrar = make_user("registrar")
    analyst = make_user("analyst", username="confirm-analyst")
    people = synthetic_people(40, seed=11)
    bulk_create_persons(registrar, people, source_kind="family_application", source_reference="applications",
                        status="missing", effective_date=dt.date(2023, 1, 1))
    rows = [["Фамилия", "Имя", "Отчество", "Дата рождения"]] + [
        [russian(p["last_name"]), russian(p["first_name"]), russian(p["patronymic"]),
         p["birth_date"].strftime("%d.%m.%Y")] for p in people[:24]]
    job = services.stage_upload(analyst, content=csv_bytes(rows), filename="l.csv", kind="list",
                                source_kind="other_side_list", source_reference="mediator",
                                list_date=dt.date(2025, 6, 7))
    job = services.start_import(analyst, job.pk)
    lst = job.incoming_list
    request.getfixturevalue("queued_work")  # from here on, tasks wait for the test's worker
    auto = lst.rows.filter(decision="match", state=RowState.OPEN).count()
    assert auto > 2 * CHUNK
    in_chunks_of(monkeypatch, CONFIRM_ALL, CHUNK)

    page = browser_page
    review = f"/intake/lists/{lst.pk}/?show=review"
    sign_in(page, "confirm-analyst")
    page.goto(review)
    with page.expect_navigation():
        page.click("#accept-automatic")
    # the request only started it: nothing is confirmed yet, the page says it waits for a worker
    assert not StatusEvent.objects.filter(status="captivity_confirmed").exists()
    expect_text(page, lang, "Confirming the automatic matches", "#operation-title")
    expect_text(page, lang, "Waiting for a worker to start it.", "#operation-text")
    assert page.locator("#accept-automatic").count() == 0
    page.reload()
    expect_text(page, lang, "Waiting for a worker to start it.", "#operation-text")
    page.goto("about:blank")  # the worker runs alone with the database: no page asks meanwhile

    seen = []
    should_stop = runner._should_stop

    def look_between_chunks(op_id):
        done = len(seen) * CHUNK  # chunks committed before this look
        if len(seen) == 1:  # after the first chunk: a reload shows the bar where the work is
            page.goto(review)
            bar = page.locator("#operation-progress")
            assert (bar.get_attribute("value"), bar.get_attribute("max")) == (str(done), str(auto))
            expect_text(page, lang, "%(done)s of %(total)s done (%(percent)s%%).", "#operation-text",
                        done=done, total=auto, percent=int(100 * done / auto))
            screenshot(page, f"analyst-confirm-all-progress-{lang}", full_page=False)
        elif len(seen) == 2:  # after the second: the bar moved by itself (its script asked the status)
            expect(page.locator("#operation-progress")).to_have_attribute("value", str(done), timeout=15_000)
            expect_text(page, lang, "%(done)s of %(total)s done (%(percent)s%%).", "#operation-text",
                        done=done, total=auto, percent=int(100 * done / auto))
            page.goto("about:blank")
        seen.append(done)
        return should_stop(op_id)

    monkeypatch.setattr(runner, "_should_stop", look_between_chunks)
    # the dummy backend of the server's thread holds the task (backends are per thread): run the
    # operation that waits, as the worker's task does
    runner.run(only(CONFIRM_ALL).pk)
    assert len(seen) >= 3 and only(CONFIRM_ALL).state == "done"

    page.goto(review)
    expect_text(page, lang, "%(n)s automatic matches confirmed.", "#operation-text", n=auto)
    assert page.locator("#operation-progress").count() == 0
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == auto
    assert tr(lang, "Confirming the automatic matches") in page.locator("#operation-title").inner_text()
