"""A second, independent synthetic register and list for the linkage benchmark.

Written apart from generate.py, on purpose with other assumptions about who is in the register
and how the other side writes, so that the engine is not tuned to one generator's habits:

- **Surnames** follow one power law over the whole population (rank r has weight
  1/(r + 40), the shape of the public statistics of Ukrainian surnames: the commonest,
  Мельник, about 0.35%, the hundred commonest about 15%), drawn from the ~118,000 Ukrainian
  surnames of names-translator, the commonest hundred first; first names and fathers' names
  from a table of their own; women 9%.
- **Russian renderings** come from names-translator's dictionaries *chosen at random among
  their forms* (Лісовий → Лисовой, Лисовый or Лесовой), with Russian gender endings for women
  (-ська → -ская, -ова kept) and ё written or not (Фёдор, Ковалёв, Семёнович).
- **By ear**: a clerk writing what he hears: unstressed о as а (Каваленко), е and и confused,
  і heard as ы, г as х, doubled consonants single, soft signs dropped.
- **OCR of scanned lists**: letter confusions (ш/щ, и/н, п/н, е/с, т/г, rn/m, cl/d, li/h), a
  letter dropped, two words run together, digits for letters (0 з→3 б→6).
- **Passport Latin** of the Russian form by ICAO, BGN or GOST, of the Ukrainian form by KMU 2010.
- **Initials** including those of two sounds (Ю., Я., Є., Щ., Ц.; Yu., Ya., Shch., Ts.).
- **Dates**: in DD.MM.YYYY, YYYY-MM-DD, DD/MM/YYYY, Excel's ``YYYY-MM-DD 00:00:00`` and
  DD.MM.YY; OCR digit confusions (1/7, 3/8, 0/6/9, 5/6), day and month swapped, a year only.
- **People not in the register**: 12% of the rows; a third of them namesakes of a registered
  person (same surname and first name, another date), some of those born in the same month.

No real person's details are used.  ``generate2(out_dir, n_register, n_list, seed)`` writes
registry.csv, list.csv and truth.csv as generate.py does.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import random

from homecoming.linkage.dates import STRONG_DATE_LEVELS, PartialDate, compare_dates
from homecoming.names import transliterate

# the commonest Ukrainian surnames, in the order of the public lists (synthetic use only)
TOP = ["Мельник", "Шевченко", "Коваленко", "Бондаренко", "Бойко", "Ткаченко", "Кравченко", "Ковальчук", "Коваль",
       "Олійник", "Шевчук", "Поліщук", "Іваненко", "Ткачук", "Савченко", "Бондар", "Марченко", "Руденко", "Мороз",
       "Лисенко", "Петренко", "Клименко", "Павленко", "Кравчук", "Кузьменко", "Пономаренко", "Савчук",
       "Василенко", "Левченко", "Харченко", "Карпенко", "Мазур", "Литвиненко", "Гаврилюк", "Романенко",
       "Мельничук", "Кравець", "Гончаренко", "Симоненко", "Костенко", "Юрченко", "Лісовий", "Кириленко",
       "Короленко", "Яременко", "Ковальов", "Білоус", "Чорновол", "Щербак", "Цимбал", "Юхименко", "Ярошенко",
       "Єременко", "Їжак", "Гнатюк", "Лозинський", "Заїка", "Лук'яненко"]
MALE = {"Олександр": 9, "Андрій": 6, "Сергій": 6, "Володимир": 5, "Дмитро": 5, "Юрій": 4, "Іван": 4,
        "Віталій": 3, "Олег": 3, "Микола": 4, "Максим": 4, "Василь": 3, "Віктор": 3, "Роман": 3, "Родіон": 1,
        "Богдан": 2, "Михайло": 3, "Ігор": 3, "Євген": 3, "Руслан": 2, "Ярослав": 2, "Владислав": 2, "Артем": 2,
        "Денис": 2, "Петро": 2, "Федір": 1, "Семен": 1, "Лев": 1, "Левко": 1, "Юліан": 1, "Яків": 1, "Щасний": 1,
        "Гліб": 1, "Кирило": 2, "Ілля": 1, "Олексій": 2, "Тарас": 2, "Степан": 1, "Станіслав": 1, "Назар": 2}
FEMALE = {"Олена": 4, "Наталія": 3, "Тетяна": 3, "Ірина": 3, "Юлія": 3, "Оксана": 3, "Яна": 2, "Марія": 2,
          "Анна": 2, "Катерина": 2, "Ольга": 2, "Вікторія": 2, "Єлизавета": 1, "Людмила": 1}
FATHERS = ["Олександр", "Іван", "Микола", "Василь", "Петро", "Володимир", "Сергій", "Юрій", "Віктор", "Анатолій",
           "Михайло", "Григорій", "Федір", "Семен", "Степан", "Яків", "Ілля", "Дмитро", "Олег", "Богдан", "Лев"]

OCR_CYR = [("ш", "щ"), ("щ", "ш"), ("и", "н"), ("н", "и"), ("п", "н"), ("е", "с"), ("т", "г"), ("о", "0"), ("з", "3"),
           ("б", "6"), ("і", "1"), ("л", "п"), ("в", "b")]
OCR_LAT = [("rn", "m"), ("m", "rn"), ("cl", "d"), ("li", "h"), ("o", "0"), ("i", "l"), ("l", "1"), ("e", "c")]
OCR_DIGIT = {"1": "7", "7": "1", "3": "8", "8": "3", "0": "6", "6": "0", "5": "6", "9": "0"}
EAR = [("о", "а"), ("е", "и"), ("и", "е"), ("і", "ы"), ("г", "х"), ("нн", "н"), ("ь", "")]


def _patronymic(father: str, female: bool) -> str:
    special = {"Микола": ("Миколайович", "Миколаївна"), "Ілля": ("Ілліч", "Іллівна"), "Яків": ("Якович", "Яківна"),
               "Федір": ("Федорович", "Федорівна"), "Григорій": ("Григорович", "Григорівна"),
               "Лев": ("Львович", "Львівна")}
    if father in special:
        return special[father][female]
    if father.endswith("ій"):
        return father[:-1] + "ївна" if female else father + "ович"
    if father.endswith(("о", "а")):
        return father[:-1] + ("івна" if female else "ович")
    if father.endswith("ь"):
        return father[:-1] + "івна" if female else father + "ович"
    return father + ("івна" if female else "ович")


def _ru_forms(token: str, kind: str) -> list[str]:
    from names_translator.dicts import default_dicts

    from homecoming.names.equivalence import EXTRA

    key = token.lower()
    d = default_dicts()
    forms = list(d.lookup_key(key, "last")) if kind == "last" else list(d.as_dict(kind).get(key, []))
    forms += list(EXTRA.get(kind, {}).get(key, ()))
    out = [f.capitalize() for f in forms if f and not set(f.lower()) & set("іїєґ'")]
    return out or [key.replace("і", "и").replace("ї", "йи").replace("є", "е").replace("'", "").capitalize()]


def _yo(rnd: random.Random, word: str) -> str:
    """ё written where Russian has it (a few known forms), or not."""
    table = {"Федор": "Фёдор", "Семен": "Семён", "Петр": "Пётр", "Ковалев": "Ковалёв", "Семенович": "Семёнович",
             "Федорович": "Фёдорович", "Петрович": "Петрович", "Артем": "Артём"}
    return table.get(word, word) if rnd.random() < 0.5 else word


def _gender(word: str, female: bool) -> str:
    if not female:
        return word
    for uk, ru in (("ская", "ская"), ("ский", "ская"), ("ской", "ская"), ("ов", "ова"), ("ев", "ева"), ("ин", "ина")):
        if word.endswith(uk):
            return word[: -len(uk)] + ru
    return word


class Population:
    def __init__(self, seed: int):
        from names_translator.dicts import default_dicts

        self.rnd = random.Random(seed * 7919 + 3)
        tail = sorted(k.capitalize() for k in default_dicts().as_dict("last")
                      if 4 <= len(k) <= 13 and k.replace("'", "").isalpha()
                      and not k.endswith(("а", "ая", "ова", "ева", "іна", "ина", "ька", "ська", "цька")))
        self.rnd.shuffle(tail)
        top = list(TOP)
        names = top + [t for t in tail[:60000] if t not in set(top)]
        w = [1.0 / (r + 40) for r in range(len(names))]
        self.surnames, self.cum = names, list(itertools.accumulate(w))
        self.serials: set[str] = set()

    def person(self, pid: str, last: str | None = None, first: str | None = None, female: bool | None = None,
               dob: PartialDate | None = None) -> dict:
        r = self.rnd
        female = (r.random() < 0.09) if female is None else female
        names = FEMALE if female else MALE
        first = first or r.choices(list(names), list(names.values()))[0]
        last = last or r.choices(self.surnames, cum_weights=self.cum)[0]
        if female and last.endswith("ий"):
            last = last[:-2] + "а"
        if dob is None:
            d = dt.date(1962, 1, 1) + dt.timedelta(days=int(r.betavariate(2.2, 2.0) * 365 * 45))
            dob = PartialDate(d.year, d.month, d.day) if r.random() > 0.05 else PartialDate(d.year)
        while True:
            s = "".join(r.choice("АВЕКМНОРСТ") for _ in range(2)) + f"{r.randrange(10**6):06d}"
            if s not in self.serials:
                self.serials.add(s)
                break
        return {"id": pid, "last": last, "first": first, "patronymic": _patronymic(r.choice(FATHERS), female),
                "female": female, "dob": dob, "service": s if r.random() < 0.8 else ""}


def _ocr(rnd: random.Random, s: str) -> str:
    table = OCR_CYR if any("а" <= c.lower() <= "я" or c in "іїєґ" for c in s) else OCR_LAT
    for a, b in rnd.sample(table, len(table)):
        i = s.lower().find(a, 1)
        if i > 0:
            return s[:i] + (b.upper() if s[i].isupper() else b) + s[i + len(a):]
    return s


def _ear(rnd: random.Random, s: str) -> str:
    low = s.lower()
    for a, b in rnd.sample(EAR, len(EAR)):
        i = low.find(a, 1)
        if 0 < i < len(s) - 1:
            return s[:i] + b + s[i + len(a):]
    return s


def _date_text(rnd: random.Random, d: PartialDate) -> str:
    if not d.is_full:
        return str(d)
    fmt = rnd.choices(["dmy", "iso", "slash", "excel", "yy"], [45, 25, 12, 10, 8])[0]
    return {"dmy": f"{d.day:02d}.{d.month:02d}.{d.year}", "iso": str(d), "slash": f"{d.day:02d}/{d.month:02d}/{d.year}",
            "excel": f"{d} 00:00:00", "yy": f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}"}[fmt]


def _date_error(rnd: random.Random, d: PartialDate) -> PartialDate:
    for _ in range(20):
        kind = rnd.choice(["ocr", "ocr", "swap", "day"])
        try:
            if kind == "swap" and d.day <= 12 and d.day != d.month:
                return PartialDate(d.year, d.day, d.month)
            if kind == "ocr":
                s = d.digits()
                idx = [i for i in range(2, 8) if s[i] in OCR_DIGIT]
                if idx:
                    i = rnd.choice(idx)
                    s = s[:i] + OCR_DIGIT[s[i]] + s[i + 1:]
                    return PartialDate(int(s[:4]), int(s[4:6]), int(s[6:]))
            if kind == "day":
                x = dt.date(d.year, d.month, d.day) + dt.timedelta(days=rnd.choice([-1, 1]))
                return PartialDate(x.year, x.month, x.day)
        except ValueError:
            continue
    return d


def render(rnd: random.Random, p: dict, row_id: str) -> dict:
    lang = rnd.choices(["ru", "uk", "lat-ru", "lat-uk"], [50, 15, 25, 10])[0]
    last, first, pat = p["last"], p["first"], p["patronymic"]
    if lang in ("ru", "lat-ru"):
        last = _gender(rnd.choice(_ru_forms(last, "last")), p["female"])
        first = _yo(rnd, rnd.choice(_ru_forms(first, "first")))
        pat = _yo(rnd, rnd.choice(_ru_forms(pat, "patronymic")))
    if lang == "ru" and rnd.random() < 0.10:
        last = _ear(rnd, last)
    if lang == "lat-ru":
        std = rnd.choice(["icao", "icao", "bgn", "gost"])
        last, first, pat = (transliterate(x, std) for x in (last, first, pat))
    elif lang == "lat-uk":
        last, first, pat = (transliterate(x, "kmu2010") for x in (last, first, pat))
    if rnd.random() < 0.08:  # a scanned list
        if rnd.random() < 0.7:
            last = _ocr(rnd, last)
        else:
            first = _ocr(rnd, first)
    if rnd.random() < 0.30:
        pat = ""
    if rnd.random() < 0.35:
        last, first, pat = last.upper(), first.upper(), pat.upper()
    row = {"id": row_id, "last_name": "", "first_name": "", "patronymic": "", "full_name": "", "birth_date": "",
           "service_number": ""}
    u = rnd.random()
    if u < 0.10:  # initials, also those of two sounds
        def ini(x: str) -> str:
            if lang.startswith("lat") and x[:2].lower() in ("yu", "ya", "ye", "ts", "ch", "sh", "zh", "kh"):
                return x[:2] + "."
            return x[:1] + "."
        row["full_name"] = rnd.choice([f"{last} {ini(first)}{ini(pat) if pat else ''}",
                                       f"{ini(first)} {ini(pat) + ' ' if pat else ''}{last}"])
    elif u < 0.55:
        parts = rnd.choice([[last, first, pat], [first, pat, last], [first, last], [last, first]])
        text = " ".join(x for x in parts if x)
        if rnd.random() < 0.03:  # OCR runs two words together
            text = text.replace(" ", "", 1)
        row["full_name"] = text
    else:
        row.update(last_name=last, first_name=first, patronymic=pat)
    d = p["dob"]
    v = rnd.random()
    shown = d
    if d.is_full:
        if v < 0.08:
            shown = _date_error(rnd, d)
        elif v < 0.16:
            shown = PartialDate(d.year)
        elif v < 0.24:
            shown = None
    elif v < 0.3:
        shown = None
    row["birth_date"] = _date_text(rnd, shown) if shown is not None else ""
    if p["service"] and rnd.random() < 0.25:
        row["service_number"] = p["service"]
    return row


def generate2(out_dir: str, n_register: int = 50_000, n_list: int = 3_000, seed: int = 7) -> dict:
    """Write registry.csv, list.csv and truth.csv to ``out_dir``; return the paths."""
    os.makedirs(out_dir, exist_ok=True)
    pop = Population(seed)
    rnd = pop.rnd
    reg = [pop.person(f"G{i:06d}") for i in range(n_register)]
    n_out = int(n_list * 0.12)
    inside = rnd.sample(reg, n_list - n_out)
    outside = []
    for i in range(n_out):
        if i % 3 == 0:  # a namesake of a registered person, sometimes born the same month
            twin = rnd.choice(reg)
            dob = None
            if twin["dob"].is_full and rnd.random() < 0.3:
                dob = PartialDate(twin["dob"].year, twin["dob"].month, rnd.randint(1, 28))
            outside.append(pop.person(f"Y{i:05d}", twin["last"], twin["first"], twin["female"], dob))
        else:
            outside.append(pop.person(f"Y{i:05d}"))
    people = [(p, p["id"]) for p in inside] + [(p, "") for p in outside]
    rnd.shuffle(people)
    by_name: dict[tuple[str, str], list[dict]] = {}
    for p in reg:
        by_name.setdefault((p["last"], p["first"]), []).append(p)
    from homecoming.linkage.dates import read_date

    rows, truth = [], []
    for i, (p, true_id) in enumerate(people):
        row = render(rnd, p, f"M{i:05d}")
        rows.append(row)
        findable = False
        if true_id:
            if p["service"] and row["service_number"] == p["service"]:
                findable = True
            else:
                shown = read_date(row["birth_date"])[0]
                if shown is not None and shown.is_full and not (row["full_name"] and "." in row["full_name"]):
                    close = [q["id"] for q in by_name.get((p["last"], p["first"]), [])
                             if compare_dates(shown, q["dob"]) in STRONG_DATE_LEVELS]
                    findable = close == [p["id"]]
        truth.append({"list_id": row["id"], "registry_id": true_id, "findable": "1" if findable else "0"})
    paths = {k: os.path.join(out_dir, f"{k}.csv") for k in ("registry", "list", "truth")}
    with open(paths["registry"], "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "last_name", "first_name", "patronymic", "birth_date", "service_number"])
        for p in reg:
            w.writerow([p["id"], p["last"], p["first"], p["patronymic"], str(p["dob"]), p["service"]])
    for name, data in (("list", rows), ("truth", truth)):
        with open(paths[name], "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(data[0]))
            w.writeheader()
            w.writerows(data)
    return paths
