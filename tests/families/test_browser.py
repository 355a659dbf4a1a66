"""In a real browser, as people do it: a family files an inquiry on a phone without JavaScript,
a registrar links it, the status changes, the family reads the portal and the message; in Ukrainian
and in English (the family's browser asks for the language; the messages follow the inquiry's)."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.template.defaultfilters import date as date_filter
from django.utils import translation

from homecoming.aftercare import services as aftercare
from homecoming.registry import services as registry_services
from tests.browser import LOCALES, both_languages, expect_errors, expect_heading, expect_message, expect_text, ntr, tr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def family_page(_playwright_browser, live_server, lang):
    """A phone-sized page with JavaScript switched off, as a family member might use it."""
    context = _playwright_browser.new_context(base_url=live_server.url, locale=LOCALES[lang], java_script_enabled=False,
                                              viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@both_languages
def test_inquiry_link_status_portal_and_message(family_page, browser_page, lang, sign_in, make_user, settings,
                                                screenshot):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    registrar = make_user("registrar", username="reg-olena")
    person = registry_services.create_person(
        registrar, {"last_name": "Тестенко", "first_name": "Арсеній", "patronymic": "Вигаданович",
                    "birth_date": "1995-03-04"},
        initial_event={"status": "missing", "effective_date": dt.date(2023, 4, 20), "source_kind": "unit_report",
                       "source_reference": "synthetic report"})

    # The family files the inquiry and writes down the reference and the code.
    page = family_page
    page.goto("/family/inquiry/")
    expect_heading(page, lang, "Inquiry about a relative", exact=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone
    page.fill("#id_last_name", "Тестенко")
    page.fill("#id_first_name", "Арсеній")
    page.fill("#id_birth_date", "04.03.1995")
    page.fill("#id_inquirer_name", "Олена Тестенко")
    page.select_option("#id_relation", "mother")
    page.fill("#id_email", "family@example.org")
    with page.expect_navigation():
        page.click("#inquiry-submit")  # no consent yet: refused, with the field named
    assert page.locator(".error-summary a[href='#id_consent']").is_visible()
    expect_errors(page, lang)
    page.check("#id_consent")
    with page.expect_navigation():
        page.click("#inquiry-submit")
    expect_heading(page, lang, "Inquiry received", exact=True)
    reference = page.locator("#inquiry-reference").inner_text()
    code = page.locator("#inquiry-secret").inner_text()
    assert re.fullmatch(r"INQ-\w{4}-\w{2}", reference) and len(code) == 19
    screenshot(page, f"family-inquiry-filed-{lang}")
    assert code in mail.outbox[0].body

    # The registrar links it to the person the linkage engine proposes.
    staff = browser_page
    sign_in(staff, "reg-olena")
    staff.goto("/families/")
    expect_heading(staff, lang, "Family inquiries", "families", exact=True)
    with staff.expect_navigation():
        staff.click(f"a:text-is('{reference}')")
    expect_heading(staff, lang, "Inquiry %(ref)s", ref=reference)
    staff.wait_for_load_state()
    staff.locator(".family-candidate").first.wait_for()
    # the engine's evidence in the reader's words (field names and comparison levels were English codes)
    expect_text(staff, lang, "Date of birth", ".family-candidate table")
    expect_text(staff, lang, "same date", ".family-candidate table")
    with staff.expect_navigation():
        staff.click(f"#link-{person.pk}")
    assert person.reference in staff.locator("#linked-person").inner_text()
    expect_heading(staff, lang, "What the family sees on the portal", selector="#sees-title", exact=True)
    screenshot(staff, f"registrar-inquiry-linked-{lang}")

    # The register records the confirmation of captivity (the source is an enemy list).
    registry_services.add_status_event(registrar, person.pk, status="captivity_confirmed",
                                       effective_date=dt.date(2024, 1, 10), source_kind="other_side_list",
                                       source_reference="SYNTHETIC-LIST-9", note="held at a synthetic place")

    # The family reads the portal: plain words, the date, nothing about the place or the source.
    captive = tr(lang, "Captivity confirmed", "families")
    page.goto("/family/")
    expect_heading(page, lang, "Follow your inquiry", exact=True)
    page.fill("#id_reference", reference.lower())
    page.fill("#id_code", code)
    with page.expect_navigation():
        page.click("#portal-submit")
    expect_heading(page, lang, "Captivity confirmed", "families", exact=True)
    screenshot(page, f"family-portal-{lang}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    text = page.locator("main").inner_text()
    with translation.override(lang):
        assert date_filter(dt.date(2024, 1, 10), "j E Y") in text  # "10 January 2024", "10 січня 2024"
    for hidden in ("SYNTHETIC-LIST-9", "synthetic place", person.reference):
        assert hidden not in text
    assert code not in page.url and reference not in page.url

    # ... and the message, in the language they chose.
    message = mail.outbox[-1]
    assert message.to == ["family@example.org"] and captive in message.body
    assert "SYNTHETIC-LIST-9" not in message.body and code not in message.body

    # A wrong code shows nothing at all.
    page.goto("/family/")
    page.fill("#id_reference", reference)
    page.fill("#id_code", "AAAA-BBBB-CCCC-DDDD")
    with page.expect_navigation():
        page.click("#portal-submit")
    assert captive not in page.locator("main").inner_text()
    assert page.locator(".error-summary").is_visible()
    expect_text(page, lang, "We could not open this inquiry", "#denied-title")

    # The relative comes home; the family writes to the case worker named on the portal, who reads
    # it on the start page and the case and answers; the family reads the answer (issue 19).
    worker = make_user("case_worker", username="cw-iryna", first_name="Ірина", last_name="Вигадана")
    registry_services.add_status_event(registrar, person.pk, status="returned", effective_date=dt.date(2025, 6, 20),
                                       source_kind="exchange_record", source_reference="SYNTHETIC-STAGE-2")
    case = aftercare.open_case_by_hand(worker, person.pk)
    aftercare.assign_case(worker, case.pk, worker.pk)

    def open_portal():
        page.goto("/family/")
        page.fill("#id_reference", reference)
        page.fill("#id_code", code)
        with page.expect_navigation():
            page.click("#portal-submit")
        expect_heading(page, lang, "Returned home", exact=True)

    open_portal()
    expect_text(page, lang, "Write to your case worker", "#msg-title")
    page.fill("#id_body", "Коли можна приїхати до сина?")
    with page.expect_navigation():
        page.click("#message-submit")
    expect_text(page, lang, "Your message was sent to your case worker. The answer will appear on this page.",
                "#message-sent")
    assert "Коли можна приїхати до сина?" in page.locator("#family-messages").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"family-portal-message-{lang}")

    staff.context.clear_cookies()
    sign_in(staff, "cw-iryna")
    staff.goto("/")
    unread = ntr(lang, "%(n)s unread message to you", "%(n)s unread messages to you", 1)
    assert unread in staff.locator("#unread-mine").inner_text()
    staff.goto(f"/aftercare/{case.pk}/")
    expect_text(staff, lang, "Messages from the family", "#case-messages-title")
    assert "Коли можна приїхати до сина?" in staff.locator("#case-family-messages").inner_text()
    with staff.expect_navigation():
        staff.locator("#case-family-messages a[id^=case-reply-]").first.click()
    expect_heading(staff, lang, "Message from a family", exact=True)
    staff.fill("#id_body", "У четвер після обіду, приїжджайте.")
    with staff.expect_navigation():
        staff.click("#reply-submit")
    expect_message(staff, lang, "Your reply was sent: the family sees it on the portal.")
    screenshot(staff, f"case-worker-family-message-{lang}")

    open_portal()
    thread = page.locator("#family-messages").inner_text()
    assert "У четвер після обіду, приїжджайте." in thread and "Ірина Вигадана" in thread
    for hidden in ("SYNTHETIC-LIST-9", "synthetic place", "SYNTHETIC-STAGE-2", person.reference):
        assert hidden not in page.locator("main").inner_text()
