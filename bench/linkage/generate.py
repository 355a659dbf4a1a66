"""Synthetic register and list for the linkage benchmark, with ground truth.

Every person is invented: surnames, first names and patronymics are drawn independently
from frequency tables (common Ukrainian names with Zipf-like weights, plus a long tail
of surnames from the names-translator dictionary), dates of birth and service numbers
are random.  No real person's details are used.

The list is written "as the other side would write it": Russian renderings of the
names (names-translator dictionaries), Latin transliterations by several standards,
typos, Latin look-alike letters inside Cyrillic words, capitals, names in one column in
various orders, initials, missing patronymics, and dates of birth missing, known only
to the year, or wrong by a day, a month, a year, one digit, or with day and month
swapped.  10% of the list are people the register does not hold, half of them
namesakes of registered people.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import random
from dataclasses import dataclass

from homecoming.linkage.dates import STRONG_DATE_LEVELS, PartialDate, compare_dates
from homecoming.names import transliterate
from homecoming.names.normalize import _CYR_TO_LAT

COMMON_SURNAMES = [
    "Мельник", "Шевченко", "Коваленко", "Бондаренко", "Бойко", "Ткаченко", "Кравченко", "Ковальчук", "Коваль",
    "Олійник", "Шевчук", "Поліщук", "Іваненко", "Ткачук", "Савченко", "Бондар", "Марченко", "Руденко", "Мороз",
    "Лисенко", "Петренко", "Клименко", "Павленко", "Кравчук", "Кузьменко", "Пономаренко", "Савчук", "Василенко",
    "Левченко", "Харченко", "Карпенко", "Мазур", "Литвиненко", "Гаврилюк", "Романенко", "Мельничук", "Кравець",
    "Гончаренко", "Симоненко", "Костенко", "Юрченко", "Данилюк", "Приходько", "Остапенко", "Тимошенко", "Кушнір",
    "Панченко", "Климчук", "Гуменюк", "Мартинюк", "Сидоренко", "Ковальов", "Степаненко", "Гриценко", "Дмитренко",
    "Войтенко", "Пилипенко", "Захарченко", "Тарасенко", "Яковенко", "Гончар", "Білик", "Демченко", "Федоренко",
    "Кушнірук", "Зінченко", "Мирошниченко", "Петрук", "Лук'яненко", "Нестеренко", "Вакуленко", "Онищенко",
    "Гнатюк", "Левчук", "Лозинський", "Антоненко", "Бабенко", "Матвієнко", "Ярошенко", "Олексієнко", "Кучер",
    "Тимченко", "Чорний", "Рибак", "Андрієнко", "Кириленко", "Білоус", "Волошин", "Головко", "Дячук", "Корнієнко",
    "Литвин", "Мартиненко", "Осадчий", "Паламарчук", "Семенюк", "Собко",
]

MALE = [("Олександр", 80), ("Сергій", 60), ("Андрій", 60), ("Володимир", 50), ("Дмитро", 45), ("Віталій", 30),
        ("Юрій", 30), ("Віктор", 28), ("Іван", 30), ("Олег", 28), ("Микола", 30), ("Максим", 30),
        ("Василь", 25), ("Михайло", 25), ("Роман", 25), ("Богдан", 20), ("Ігор", 22), ("Руслан", 18),
        ("Євген", 20), ("Анатолій", 14), ("Петро", 14), ("Олексій", 18), ("Вадим", 12), ("Ярослав", 14),
        ("Тарас", 12), ("Павло", 14), ("Артем", 18), ("Денис", 16), ("Валерій", 10), ("Степан", 8),
        ("Григорій", 7), ("Леонід", 6), ("Владислав", 14), ("Станіслав", 8), ("Костянтин", 10),
        ("Геннадій", 5), ("Назар", 10), ("Ілля", 8), ("Кирило", 10), ("Федір", 4), ("Борис", 5),
        ("Валентин", 5), ("Антон", 8), ("Данило", 8), ("Едуард", 4), ("Остап", 4), ("Святослав", 4)]
FEMALE = [("Олена", 20), ("Наталія", 18), ("Тетяна", 16), ("Ірина", 16), ("Юлія", 14), ("Оксана", 14),
          ("Світлана", 10), ("Марія", 10), ("Анна", 10), ("Катерина", 10), ("Людмила", 6), ("Вікторія", 10),
          ("Ольга", 12), ("Валентина", 4), ("Галина", 5)]
FATHERS = {
    "Олександр": ("Олександрович", "Олександрівна"), "Сергій": ("Сергійович", "Сергіївна"),
    "Андрій": ("Андрійович", "Андріївна"), "Володимир": ("Володимирович", "Володимирівна"),
    "Микола": ("Миколайович", "Миколаївна"), "Іван": ("Іванович", "Іванівна"),
    "Василь": ("Васильович", "Василівна"), "Петро": ("Петрович", "Петрівна"),
    "Віктор": ("Вікторович", "Вікторівна"), "Юрій": ("Юрійович", "Юріївна"),
    "Анатолій": ("Анатолійович", "Анатоліївна"), "Олег": ("Олегович", "Олегівна"),
    "Михайло": ("Михайлович", "Михайлівна"), "Віталій": ("Віталійович", "Віталіївна"),
    "Ігор": ("Ігорович", "Ігорівна"), "Валерій": ("Валерійович", "Валеріївна"),
    "Григорій": ("Григорович", "Григорівна"), "Степан": ("Степанович", "Степанівна"),
    "Павло": ("Павлович", "Павлівна"), "Богдан": ("Богданович", "Богданівна"),
    "Ярослав": ("Ярославович", "Ярославівна"), "Леонід": ("Леонідович", "Леонідівна"),
    "Дмитро": ("Дмитрович", "Дмитрівна"), "Євген": ("Євгенович", "Євгенівна"),
    "Роман": ("Романович", "Романівна"), "Олексій": ("Олексійович", "Олексіївна"),
    "Геннадій": ("Геннадійович", "Геннадіївна"), "Федір": ("Федорович", "Федорівна"),
    "Борис": ("Борисович", "Борисівна"), "Вадим": ("Вадимович", "Вадимівна"),
    "Руслан": ("Русланович", "Русланівна"), "Тарас": ("Тарасович", "Тарасівна"),
    "Валентин": ("Валентинович", "Валентинівна"), "Костянтин": ("Костянтинович", "Костянтинівна"),
}
FATHER_W = [30, 25, 22, 25, 28, 28, 22, 16, 20, 18, 12, 10, 14, 8, 8, 7, 8, 6, 8, 7, 5, 6, 10, 6, 8, 6, 4, 4, 4,
            3, 3, 3, 4, 4]

RU_STANDARDS = ["icao", "gost", "passport1997", "bgn", "simple", "driver"]
UK_STANDARDS = ["kmu2010", "kmu2010", "kmu2010", "uk-passport2007", "uk-bgn", "uk-national1996"]


@dataclass
class Person:
    id: str
    last: str
    first: str
    patronymic: str
    female: bool
    dob: PartialDate | None
    service: str
    tax: str


def _tail_surnames(rnd: random.Random, n: int) -> list[str]:
    from names_translator.dicts import default_dicts

    keys = [k for k in default_dicts().as_dict("last") if 5 <= len(k) <= 13 and k.isalpha()
            and not k.endswith(("а", "ая", "ова", "ева", "іна", "ина", "ька", "ська"))]
    keys.sort()
    rnd.shuffle(keys)
    return [k.capitalize() for k in keys[:n]]


class Generator:
    def __init__(self, seed: int = 7, tail: int = 30000):
        self.rnd = random.Random(seed)
        tail_names = _tail_surnames(self.rnd, tail)
        common = list(COMMON_SURNAMES)
        self.surnames = common + tail_names
        # 10% of people carry one of the ~100 most common surnames (0.06-0.4% each, as in
        # Ukraine), the rest a tail surname (Zipf from 0.09% down): namesakes are frequent.
        cw = [1.0 / (i + 1) ** 0.4 for i in range(len(common))]
        tw = [1.0 / (i + 200) for i in range(len(tail_names))]
        cs, ts = sum(cw), sum(tw)
        self.surname_w = [w / cs * 0.10 for w in cw] + [w / ts * 0.90 for w in tw]
        self._cum_surname = list(itertools.accumulate(self.surname_w))
        self.serials: set[str] = set()

    def surname(self) -> str:
        return self.rnd.choices(self.surnames, cum_weights=self._cum_surname)[0]

    def dob(self) -> PartialDate:
        y = int(self.rnd.triangular(1964, 2007, 1992))
        start = dt.date(y, 1, 1)
        d = start + dt.timedelta(days=self.rnd.randrange(365))
        return PartialDate(d.year, d.month, d.day)

    def serial(self) -> str:
        while True:
            s = "".join(self.rnd.choice("АВЕКМНОРСТ") for _ in range(2)) + f"{self.rnd.randrange(10**6):06d}"
            if s not in self.serials:
                self.serials.add(s)
                return s

    def person(self, pid: str, last: str | None = None, first: str | None = None, female: bool | None = None) -> Person:
        r = self.rnd
        if female is None:
            female = r.random() < 0.07
        if first is None:
            names = FEMALE if female else MALE
            first = r.choices([n for n, _ in names], [w for _, w in names])[0]
        father = r.choices(list(FATHERS), FATHER_W)[0]
        pat = FATHERS[father][1 if female else 0]
        last = last or self.surname()
        if female and last.endswith("ий"):
            last = last[:-2] + "а"
        dob = self.dob()
        if r.random() < 0.04:
            dob = PartialDate(dob.year)
        service = self.serial() if r.random() < 0.85 else ""
        tax = f"{r.randrange(10**9, 10**10)}" if r.random() < 0.5 else ""
        return Person(pid, last, first, pat, female, dob, service, tax)


_UK_LETTERS = str.maketrans({"і": "и", "ї": "йи", "є": "е", "ґ": "г", "'": ""})


def _ru(token: str, kind: str) -> str:
    """The most frequent Russian rendering of a Ukrainian name part."""
    from names_translator.dicts import default_dicts

    from homecoming.names.equivalence import EXTRA

    key = token.lower()
    d = default_dicts()
    cands = list(EXTRA[kind].get(key, ())) + (d.lookup_key(key, "last") if kind == "last"
                                               else d.as_dict(kind).get(key, []))
    for c in cands:
        c = c.lower()
        if c != key and not any(ch in "іїєґ'" for ch in c):
            return c.capitalize()
    return key.translate(_UK_LETTERS).capitalize()


def _typo(rnd: random.Random, s: str) -> str:
    if len(s) < 4:
        return s
    i = rnd.randrange(1, len(s) - 1)
    op = rnd.choice(["sub", "del", "ins", "swap"])
    letters = "абвгдеклмнопрстуиа" if any("а" <= c <= "я" for c in s.lower()) else "abdeiklmnoprstuvy"
    if op == "sub":
        return s[:i] + rnd.choice(letters) + s[i + 1:]
    if op == "del":
        return s[:i] + s[i + 1:]
    if op == "ins":
        return s[:i] + rnd.choice(letters) + s[i:]
    return s[:i] + s[i + 1] + s[i] + s[i + 2:]


def _homoglyph(rnd: random.Random, s: str) -> str:
    return "".join(_CYR_TO_LAT[c] if c in _CYR_TO_LAT and rnd.random() < 0.5 else c for c in s)


def _dob_error(rnd: random.Random, d: PartialDate) -> PartialDate:
    for _ in range(20):
        kind = rnd.choice(["swap", "digit", "day", "month", "year"])
        try:
            if kind == "swap":
                if d.day > 12 or d.day == d.month:
                    continue
                return PartialDate(d.year, d.day, d.month)
            if kind == "digit":
                s = d.digits()
                i = rnd.choice([2, 3, 5, 6, 7])
                s = s[:i] + rnd.choice([c for c in "0123456789" if c != s[i]]) + s[i + 1:]
                return PartialDate(int(s[:4]), int(s[4:6]), int(s[6:]))
            if kind == "day":
                x = dt.date(d.year, d.month, d.day) + dt.timedelta(days=rnd.choice([-1, 1]))
                return PartialDate(x.year, x.month, x.day)
            if kind == "month":
                return PartialDate(d.year, d.month + rnd.choice([-1, 1]), d.day)
            return PartialDate(d.year + rnd.choice([-1, 1]), d.month, d.day)
        except ValueError:
            continue
    return d


def render(rnd: random.Random, p: Person, row_id: str) -> dict:
    """One list row for person ``p``, written as the other side would."""
    lang = rnd.choices(["ru", "uk", "lat-ru", "lat-uk"], [55, 15, 20, 10])[0]
    last, first, pat = p.last, p.first, p.patronymic
    if lang in ("ru", "lat-ru"):
        last, first, pat = _ru(last, "last"), _ru(first, "first"), _ru(pat, "patronymic")
    if lang == "lat-ru":
        std = rnd.choice(RU_STANDARDS)
        last, first, pat = (transliterate(x, std) for x in (last, first, pat))
    elif lang == "lat-uk":
        std = rnd.choice(UK_STANDARDS)
        last, first, pat = (transliterate(x, std) for x in (last, first, pat))
    if rnd.random() < 0.20:
        pat = ""
    if rnd.random() < 0.12:
        if rnd.random() < 0.6:
            last = _typo(rnd, last)
        else:
            first = _typo(rnd, first)
    if lang in ("ru", "uk") and rnd.random() < 0.06:
        last = _homoglyph(rnd, last)
    caps = rnd.random() < 0.25
    if caps:
        last, first, pat = last.upper(), first.upper(), pat.upper()
    row = {"id": row_id, "last_name": "", "first_name": "", "patronymic": "", "full_name": "",
           "birth_date": "", "service_number": ""}
    initials = rnd.random() < 0.08
    if initials:
        fi = first[:1] + "."
        pi = (pat[:1] + ".") if pat else ""
        row["full_name"] = rnd.choice([f"{last} {fi}{pi}", f"{fi} {pi} {last}".replace("  ", " ")])
    elif rnd.random() < 0.4:
        order = rnd.choices(["lfp", "fpl", "fl"], [50, 30, 20])[0]
        parts = {"lfp": [last, first, pat], "fpl": [first, pat, last], "fl": [first, last]}[order]
        row["full_name"] = " ".join(x for x in parts if x)
    else:
        row.update(last_name=last, first_name=first, patronymic=pat)
    d = p.dob
    u = rnd.random()
    if d is not None and d.is_full:
        if u < 0.68:
            shown = d
        elif u < 0.77:
            shown = _dob_error(rnd, d)
        elif u < 0.88:
            shown = PartialDate(d.year)
        else:
            shown = None
    else:
        shown = d if u < 0.8 else None
    if shown is not None:
        if shown.is_full and rnd.random() < 0.5:
            row["birth_date"] = f"{shown.day:02d}.{shown.month:02d}.{shown.year}"
        else:
            row["birth_date"] = str(shown)
    if p.service and rnd.random() < 0.30:
        s = p.service
        if rnd.random() < 0.03:
            s = s[:-1] + str((int(s[-1]) + 1) % 10)
        row["service_number"] = s if rnd.random() < 0.7 else s[:2] + " " + s[2:]
    return row


def generate(out_dir: str, n_register: int = 50_000, n_list: int = 3_000, seed: int = 7) -> dict:
    """Write registry.csv, list.csv and truth.csv to ``out_dir``; return the paths."""
    os.makedirs(out_dir, exist_ok=True)
    g = Generator(seed)
    rnd = g.rnd
    reg = [g.person(f"R{i:06d}") for i in range(n_register)]
    n_out = n_list // 10
    inside = rnd.sample(reg, n_list - n_out)
    outside: list[Person] = []
    for i in range(n_out):
        if i % 2 == 0:  # namesake of a registered person
            twin = rnd.choice(reg)
            outside.append(g.person(f"X{i:05d}", last=twin.last, first=twin.first, female=twin.female))
        else:
            outside.append(g.person(f"X{i:05d}"))
    people = [(p, p.id) for p in inside] + [(p, "") for p in outside]
    rnd.shuffle(people)
    by_name: dict[tuple[str, str], list[Person]] = {}
    for p in reg:
        by_name.setdefault((p.last, p.first), []).append(p)
    rows, truth = [], []
    for i, (p, true_id) in enumerate(people):
        rid = f"L{i:05d}"
        row = render(rnd, p, rid)
        rows.append(row)
        findable = False
        if true_id:
            if p.service and row["service_number"].replace(" ", "") == p.service:
                findable = True
            else:
                from homecoming.linkage.dates import parse_partial_date

                shown = parse_partial_date(row["birth_date"])
                if shown is not None and shown.is_full:
                    close = [q for q in by_name.get((p.last, p.first), [])
                             if compare_dates(shown, q.dob) in STRONG_DATE_LEVELS]
                    findable = [q.id for q in close] == [p.id]
        truth.append({"list_id": rid, "registry_id": true_id, "findable": "1" if findable else "0"})
    paths = {k: os.path.join(out_dir, f"{k}.csv") for k in ("registry", "list", "truth")}
    with open(paths["registry"], "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "last_name", "first_name", "patronymic", "birth_date", "service_number", "tax_number"])
        for p in reg:
            w.writerow([p.id, p.last, p.first, p.patronymic, str(p.dob or ""), p.service, p.tax])
    for name, data in (("list", rows), ("truth", truth)):
        with open(paths[name], "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(data[0]))
            w.writeheader()
            w.writerows(data)
    return paths


def generate_register(path: str, n: int, seed: int = 11, dup_share: float = 0.03,
                      truth_path: str | None = None) -> None:
    """A register of ``n`` records of which about ``dup_share`` are second entries of
    the same person (another source: Russian spelling, typo, date error), for dedupe.
    ``truth_path`` receives ``id,person`` for every record."""
    g = Generator(seed)
    rnd = g.rnd
    base = [g.person(f"R{i:06d}") for i in range(int(n * (1 - dup_share)))]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "last_name", "first_name", "patronymic", "full_name", "birth_date", "service_number"])
        for p in base:
            w.writerow([p.id, p.last, p.first, p.patronymic, "", str(p.dob or ""), p.service])
        dup_of = {}
        for j in range(n - len(base)):
            p = rnd.choice(base)
            row = render(rnd, p, f"D{j:06d}")
            dup_of[row["id"]] = p.id
            w.writerow([row["id"], row["last_name"], row["first_name"], row["patronymic"], row["full_name"],
                        row["birth_date"], row["service_number"]])
    if truth_path:
        with open(truth_path, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "person"])
            for p in base:
                w.writerow([p.id, p.id])
            for d, pid in dup_of.items():
                w.writerow([d, pid])
