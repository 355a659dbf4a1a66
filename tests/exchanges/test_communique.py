"""The communiqué against hand-counted examples."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.exchanges import services
from homecoming.exchanges.communique import communique_facts, communique_text, uk_plural

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 12)


@pytest.fixture
def stage_two(negotiator, agreement, categories, make_person):
    """Stage 2 of the agreement; five of ours come home (hand count below; all men), one prisoner handed over.

    | who        | category  | branch          | rank     | born       | captured   | direction | operation | missing |
    | Коваль     | serious   | navy            | soldier  | 1990-03-01 | 2022-04-10 | donetsk   | mariupol  | before  |
    | Лисенко    | serious   | national_guard  | sergeant | 1985-07-20 | 2022-05-16 | donetsk   | mariupol  | no      |
    | Бондар     | unlisted  | border_guard    | soldier  | 1970-01-05 | 2024-01-10 | kherson   | —         | until   |
    | Гнатюк     | under 25  | air_force       | sergeant | 2002-09-30 | 2023-08-01 | kharkiv   | —         | no      |
    | Мороз      | serious   | navy            | soldier  | 1999-12-12 | 2022-06-13 | zaporizhzhia | —      | no      |
    Ages on 2025-06-12: 35, 39, 55, 22, 25 → youngest 22, oldest 55.
    Full years in captivity: 3, 3, 1, 1, 2 → longest 3 years, held by 2 (both Mariupol).
    """
    serious, young = categories
    services.create_exchange(negotiator, agreement.pk)  # stage 1
    rows = [
        ("Коваль", "seriously_wounded", "navy", "soldier", "1990-03-01", "2022-04-10", "donetsk", "mariupol",
         [("missing", dt.date(2022, 4, 10)), ("captivity_confirmed", dt.date(2022, 9, 1))]),
        ("Лисенко", "seriously_ill", "national_guard", "sergeant", "1985-07-20", "2022-05-16", "donetsk", "mariupol",
         None),
        ("Бондар", "seriously_wounded", "border_guard", "soldier", "1970-01-05", "2024-01-10", "kherson", "",
         [("missing", dt.date(2024, 1, 10))]),
        ("Гнатюк", "none", "air_force", "sergeant", "2002-09-30", "2023-08-01", "kharkiv", "", None),
        ("Мороз", "seriously_ill", "navy", "soldier", "1999-12-12", "2022-06-13", "zaporizhzhia", "", None),
    ]
    persons = {}
    for last, medical, branch, rank, born, captured, direction, operation, history in rows:
        fields = {"medical_category": medical, "branch": branch, "rank": rank, "birth_date": born,
                  "incident_date": captured, "direction": direction}
        if operation:
            fields["operation"] = operation
        persons[last] = make_person(last, "Іван", history=history, **fields)
    enemy = make_person("Иванов", "Иван", side="enemy", medical_category="seriously_ill")
    exchange = services.create_exchange(negotiator, agreement.pk, planned_date="2025-06-12")  # stage 2
    services.add_entries(negotiator, exchange.pk, serious.pk,
                         [persons["Коваль"].pk, persons["Лисенко"].pk, persons["Мороз"].pk, enemy.pk],
                         effective_date="2025-06-05")
    services.add_entries(negotiator, exchange.pk, young.pk, [persons["Гнатюк"].pk], effective_date="2025-06-05")
    for entry in exchange.entries.all():
        services.change_entry_state(negotiator, entry.pk, "confirmed")
    for status in ("lists_sent", "lists_agreed", "carried_out"):  # under 25: 1 for 0, agreed as an exception
        services.set_exchange_status(negotiator, exchange.pk, status, carried_out_on=DAY,
                                     exception_reason="their under-25 list follows in stage 3")
    services.record_crossings(negotiator, exchange.pk, all_confirmed=True)
    services.record_crossings(negotiator, exchange.pk, person_ids=[persons["Бондар"].pk])
    services.reconcile(negotiator, exchange.pk)
    exchange.refresh_from_db()
    return exchange


def test_facts_match_the_hand_count(stage_two):
    f = communique_facts(stage_two)
    assert f["returned"] == 5
    assert [(c.name_en, n) for c, n in f["categories"]] == [("seriously wounded and seriously ill", 3),
                                                           ("under 25", 1)]
    assert f["unlisted"] == 1
    assert {b.code: n for b, n in f["branches"]} == {"navy": 2, "national_guard": 1, "border_guard": 1,
                                                    "air_force": 1}
    assert dict(f["rank_categories"]) == {"private": 3, "nco": 2}
    assert (f["youngest"], f["oldest"]) == (22, 55)
    assert (f["longest_years"], f["held_longest"]) == (3, 2)
    assert [(o["operation"].code, o["count"], sorted(o["years"])) for o in f["operations"]] == [("mariupol", 2, [3, 3])]
    assert f["missing"] == 2
    assert {d.code for d, _n in f["directions"]} == {"donetsk", "kherson", "kharkiv", "zaporizhzhia"}
    assert f["stage"] == 2 and not f["withheld"]


def test_english_text(stage_two):
    text = communique_text(stage_two, "en")
    assert "On 12 June 2025, the second stage of the exchange of prisoners agreed on 2 June 2025 (Istanbul)" in text
    assert "5 defenders returned home from Russian captivity." in text
    assert "“seriously wounded and seriously ill” (3) and “under 25” (1)" in text
    assert "1 of them was not on the agreed lists." in text
    assert "Armed Forces: Navy (2)" in text
    assert "defenders from the operation “Defence of Mariupol” (2), 2 of whom were held captive for over three years" \
        in text
    assert "2 of them were held captive for over three years." in text
    assert "All of the released are men." in text
    assert "By rank, they are privates and non-commissioned officers." in text
    assert "The youngest is 22, the oldest 55." in text
    assert "2 of those released had been considered missing." in text
    assert "Donetsk, " in text and " direction" in text


def test_ukrainian_text(stage_two):
    text = communique_text(stage_two, "uk")
    assert "12 червня 2025 року відбувся другий етап обміну" in text
    assert "додому повернулися 5 захисників" in text
    assert "«тяжкопоранені та тяжкохворі» (3) і «до 25 років» (1)" in text
    assert "Військово-Морські Сили ЗСУ (2)" in text
    assert "Усі звільнені — чоловіки." in text
    assert "рядові і сержанти" in text
    assert "Наймолодшому 22, найстаршому 55." in text
    assert "2 із звільнених вважалися зниклими безвісти." in text
    assert "2 захисники перебували у полоні понад три роки." in text


def test_counts_are_withheld_until_the_last_stage(stage_two, negotiator):
    agreement = stage_two.agreement
    services.update_agreement(negotiator, agreement.pk, {"withhold_counts_until_last_stage": True})
    stage_two.refresh_from_db()
    text = communique_text(stage_two, "en")
    assert "A group of defenders returned home" in text
    for count in ("5 defenders", "(3)", "(2)", "(1)", "2 of them", "1 of them", "2 of those", "2 of whom"):
        assert count not in text
    assert "who were held captive for over three years" in text
    assert "Some of those released had been considered missing." in text
    # stage 1 is not reconciled: still withheld; once no other stage is open, the counts are given
    agreement.exchanges.filter(number=1).update(status="reconciled")
    assert "5 defenders returned home" in communique_text(stage_two, "en")


@pytest.mark.parametrize(("n", "word"), [(1, "захисник"), (2, "захисники"), (4, "захисники"), (5, "захисників"),
                                         (11, "захисників"), (21, "захисник"), (22, "захисники"), (112, "захисників")])
def test_ukrainian_plural(n, word):
    assert uk_plural(n, "захисник", "захисники", "захисників") == word


def test_the_place_is_named_in_each_language(stage_two, negotiator):
    """The English communiqué showed «Абу-Дабі» in Cyrillic (issue 19): a place is stored in both
    languages, and a place given only in Cyrillic is transliterated in English, never copied."""
    services.update_agreement(negotiator, stage_two.agreement_id, {"place": "Абу-Дабі", "place_en": "Abu Dhabi"})
    stage_two.refresh_from_db()
    assert "(Абу-Дабі)" in communique_text(stage_two, "uk")
    english = communique_text(stage_two, "en")
    assert "(Abu Dhabi)" in english and "Абу" not in english
    services.update_agreement(negotiator, stage_two.agreement_id, {"place_en": ""})
    stage_two.refresh_from_db()
    english = communique_text(stage_two, "en")
    assert "(Abu-Dabi)" in english
    assert not any("\u0400" <= ch <= "\u04ff" for ch in english.split("(")[1].split(")")[0])


def test_what_the_register_keeps_of_a_stage_holds_no_word_of_one_language(negotiator, agreement, categories,
                                                                            make_person):
    """A stage's listing written from an English page showed "stage 1" inside Ukrainian pages
    (issue 19): the register's source names the stage by title and number only."""
    from django.utils import translation

    from homecoming.registry.models import StatusEvent

    serious, _young = categories
    exchange = services.create_exchange(negotiator, agreement.pk)
    person = make_person("Тестенко", "Вигадан", medical_category="seriously_wounded")
    with translation.override("en"):
        services.add_entries(negotiator, exchange.pk, serious.pk, [person.pk], effective_date="2025-06-03")
    listing = StatusEvent.objects.filter(person=person, status="on_exchange_list").get()
    assert listing.source.reference == "Istanbul, 2 June 2025 · №1"
    assert "stage" not in listing.source.reference.lower()
