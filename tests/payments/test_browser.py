"""In a real browser: a returnee comes back (register services + the exchanges app's
person_returned signal); a case worker takes the case, a medical officer closes the medical
examination, one finance officer computes the entitlement and prepares a batch, a second one
approves it and confirms the payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from homecoming.aftercare.models import Case, TaskState
from homecoming.payments.models import Batch, BatchState, LedgerEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "UA213223130000026007233566001"


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def sign_out(page):
    submit(page, ".user-box button[type=submit]")


def test_returnee_from_reconciliation_to_a_paid_batch(browser_page, make_user, make_returnee, sign_in,
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
    assert case.reference in page.inner_text("#cases")
    submit(page, f"#cases a[href='/aftercare/{case.pk}/']")
    page.select_option("#id_owner", str(worker.pk))
    submit(page, "#assign-case")
    assert "kateryna" in page.inner_text("#case-owner")
    screenshot(page, "case-worker-case-uk")
    assert page.locator("#task-medical-exam a").count() == 0  # medical task: not for the case worker
    sign_out(page)

    # The medical officer closes the medical examination.
    sign_in(page, "medic")
    page.goto(f"/aftercare/{case.pk}/")
    submit(page, "#task-medical-exam a")
    page.select_option("#id_state", "done")
    submit(page, "#save-task")  # no outcome: refused, nothing saved
    assert page.locator(".error-summary").count() == 1
    page.fill("#id_outcome", "Synthetic outcome: fit, no findings")
    submit(page, "#save-task")
    assert "Synthetic outcome" in page.inner_text("#task-medical-exam")
    screenshot(page, "medical-officer-case-uk")
    assert case.tasks.get(code="medical-exam").state == TaskState.DONE
    sign_out(page)

    # The first finance officer records pay data and bank details, computes, prepares a batch.
    sign_in(page, "fin-one")
    submit(page, "nav.site-nav a[href='/payments/']")
    submit(page, f"#returnees a[href='/payments/persons/{person.pk}/']")
    page.fill("#id_valid_from", "2020-01-01")
    page.fill("#id_monthly_amount", "3100")
    submit(page, "#add-pay")
    page.fill("#id_iban", IBAN)
    page.fill("#id_account_holder", "Синтетичний Богдан")
    submit(page, "#save-profile")
    submit(page, "#compute")
    # 1 Jan .. 28 Feb 2023 = 59 days: 100000 + 59/365 * 100000 (16164.38) + 2 * 3100 = 122364.38
    assert page.inner_text("#entitlement-total").strip() in ("122364.38", "122364,38")
    screenshot(page, "finance-entitlement-uk")
    page.goto("/payments/")
    submit(page, "#prepare-batch")
    batch = Batch.objects.get()
    assert page.locator("#approve-batch").count() == 0  # four eyes: not for the one who prepared it
    sign_out(page)

    # The second finance officer approves; the bank pays; the payment is confirmed.
    sign_in(page, "fin-two")
    page.goto(f"/payments/batches/{batch.pk}/")
    submit(page, "#approve-batch")
    assert page.locator("#export-batch").count() == 1
    screenshot(page, "finance-approved-batch-uk")
    submit(page, "#mark-paid")
    batch.refresh_from_db()
    assert batch.state == BatchState.PAID and batch.approved_by.username == "fin-two"
    assert LedgerEntry.objects.get().amount == Decimal("122364.38")
    page.goto("/payments/")
    assert page.inner_text("#total-paid").strip() in ("122364.38", "122364,38")
