"""The communiqué of a reconciled stage, generated from the data in Ukrainian and English.

:func:`communique_facts` counts (plain data, what the tests check against hand counts);
:func:`render` writes the text in one language from those facts; :func:`communique_text` does both.
Both languages are written here explicitly (not through the UI catalogue): a communiqué is
published in both at once, whatever the reader's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

from homecoming.names import transliterate
from homecoming.registry.models import Person, RankCategory, Sex, Side
from homecoming.rules.engine import full_years

from .models import Crossing, Exchange, ExchangeStatus, ListEntry
from .selectors import is_last_stage, persons_missing_until

MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
MONTHS_UK = ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня",
             "листопада", "грудня"]
ORDINAL_EN = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
ORDINAL_UK = ["перший", "другий", "третій", "четвертий", "п’ятий", "шостий", "сьомий", "восьмий", "дев’ятий",
              "десятий"]
NUMBER_EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
YEARS_UK = ["", "рік", "два роки", "три роки", "чотири роки", "п’ять років", "шість років", "сім років",
            "вісім років", "дев’ять років", "десять років", "одинадцять років", "дванадцять років"]
RANKS = {RankCategory.PRIVATE: ("privates", "рядові"), RankCategory.NCO: ("non-commissioned officers", "сержанти"),
         RankCategory.OFFICER: ("officers", "офіцери")}


def uk_plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def date_text(day: dt.date, lang: str) -> str:
    if lang == "uk":
        return f"{day.day} {MONTHS_UK[day.month - 1]} {day.year} року"
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def join(items: list[str], lang: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    word = " і " if lang == "uk" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def communique_facts(exchange: Exchange) -> dict[str, Any]:
    """Counts about those of ours who came home in a reconciled stage."""
    day = exchange.carried_out_on
    crossings = (Crossing.objects.filter(exchange=exchange, person__side=Side.OURS)
                 .select_related("person__branch", "person__rank", "person__direction", "person__operation"))
    persons: list[Person] = [c.person for c in crossings]
    entries = {e.person_id: e for e in ListEntry.objects.filter(exchange=exchange).select_related("category")}
    ages = [full_years(p.birth_date, day) for p in persons
            if p.birth_date and p.birth_date_precision == "day" and p.birth_date <= day]
    years = {p.pk: full_years(p.incident_date, day) for p in persons if p.incident_date and p.incident_date <= day}
    categories: Counter = Counter()
    category_objs = {}
    for p in persons:
        entry = entries.get(p.pk)
        if entry is not None:
            categories[entry.category_id] += 1
            category_objs[entry.category_id] = entry.category
    longest = max(years.values(), default=0)
    operations: dict[int, dict] = {}
    for p in persons:
        if p.operation_id:
            item = operations.setdefault(p.operation_id, {"operation": p.operation, "count": 0, "years": []})
            item["count"] += 1
            if p.pk in years:
                item["years"].append(years[p.pk])
    missing = persons_missing_until([p.pk for p in persons], day)
    stages = exchange.agreement.exchanges.count()
    return {
        "exchange": exchange,
        "agreement": exchange.agreement,
        "day": day,
        "stage": exchange.number,
        "stages": stages,
        "withheld": exchange.agreement.withhold_counts_until_last_stage and not (
            is_last_stage(exchange) and exchange.status == ExchangeStatus.RECONCILED),
        "returned": len(persons),
        "categories": [(category_objs[c], n) for c, n in sorted(categories.items(),
                                                                   key=lambda x: category_objs[x[0]].position)],
        "unlisted": sum(1 for p in persons if p.pk not in entries),
        "branches": sorted(Counter(p.branch for p in persons if p.branch_id).items(),
                           key=lambda x: (-x[1], x[0].position)),
        "rank_categories": Counter(p.effective_rank_category for p in persons if p.effective_rank_category),
        "sexes": Counter(p.sex for p in persons),
        "directions": sorted(Counter(p.direction for p in persons if p.direction_id).items(),
                             key=lambda x: (-x[1], x[0].position)),
        "youngest": min(ages, default=None),
        "oldest": max(ages, default=None),
        "longest_years": longest,
        "held_longest": sum(1 for y in years.values() if y >= longest) if longest else 0,
        "operations": sorted(operations.values(), key=lambda x: (-x["count"], x["operation"].position)),
        "missing": len(missing),
    }


def place_in(agreement, lang: str) -> str:
    """The agreement's place as the communiqué in ``lang`` names it: in English its English name,
    else the official transliteration of a Cyrillic one (never Cyrillic in English text); the
    title when no place is given."""
    if lang != "uk" and agreement.place_en:
        return agreement.place_en
    place = agreement.place or agreement.title
    if lang != "uk" and re.search(r"[\u0400-\u04FF]", place):
        return transliterate(place)
    return place


def _years_phrase(y: int, lang: str) -> str:
    if lang == "uk":
        return "понад " + (YEARS_UK[y] if y < len(YEARS_UK) else f"{y} {uk_plural(y, 'рік', 'роки', 'років')}")
    word = NUMBER_EN[y] if y < len(NUMBER_EN) else str(y)
    return f"over {word} year{'s' if y != 1 else ''}" if y != 1 else "over a year"


def render(f: dict[str, Any], lang: str) -> str:
    """The communiqué in ``lang`` from :func:`communique_facts`. One renderer per language: word
    order, plurals and quotation marks differ too much to interleave them phrase by phrase."""
    return render_uk(f) if lang == "uk" else render_en(f)


#: the sentences about who the released are that differ between the languages only in their words
ABOUT_THEM = {
    "uk": {
        "all_men": "Усі звільнені — чоловіки.", "all_women": "Усі звільнені — жінки.",
        "men_and_women_counted": "Серед звільнених {men} чоловіків і {women} жінок.",
        "men_and_women": "Серед звільнених є чоловіки і жінки.", "ranks": "За званням — {ranks}.",
        "one_age": "Вік звільнених — {youngest}.", "ages": "Наймолодшому {youngest}, найстаршому {oldest}.",
        "missing_counted": "{missing} із звільнених вважалися зниклими безвісти.",
        "missing": "Частина звільнених вважалася зниклими безвісти.",
    },
    "en": {
        "all_men": "All of the released are men.", "all_women": "All of the released are women.",
        "men_and_women_counted": "Among the released are {men} men and {women} women.",
        "men_and_women": "Among the released are men and women.", "ranks": "By rank, they are {ranks}.",
        "one_age": "The released are aged {youngest}.", "ages": "The youngest is {youngest}, the oldest {oldest}.",
        "missing_counted": "{missing} of those released had been considered missing.",
        "missing": "Some of those released had been considered missing.",
    },
}


def _about_them(f: dict[str, Any], w: bool, lang: str) -> list[str]:
    """Sex, rank, age and how many had been missing, in ``lang`` (``w``: say the numbers)."""
    say, paras = ABOUT_THEM[lang], []
    n, men, women = f["returned"], f["sexes"].get(Sex.MALE, 0), f["sexes"].get(Sex.FEMALE, 0)
    if men == n:
        paras.append(say["all_men"])
    elif women == n:
        paras.append(say["all_women"])
    elif w and (men or women):
        paras.append(say["men_and_women_counted"].format(men=men, women=women))
    elif men and women:
        paras.append(say["men_and_women"])
    ranks = [RANKS[r][1 if lang == "uk" else 0] for r in (RankCategory.PRIVATE, RankCategory.NCO,
                                                          RankCategory.OFFICER) if f["rank_categories"].get(r)]
    if ranks:
        paras.append(say["ranks"].format(ranks=join(ranks, lang)))
    if f["youngest"] is not None:
        paras.append(say["one_age" if f["youngest"] == f["oldest"] else "ages"].format(
            youngest=f["youngest"], oldest=f["oldest"]))
    if f["missing"]:
        paras.append(say["missing_counted"].format(missing=f["missing"]) if w else say["missing"])
    return paras


def _intro_uk(f: dict[str, Any], w: bool) -> str:
    n, agreement = f["returned"], f["agreement"]
    ordinal = ORDINAL_UK[f["stage"] - 1] if f["stage"] <= 10 else f"{f['stage']}-й"
    intro = (f"{date_text(f['day'], 'uk')} відбувся {ordinal} "
             f"етап обміну полоненими в межах домовленостей, досягнутих {date_text(agreement.date, 'uk')} "
             f"({place_in(agreement, 'uk')}).")
    if n == 0:
        return intro + " Цього дня ніхто з наших захисників не повернувся додому."
    if w:
        verb = uk_plural(n, "повернувся", "повернулися", "повернулися")
        return intro + f" З російського полону додому {verb} {n} {uk_plural(n, 'захисник', 'захисники', 'захисників')}."
    return intro + " З російського полону додому повернулася група захисників."


def _who_uk(f: dict[str, Any], w: bool) -> list[str]:
    """Categories, lists, branches and operations."""
    paras = []
    if f["categories"]:
        parts = [f"«{c.name_uk}»" + (f" ({k})" if w else "") for c, k in f["categories"]]
        word = "категорії" if len(parts) == 1 else "категорій"
        paras.append(f"Повернуто захисників {word} {join(parts, 'uk')}.")
    if f["unlisted"] and w:
        paras.append(f"{f['unlisted']} з них не було в погоджених списках.")
    if f["branches"]:
        names = [b.name_uk + (f" ({k})" if w else "") for b, k in f["branches"]]
        paras.append("Серед повернених — військовослужбовці: " + join(names, "uk") + ".")
    for op in f["operations"]:
        long = sum(1 for y in op["years"] if y >= 3)
        text = f"Серед звільнених — учасники операції «{op['operation'].name_uk}»" + (f" ({op['count']})" if w else "")
        if long:
            text += (f", {long} з них перебували в полоні понад три роки" if w
                     else ", які перебували в полоні понад три роки")
        paras.append(text + ".")
    return paras


def render_uk(f: dict[str, Any]) -> str:
    """The Ukrainian communiqué."""
    w = not f["withheld"]  # say the numbers
    paras = [_intro_uk(f, w)]
    if f["returned"] == 0:
        return "\n\n".join(paras)
    paras += _who_uk(f, w)
    if f["longest_years"] >= 1:
        k = f["held_longest"]
        phrase = _years_phrase(f["longest_years"], "uk")
        paras.append(f"{k} {uk_plural(k, 'захисник перебував', 'захисники перебували', 'захисників перебували')} "
                     f"у полоні {phrase}." if w else f"Деякі з них перебували в полоні {phrase}.")
    paras += _about_them(f, w, "uk")
    if f["directions"]:
        paras.append("Повернені воювали на напрямках: " + join([d.name_uk for d, _k in f["directions"]], "uk") + ".")
    paras.append(
        "Звільнені з полону пройдуть необхідне медичне обстеження, отримають допомогу з фізичної та психологічної "
        "реабілітації, а також усі належні виплати за весь час перебування в полоні, — зазначає Координаційний штаб.")
    return "\n\n".join(paras)


def _intro_en(f: dict[str, Any], w: bool) -> str:
    n, agreement = f["returned"], f["agreement"]
    stage = ORDINAL_EN[f["stage"] - 1] if f["stage"] <= 10 else f"{f['stage']}th"
    intro = (f"On {date_text(f['day'], 'en')}, the {stage} stage of the exchange of prisoners agreed on "
             f"{date_text(agreement.date, 'en')} ({place_in(agreement, 'en')}) was carried out.")
    if n == 0:
        return intro + " None of our defenders came home that day."
    if w:
        return intro + f" {n} defender{'s' if n != 1 else ''} returned home from Russian captivity."
    return intro + " A group of defenders returned home from Russian captivity."


def _who_en(f: dict[str, Any], w: bool) -> list[str]:
    """Categories, lists, branches and operations."""
    paras = []
    if f["categories"]:
        parts = [f"“{c.name_en}”" + (f" ({k})" if w else "") for c, k in f["categories"]]
        paras.append(f"They were returned in the categor{'y' if len(parts) == 1 else 'ies'} {join(parts, 'en')}.")
    if f["unlisted"] and w:
        k = f["unlisted"]
        paras.append(f"{k} of them {'was' if k == 1 else 'were'} not on the agreed lists.")
    if f["branches"]:
        names = [b.name_en + (f" ({k})" if w else "") for b, k in f["branches"]]
        paras.append("Among those returned are servicemembers of: " + join(names, "en") + ".")
    for op in f["operations"]:
        long = sum(1 for y in op["years"] if y >= 3)
        text = f"Among those released are defenders from the operation “{op['operation'].name_en}”"
        text += f" ({op['count']})" if w else ""
        if long:
            text += (f", {long} of whom were held captive for over three years" if w
                     else ", who were held captive for over three years")
        paras.append(text + ".")
    return paras


def render_en(f: dict[str, Any]) -> str:
    """The English communiqué."""
    w = not f["withheld"]  # say the numbers
    paras = [_intro_en(f, w)]
    if f["returned"] == 0:
        return "\n\n".join(paras)
    paras += _who_en(f, w)
    if f["longest_years"] >= 1:
        k = f["held_longest"]
        phrase = _years_phrase(f["longest_years"], "en")
        paras.append(f"{k} of them {'was' if k == 1 else 'were'} held captive for {phrase}." if w
                     else f"Some of them were held captive for {phrase}.")
    paras += _about_them(f, w, "en")
    if f["directions"]:
        names = [d.name_en for d, _k in f["directions"]]
        paras.append("They fought in the " + join(names, "en") + f" direction{'s' if len(names) > 1 else ''}.")
    paras.append(
        "The defenders released from captivity will undergo the necessary medical examination, receive assistance "
        "with physical and psychological rehabilitation, as well as all due payments for the entire time they were "
        "in captivity, the Coordination Headquarters noted.")
    return "\n\n".join(paras)


def communique_text(exchange: Exchange, lang: str = "uk") -> str:
    return render(communique_facts(exchange), "uk" if lang == "uk" else "en")
