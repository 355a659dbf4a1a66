"""In a real browser: a returnee comes back (register services + the exchanges app's
person_returned signal); a case worker takes the case, a medical officer closes the medical
examination, one finance officer computes the entitlement and prepares a batch, a second one
approves it and confirms the payment. In Ukrainian and in English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from homecoming.aftercare.models import Case, TaskState
from homecoming.payments.models import Batch, BatchState, LedgerEntry
from tests.browser import both_languages, expect_errors, expect_heading, expect_message, expect_text, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "UA213223130000026007233566001"


def sign_out(page):
    submit(page, ".user-box button[type=submit]")


@both_languages
def test_returnee_from_reconciliation_to_a_paid_batch(browser_page, lang, make_user, make_returnee, sign_in,
                                                     initial_data, screenshot):
    page = browser_page
    worker = make_user("case_worker", username="kateryna")
    make_user("medical_officer", username="medic")
    make_user("finance_officer", username="fin-one")
    make_user("finance_officer", username="fin-two")
    person = make_returnee("Синтетичний", "Богдан", captured=dt.date(2023, 1, 1), returned=dt.date(2023, 3, 1))
    case = Case.objects.get(person=person)

    # The case worker takes the case.
    sign_in(page, "kateryna")
    submit(page, "nav.site-nav a[href='/aftercare/']")
    expect_heading(page, lang, "Aftercare cases", exact=True)
    assert case.reference in page.inner_text("#cases")
    submit(page, f"#cases a[href='/aftercare/{case.pk}/']")
    expect_text(page, lang, "not assigned", "#case-owner")
    page.select_option("#id_owner", str(worker.pk))
    submit(page, "#assign-case")
    expect_message(page, lang, "The case is assigned.")
    assert "kateryna" in page.inner_text("#case-owner")
    exam = case.tasks.get(code="medical-exam")
    assert (exam.title_en if lang == "en" else exam.title_uk) in page.inner_text("#tasks")
    screenshot(page, f"case-worker-case-{lang}")
    assert page.locator("#task-medical-exam a").count() == 0  # medical task: not for the case worker
    sign_out(page)

    # The medical officer closes the medical examination.
    sign_in(page, "medic")
    page.goto(f"/aftercare/{case.pk}/")
    submit(page, "#task-medical-exam a")
    assert page.locator("h1").inner_text() == (exam.title_en if lang == "en" else exam.title_uk)
    page.select_option("#id_state", "done")
    submit(page, "#save-task")  # no outcome: refused, nothing saved
    expect_errors(page, lang)
    page.fill("#id_outcome", "Synthetic outcome: fit, no findings")
    submit(page, "#save-task")
    expect_message(page, lang, "The task is saved.")
    assert "Synthetic outcome" in page.inner_text("#task-medical-exam")
    screenshot(page, f"medical-officer-case-{lang}")
    assert case.tasks.get(code="medical-exam").state == TaskState.DONE
    sign_out(page)

    # The first finance officer records pay data and bank details, computes, prepares a batch.
    sign_in(page, "fin-one")
    submit(page, "nav.site-nav a[href='/payments/']")
    expect_heading(page, lang, "Payments", exact=True)
    submit(page, f"#returnees a[href='/payments/persons/{person.pk}/']")
    expect_text(page, lang, "Payment data", "#h-data")
    page.fill("#id_valid_from", "2020-01-01")
    page.fill("#id_monthly_amount", "3100")
    submit(page, "#add-pay")
    page.fill("#id_iban", IBAN)
    page.fill("#id_account_holder", "Синтетичний Богдан")
    submit(page, "#save-profile")
    expect_message(page, lang, "Saved.")
    submit(page, "#compute")
    expect_message(page, lang, "The entitlement is computed.")
    expect_text(page, lang, "Total, UAH", "#entitlement-total >> xpath=..")
    # 1 Jan .. 28 Feb 2023 = 59 days: 100000 + 59/365 * 100000 (16164.38) + 2 * 3100 = 122364.38
    assert page.inner_text("#entitlement-total").strip() in ("122364.38", "122364,38")
    screenshot(page, f"finance-entitlement-{lang}")
    page.goto("/payments/")
    submit(page, "#prepare-batch")
    batch = Batch.objects.get()
    expect_heading(page, lang, "Payment batch %(ref)s", ref=batch.reference, exact=True)
    expect_message(page, lang, "The batch %(ref)s is prepared: a second finance officer approves it.",
                   ref=batch.reference)
    assert page.locator("#approve-batch").count() == 0  # four eyes: not for the one who prepared it
    sign_out(page)

    # The second finance officer approves; the bank pays; the payment is confirmed.
    sign_in(page, "fin-two")
    page.goto(f"/payments/batches/{batch.pk}/")
    page.check("#checked-approve")
    submit(page, "#approve-batch")
    expect_message(page, lang, "The batch is approved: its lines are in the ledger.")
    assert page.locator("#export-batch").count() == 1
    screenshot(page, f"finance-approved-batch-{lang}")
    page.check("#checked-paid")
    submit(page, "#mark-paid")
    expect_message(page, lang, "The batch is marked paid.")
    batch.refresh_from_db()
    assert batch.state == BatchState.PAID and batch.approved_by.username == "fin-two"
    assert LedgerEntry.objects.get().amount == Decimal("122364.38")
    page.goto("/payments/")
    assert page.inner_text("#total-paid").strip() in ("122364.38", "122364,38")
