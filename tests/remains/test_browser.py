"""In a real browser: a forensic expert records a transfer of remains and remains of it with a
document found bearing a name in Russian, reads the candidates (the missing person first, with the
evidence field by field), opens an identification and proposes it; a registrar confirms it. In
Ukrainian and in English; every page is checked by axe-core (tests/accessibility.py) when the
journey ends, and the pictures of the forensic expert's guide are taken here."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.registry import services as registry
from homecoming.remains.models import Identification, IdentificationState, Remains, Transfer
from tests.browser import both_languages, expect_errors, expect_heading, expect_message, expect_text, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    submit(page, ".user-box button[type=submit]")


@both_languages
def test_forensic_expert_from_a_transfer_to_a_confirmed_identification(browser_page, lang, make_user, sign_in,
                                                                       screenshot):
    page = browser_page
    make_user("forensic_expert", username="expert")
    registrar = make_user("registrar", username="registrar")
    person = registry.create_person(registrar, {
        "last_name": "Синтетичний", "first_name": "Остап", "patronymic": "Вигаданович", "sex": "male",
        "birth_date": "1996-02-03", "incident_place": "Синтетичне", "incident_date": "2024-11-02"},
        initial_event={"status": "missing", "effective_date": dt.date(2024, 11, 2), "source_kind": "unit_report",
                       "source_reference": "synthetic unit report"})

    # The forensic expert records a transfer: a discrepancy without an explanation is refused.
    sign_in(page, "expert")
    submit(page, "nav.site-nav a[href='/remains/']")
    expect_heading(page, lang, "Transfers of remains", exact=True)
    page.fill("#id_received_on", "2025-06-14")
    page.fill("#id_place", "Синтетичний пункт передачі")
    page.fill("#id_declared_count", "3")
    page.fill("#id_received_count", "2")
    submit(page, "#record-transfer")
    expect_errors(page, lang)
    assert Transfer.objects.count() == 0
    page.fill("#id_discrepancy_note", "Одне тіло не передано")
    submit(page, "#record-transfer")
    expect_message(page, lang, "The transfer is recorded.")
    transfer = Transfer.objects.get()
    assert transfer.reference in page.inner_text("#transfers")
    screenshot(page, f"forensic-expert-transfers-{lang}")

    # Remains of it, with their post-mortem data.
    submit(page, f"#transfers a[href='/remains/transfers/{transfer.pk}/']")
    expect_heading(page, lang, "Transfer %(ref)s", ref=transfer.reference, exact=True)
    page.select_option("#id_sex", "male")
    page.fill("#id_age_min", "25")
    page.fill("#id_age_max", "35")
    page.fill("#id_declared_place", "Синтетичне")
    page.fill("#id_declared_date", "2025-03-01")
    submit(page, "#record-remains")
    expect_message(page, lang, "The remains are recorded.")
    remains = Remains.objects.get()
    submit(page, f"#remains a[href='/remains/{remains.pk}/']")
    expect_heading(page, lang, "Remains %(ref)s", ref=remains.case_number, exact=True)

    # A military tag found with them, the name written in Russian: the person comes first.
    page.select_option("#id_effect-kind", "military_id")
    page.fill("#id_effect-description", "Жетон")
    page.fill("#id_effect-name_as_found", "Синтетичный Остап Выдуманович")
    submit(page, "#add-effect")
    expect_message(page, lang, "The effect or document is recorded.")
    first = page.locator("section.candidate").first
    assert first.get_attribute("id") == f"candidate-{person.pk}"
    expect_text(page, lang, "Name on a document found", f"#candidate-{person.pk}")
    screenshot(page, f"forensic-expert-candidates-{lang}")

    # An identification by the documents found, proposed for confirmation.
    page.fill("#id_identify-person", person.reference)
    page.select_option("#id_identify-method", "documents")
    page.fill("#id_identify-reasoning", "Жетон з ім'ям, вік і місце збігаються")
    submit(page, "#open-identification")
    expect_message(page, lang, "The identification is opened.")
    identification = Identification.objects.get()
    expect_heading(page, lang, "Identification %(ref)s", ref=str(identification), exact=True)
    page.fill("#propose-reasoning", "Жетон з ім'ям, вік і місце збігаються")
    submit(page, "#propose")
    expect_message(page, lang, "The identification is proposed for confirmation.")
    assert page.locator("#confirm").count() == 0  # a second person confirms
    screenshot(page, f"forensic-expert-identification-{lang}")
    sign_out(page)

    # A registrar confirms it: the death is written into the register, the family is told first.
    sign_in(page, "registrar")
    submit(page, "nav.site-nav a[href='/remains/identifications/']")
    expect_heading(page, lang, "Identifications", exact=True)
    submit(page, f"a[href='/remains/identifications/{identification.pk}/']")
    submit(page, "#confirm")
    expect_message(page, lang, "The identification is confirmed. Tell the family in person first.")
    expect_text(page, lang, "Confirmed", "#identification-state")
    expect_text(page, lang, "Tell the family in person", "#tasks")
    screenshot(page, f"registrar-identification-confirmed-{lang}")
    identification.refresh_from_db()
    person.refresh_from_db()
    assert identification.state == IdentificationState.CONFIRMED
    assert identification.confirmed_by == registrar and person.current_status == "deceased"
