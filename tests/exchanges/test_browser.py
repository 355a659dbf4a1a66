"""A negotiator goes from an agreement to a reconciled stage and a published communiqué, in the browser,
in Ukrainian and in English. The stage is entered after the fact (carried out on 12 June 2025, its
lists typed today): the date is refused until an exception is recorded with its reason; one of ours
on the confirmed list does not cross; the reconciliation shows every name per outcome before it is
confirmed, and his family is told "on the way home" only while the list stands, then "captivity
confirmed" again."""

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
    absent = make_person("Коваленко", "Андрій", medical_category="seriously_ill")
    make_person("Иванов", "Иван", side="enemy", medical_category="seriously_ill")
    make_person("Бойко", "Андрій", medical_category="wounded")  # just outside
    family = _Family(browser_page.context.new_page(), *_family_of(absent, make_user))
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
    page.click("#rule-json summary")  # the rule pasted as JSON (the forms are test_browser_rule_builder.py)
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
    page.check(f"#pick-{absent.pk}")
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
                   "our lists; %(o)s of our entries are not on theirs.", m=1, c=1, r=0, n=0, o=2)
    while True:  # confirm the other entries by hand, one form at a time (each click reloads the page)
        forms = page.locator("form.entry-form").filter(has=page.locator("option[value=confirmed]"))
        if not forms.count():
            break
        forms.first.locator("select").select_option("confirmed")
        with page.expect_navigation():
            forms.first.locator("button").click()

    for status in ("lists_sent", "lists_agreed"):
        page.select_option("#id_status", status)
        with page.expect_navigation():
            page.click("#change-status")
    family.expect(lang, "On the way home")  # a confirmed list of a stage not carried out
    # entered after the fact: the lists were typed today, the exchange was on 12 June 2025
    page.select_option("#id_status", "carried_out")
    page.fill("#id_carried_out_on", "2025-06-12")
    with page.expect_navigation():
        page.click("#change-status")
    expect_heading(page, lang, "“%(title)s”: the stage would break its rules", title=tr(lang, "Carried out"))
    assert "2025-06-12" in page.inner_text("#stage-problems")
    page.fill("#id_exception_reason", "Typed from the paper list the day after")
    with page.expect_navigation():
        page.click("#record-exception")
    expect_message(page, lang, "Status changed.")
    with page.expect_navigation():
        page.click("#record-final-list")
    expect_message(page, lang, "%(n)s recorded as crossed.", n=3)
    with page.expect_navigation():  # Коваленко did not cross
        page.locator("li", has_text="Коваленко").locator("button").click()
    with page.expect_navigation():
        page.click("#reconcile-link")
    expect_heading(page, lang, "Reconcile the stage", exact=True)
    assert "Петренко" in page.inner_text("#preview-returned_as_listed")
    assert "Коваленко" in page.inner_text("#preview-listed_not_returned")
    with page.expect_navigation():
        page.click("#confirm-reconcile")
    expect_heading(page, lang, "Reconciliation report", exact=True)
    expect_text(page, lang, "Returned as listed")
    assert "Коваленко" in page.inner_text("#group-listed_not_returned")
    absent.refresh_from_db()
    assert absent.current_status == "captivity_confirmed"  # not delivered: back to what he was
    family.expect(lang, "Captivity confirmed", "families")
    expect_text(page, lang, "missing before captivity was confirmed", "#group-considered_missing")
    screenshot(page, f"negotiator-reconciliation-report-{lang}")
    with page.expect_navigation():
        page.click("#communique-link")
    expect_heading(page, lang, "Communiqué", exact=True)
    # both texts are generated whatever the reader's language
    english = page.input_value("#text-en")
    assert "1 defender returned home" in english and "Defence of Mariupol" in english
    assert "повернувся 1 захисник" in page.input_value("#text-uk")
    page.check("#read-both")
    with page.expect_navigation():
        page.click("#publish")
    assert page.locator("#published-note").is_visible()
    screenshot(page, f"negotiator-communique-{lang}")


class _Family:
    """The family of one person, reading the portal in its own browser page."""

    def __init__(self, page, reference, code):
        self.page, self.reference, self.code = page, reference, code

    def expect(self, lang, headline, context=None):
        self.page.goto("/family/")
        self.page.fill("#id_reference", self.reference)
        self.page.fill("#id_code", self.code)
        with self.page.expect_navigation():
            self.page.click("#portal-submit")
        expect_heading(self.page, lang, headline, context, exact=True)


def _family_of(person, make_user):
    from homecoming.families import services as families

    filed = families.file_inquiry(None, {"last_name": person.last_name, "first_name": person.first_name,
                                         "inquirer_name": "Олена Синтетична", "relation": "mother",
                                         "phone": "+380501112233", "language": "uk", "consent": True})
    families.link_inquiry(make_user("registrar"), filed.inquiry.pk, person.pk)
    return filed.inquiry.reference, filed.secret
