"""A deterministic, realistic, entirely synthetic register for demonstrations and benchmarks.

A quarter of the surnames come from a list of the commonest Ukrainian surnames (mildly
Zipf-weighted), the rest from a long tail of synthetic stem + suffix surnames; first names are
Zipf-weighted (Олександр about one man in ten), so namesakes exist (many Мельник Олександр, born
on different days). No row describes a real person.
Rows are written in bulk (COPY on PostgreSQL, executemany on SQLite) inside one transaction,
with ONE audit event for the whole load; a second run with the same size and seed does nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from homecoming.audit.models import AuditEvent
from homecoming.audit.services import record
from homecoming.common.collation import name_sort_key
from homecoming.names import display_case, equivalents

from . import status_counts
from .keys import name_keys
from .lifecycle import derive
from .models import (
    AlternativeName,
    Branch,
    Direction,
    Operation,
    Person,
    PersonNameKey,
    Rank,
    Source,
    StatusEvent,
)
from .rows import insert_rows

AUDIT_ACTION = "registry.demo_data"
WAR_START = dt.date(2022, 2, 24)
AS_OF = dt.date(2025, 10, 31)  # fixed, so the same seed gives the same register on any day

SURNAMES = [
    "Мельник", "Шевченко", "Коваленко", "Бондаренко", "Бойко", "Ткаченко", "Кравченко", "Ковальчук",
    "Коваль", "Олійник", "Шевчук", "Поліщук", "Іваненко", "Ткачук", "Савченко", "Бондар", "Марченко",
    "Руденко", "Мороз", "Лисенко", "Петренко", "Клименко", "Павленко", "Кравчук", "Кузьменко",
    "Пономаренко", "Савчук", "Василенко", "Левченко", "Харченко", "Карпенко", "Гончаренко", "Мазур",
    "Сидоренко", "Литвиненко", "Мельничук", "Панченко", "Костенко", "Гриценко", "Романенко", "Тимошенко",
    "Кушнір", "Давиденко", "Онищенко", "Яковенко", "Кравець", "Данилюк", "Гаврилюк", "Сергієнко", "Козак",
    "Приходько", "Гуменюк", "Демченко", "Павлюк", "Нестеренко", "Антонюк", "Головко", "Білик", "Захарченко",
    "Ковтун", "Лук'яненко", "Мартинюк", "Остапенко", "Стасюк", "Тарасенко", "Федоренко", "Юрченко",
    "Гнатюк", "Дмитренко", "Андрієнко", "Вакуленко", "Герасименко", "Заїка", "Іщенко", "Кириленко",
    "Литвин", "Максименко", "Назаренко", "Осадчий", "Прокопенко", "Семенко", "Тищенко", "Филипенко",
    "Хоменко", "Чорновол", "Шаповал", "Щербак", "Ярошенко", "Бабенко", "Волошин", "Гордієнко", "Дячук"
]
MALE_NAMES = [
    "Олександр", "Сергій", "Андрій", "Дмитро", "Володимир", "Іван", "Віталій", "Юрій", "Олег", "Микола",
    "Максим", "Василь", "Віктор", "Роман", "Богдан", "Михайло", "Анатолій", "Ігор", "Євген", "Вадим",
    "Руслан", "Павло", "Артем", "Денис", "Петро", "Тарас", "Ярослав", "Валерій", "Степан", "Владислав",
    "Костянтин", "Олексій", "Назар", "Антон", "Станіслав", "Геннадій", "Валентин", "Федір", "Кирило",
    "Єгор", "Данило", "Артур", "Борис", "Григорій"
]
FEMALE_NAMES = [
    "Олена", "Наталія", "Тетяна", "Оксана", "Ірина", "Юлія", "Анна", "Марія", "Світлана", "Катерина",
    "Ольга", "Вікторія", "Людмила", "Галина", "Анастасія", "Алла", "Інна", "Христина", "Софія", "Лариса"
]
ENEMY_SURNAMES = [
    "Іванов", "Смирнов", "Кузнєцов", "Попов", "Соколов", "Лебедєв", "Козлов", "Новіков", "Морозов",
    "Волков", "Соловйов", "Васильєв", "Зайцев", "Павлов", "Семенов", "Голубєв", "Виноградов", "Богданов",
    "Воробйов", "Федоров", "Михайлов", "Бєляєв", "Тарасов", "Бєлов"
]
PATRONYMIC_SPECIAL = {"Федір": ("Федорович", "Федорівна"), "Микола": ("Миколайович", "Миколаївна"),
                      "Григорій": ("Григорович", "Григорівна")}
MEDICAL_NOTES = ["осколкове поранення", "контузія", "ампутація", "хронічна хвороба", "поранення кінцівки",
                 "туберкульоз", "черепно-мозкова травма", "виснаження"]
PLACES = ["Маріуполь", "Бахмут", "Авдіївка", "Сєвєродонецьк", "Лисичанськ", "Попасна", "Херсон", "Ізюм",
          "Куп'янськ", "Вугледар", "Оріхів", "Покровськ", "Часів Яр", "Торецьк", "Вовчанськ", "Суджа"]
EXCHANGE_DATES = [dt.date(2022, 4, 1), dt.date(2022, 6, 29), dt.date(2022, 9, 21), dt.date(2022, 12, 31),
                  dt.date(2023, 5, 7), dt.date(2023, 8, 7), dt.date(2024, 1, 3), dt.date(2024, 5, 31),
                  dt.date(2024, 9, 14), dt.date(2024, 12, 30), dt.date(2025, 3, 19), dt.date(2025, 5, 23),
                  dt.date(2025, 5, 24), dt.date(2025, 5, 25), dt.date(2025, 6, 19), dt.date(2025, 7, 23),
                  dt.date(2025, 8, 14), dt.date(2025, 10, 2)]


def patronymics(father: str) -> tuple[str, str]:
    if father in PATRONYMIC_SPECIAL:
        return PATRONYMIC_SPECIAL[father]
    if father.endswith("ій"):
        return father + "ович", father[:-1] + "ївна"
    if father.endswith("о"):
        return father[:-1] + "ович", father[:-1] + "івна"
    if father.endswith("ь"):
        return father + "ович", father[:-1] + "івна"
    return father + "ович", father + "івна"


def russian_form(token: str, kind: str) -> str:
    """The Russian rendering the other side would use (from homecoming.names); the token itself
    when none is known."""
    forms = sorted(f for f in equivalents(token, kind) if not set(f) & set("іїєґ'"))
    return display_case(forms[0]) if forms else token


# The long tail: most people do not bear one of the hundred commonest surnames (those cover
# about a tenth of Ukrainians, the commonest about 0.3%). Synthetic surnames from stems and
# Ukrainian surname suffixes stand for that tail.
TAIL_STEMS = [
    "Бабич", "Бадю", "Баран", "Бевз", "Березн", "Бобр", "Бондарч", "Боровик", "Бурлак", "Вакул", "Василь",
    "Верес", "Вовч", "Гайдам", "Галич", "Гарбуз", "Гнид", "Голуб", "Гордій", "Гречан", "Гриц", "Дзюб",
    "Довгал", "Дорош", "Дуд", "Жук", "Забар", "Загород", "Зінч", "Ільків", "Калин", "Карпюк", "Кизим",
    "Климч", "Козлюк", "Колісн", "Копит", "Корж", "Костюк", "Кравчин", "Криштал", "Кулик", "Куц", "Лагод",
    "Левч", "Лозин", "Лук", "Ляш", "Марч", "Матвій", "Мацюк", "Мирон", "Мороз", "Навроц", "Нагорн", "Олех",
    "Опанас", "Оліфір", "Панас", "Пасічн", "Педан", "Перепелиц", "Пилип", "Плах", "Поліщ", "Прокоп", "Радч",
    "Рибал", "Рудн", "Савч", "Самійл", "Семен", "Сидорч", "Скрипн", "Соколюк", "Стеф", "Сушк", "Тарас",
    "Терещ", "Тимч", "Федорч", "Химич", "Цимбал", "Чабан", "Черн", "Шаповал", "Швед", "Шкурат", "Юрч",
    "Явор", "Яковл", "Ярем"
]
TAIL_SUFFIXES = ("енко", "ук", "юк", "ишин", "ак", "ко", "ич", "ський")


def tail_surname(rng) -> str:
    stem, suffix = rng.choice(TAIL_STEMS), rng.choice(TAIL_SUFFIXES)
    if stem[-1] in "ьй" and suffix[0] in "еуюиа":
        stem = stem[:-1]
    return stem + suffix


def _zipf(items, s=0.9):
    return list(items), [1 / (i + 1) ** s for i in range(len(items))]


_CUMULATIVE: dict[int, tuple[list, list[float]]] = {}


def _weighted(rng, pairs):
    """rng.choices(items, weights)[0], with the cumulative weights computed once (same draws)."""
    items, weights = pairs
    cached = _CUMULATIVE.get(id(weights))
    if cached is None or cached[0] is not weights:
        cached = _CUMULATIVE[id(weights)] = (weights, list(itertools.accumulate(weights)))
    return rng.choices(items, cum_weights=cached[1])[0]


def tax_number(birth: dt.date, rng) -> str:
    """Synthetic RNOKPP-shaped number: days since 1899-12-31, 4 random digits, the check digit."""
    digits = f"{(birth - dt.date(1899, 12, 31)).days:05d}{rng.randint(0, 9999):04d}"
    weights = (-1, 5, 7, 9, 4, 6, 10, 5, 7)
    check = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10
    return digits + str(check)


@dataclass(frozen=True)
class DemoEvent:
    """A status event as the derivation reads it, before it is inserted."""

    status: str
    effective_date: dt.date
    pk: int
    corrects_id: int | None = None
    ends_id: int | None = None


@dataclass
class Loaded:
    persons: int
    events: int
    alternative_names: int
    keys: int
    skipped: bool = False


def already_loaded(persons: int, seed: int) -> bool:
    return AuditEvent.objects.filter(action=AUDIT_ACTION, details__persons=persons, details__seed=seed).exists()


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def load(persons: int, seed: int, *, actor="demo-data") -> Loaded:
    """Load ``persons`` synthetic persons (idempotent for the same size and seed)."""
    if already_loaded(persons, seed):
        return Loaded(0, 0, 0, 0, skipped=True)
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    today = min(AS_OF, timezone.localdate())
    branches = {b.code: b.pk for b in Branch.objects.all()}
    directions = {d.code: d.pk for d in Direction.objects.all()}
    operations = {o.code: o.pk for o in Operation.objects.all()}
    ranks = list(Rank.objects.values_list("pk", "category", "code"))
    rare = ("captain_", "brig", "major_g")
    ranks_by_cat = {c: [pk for pk, cat, code in ranks if cat == c and not code.startswith(rare)]
                    for c in ("private", "nco", "officer")}
    surnames, male_w, female_w = _zipf(SURNAMES, 0.3), _zipf(MALE_NAMES, 0.7), _zipf(FEMALE_NAMES, 0.7)
    enemy_w = _zipf(ENEMY_SURNAMES, 0.3)
    branch_w = ([b for b in ("land_forces", "national_guard", "territorial_defence", "air_assault", "marines",
                             "border_guard", "navy", "air_force", "special_operations", "police", "unmanned_systems",
                             "sbu") if b in branches],
                [40, 10, 12, 8, 7, 6, 4, 2, 2, 2, 2, 1])
    branch_w = (branch_w[0], branch_w[1][:len(branch_w[0])])
    dir_w = ([d for d in ("donetsk", "zaporizhzhia", "luhansk", "kherson", "kharkiv", "sumy", "kursk", "kyiv",
                          "chernihiv") if d in directions], [40, 15, 12, 10, 12, 4, 4, 2, 1])
    dir_w = (dir_w[0], dir_w[1][:len(dir_w[0])])
    now = timezone.now()
    adapt_dt = connection.ops.adapt_datetimefield_value
    now_db = adapt_dt(now)

    # Shared sources: lists and notifications name many persons at once.
    source_id0 = _next_id(Source)
    source_rows, pools = [], {}
    pool_specs = [("icrc", "Повідомлення МКЧХ № {}", 120), ("other_side_list", "Список іншої сторони № {}", 80),
                  ("unit_report", "Донесення в/ч А{:04d}", 200), ("family_application", "Заява родини № {}", 300),
                  ("returnee_testimony", "Свідчення звільненого № {}", 60),
                  ("open_source", "Відкрите джерело № {}", 40),
                  ("exchange_record", "Протокол обміну № {}", len(EXCHANGE_DATES))]
    sid = source_id0
    for kind, pattern, count in pool_specs:
        pools[kind] = []
        for i in range(count):
            number = rng.randint(1000, 9999) if "{:04d}" in pattern else i + 1
            source_rows.append((sid, kind, f"{pattern.format(number)} (демо)", now_db))
            pools[kind].append(sid)
            sid += 1

    person_id0 = _next_id(Person)
    event_id = _next_id(StatusEvent)
    alt_id = _next_id(AlternativeName)
    person_rows, event_rows, alt_rows, key_rows = [], [], [], []
    part_keys: dict[str, frozenset[str]] = {}

    def keys_of(*parts):
        out = set()
        for p in parts:
            if p not in part_keys:
                part_keys[p] = frozenset(name_keys([p]))
            out |= part_keys[p]
        return out

    def event(pid, status, date, kind):
        nonlocal event_id
        event_rows.append((event_id, pid, status, date, rng.choice(pools[kind]), "", None, None, now_db))
        event_id += 1

    for n in range(persons):
        pid = person_id0 + n
        side = "enemy" if rng.random() < 0.1 else "ours"
        civilian = side == "ours" and rng.random() < 0.05
        female = rng.random() < (0.25 if civilian else 0.07 if side == "ours" else 0.01)
        if side == "enemy":
            last = _weighted(rng, enemy_w) if rng.random() < 0.3 else \
                rng.choice(TAIL_STEMS).rstrip("ьй") + rng.choice(("ов", "ін", "ський"))
        else:
            last = _weighted(rng, surnames) if rng.random() < 0.25 else tail_surname(rng)
        if female and last.endswith(("ов", "єв", "ин")):
            last += "а"
        if female and last.endswith("ський"):
            last = last[:-2] + "а"
        first = _weighted(rng, female_w if female else male_w)
        father = _weighted(rng, male_w)
        patr = patronymics(father)[1 if female else 0]
        # Incident: a Mariupol group in spring 2022, otherwise spread over the war, heavier early.
        mariupol = side == "ours" and rng.random() < 0.05
        if mariupol:
            incident = dt.date(2022, 3, 1) + dt.timedelta(days=rng.randint(0, 80))
            direction, operation, place = directions.get("donetsk"), operations.get("mariupol"), "Маріуполь"
        else:
            span = (today - WAR_START).days
            incident = WAR_START + dt.timedelta(days=int(span * rng.random() ** 1.6))
            dcode = _weighted(rng, dir_w)
            if dcode == "kursk" and incident < dt.date(2024, 8, 6):
                dcode = "sumy"
            if dcode in ("kyiv", "chernihiv") and incident > dt.date(2022, 4, 5):
                dcode = "kharkiv"
            direction, operation, place = directions.get(dcode), None, rng.choice(PLACES)
            if dcode == "kursk" and "kursk" in operations:
                operation = operations["kursk"]
        age = rng.randint(18, 60) if rng.random() < 0.7 else rng.randint(18, 30)
        birth = incident - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        precision = "day"
        r = rng.random()
        if r < 0.03:
            precision, birth = "year", birth.replace(month=1, day=1)
        elif r < 0.05:
            birth = None
        cat_r = rng.random()
        category = "private" if cat_r < 0.6 else "nco" if cat_r < 0.88 else "officer"
        rank = rng.choice(ranks_by_cat[category]) if not civilian and ranks_by_cat[category] else None
        branch = None if civilian else (branches.get("ru_armed_forces") if side == "enemy"
                                        else branches.get(_weighted(rng, branch_w)))
        med_r = rng.random()
        medical = "none" if med_r < 0.75 else "wounded" if med_r < 0.9 else "seriously_wounded" if med_r < 0.96 \
            else "seriously_ill"
        notes = rng.choice(MEDICAL_NOTES) if medical != "none" else ""
        contacts = ""
        if side == "ours" and rng.random() < 0.7:
            contacts = f"{rng.choice(['Мати', 'Батько', 'Дружина', 'Сестра', 'Брат'])}: +380 00 " \
                       f"{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)} (демо)"
        service_number = "" if civilian else f"{rng.choice('АВЕКМНОРСТ')}{rng.choice('АВЕКМНОРСТ')}" \
                                              f"{rng.randint(100000, 999999)}"
        tax = tax_number(birth, rng) if birth and side == "ours" and rng.random() < 0.7 else ""

        # Status history.
        statuses = []
        if side == "enemy":
            statuses.append(("held", incident, "unit_report"))
            r = rng.random()
            later = [d for d in EXCHANGE_DATES if d > incident + dt.timedelta(days=60) and d <= today]
            if r < 0.12 and later:
                statuses.append(("exchanged", rng.choice(later), "exchange_record"))
            elif r < 0.15:
                statuses.append(("released", min(today, incident + dt.timedelta(days=rng.randint(30, 400))),
                                 "open_source"))
        else:
            r = rng.random()
            confirm = min(today, incident + dt.timedelta(days=rng.randint(20, 500)))
            later = [d for d in EXCHANGE_DATES if d > confirm]
            if r < 0.03 or mariupol and r < 0.15:
                statuses.append(("captivity_confirmed", incident, "other_side_list"))
            else:
                statuses.append(("missing", incident, rng.choice(["family_application", "unit_report"])))
            if r < 0.55 and not mariupol:
                pass  # still missing
            elif r < 0.57:
                statuses.append(("found", confirm, "open_source"))
            elif r < 0.59:
                statuses.append(("deceased", confirm, "returnee_testimony"))
            else:
                if statuses[0][0] != "captivity_confirmed":
                    statuses.append(("captivity_confirmed", confirm, rng.choice(["icrc", "other_side_list",
                                                                                 "returnee_testimony"])))
                if later and rng.random() < (0.55 if mariupol else 0.35):
                    exchange = rng.choice(later)
                    listed = max(confirm, exchange - dt.timedelta(days=rng.randint(5, 40)))
                    # A past list of an exchange the demo does not model: only the returned keep it
                    # (one listed still today would need an entry on a stage, which exchanges/demo.py makes).
                    if rng.random() < 0.85:
                        statuses.append(("on_exchange_list", listed, "exchange_record"))
                        statuses.append(("returned", exchange, "exchange_record"))
                elif rng.random() < 0.02:
                    statuses.append(("released_other", min(today, confirm + dt.timedelta(days=200)), "open_source"))
        for status, date, kind in statuses:
            event(pid, status, date, kind)
        # The derivation of the status model (lifecycle.py), over the events as they will be stored.
        current, since, was_missing = derive(
            DemoEvent(status, date, i + 1) for i, (status, date, _kind) in enumerate(statuses))

        keys = keys_of(last, first, patr)
        if side == "ours" and rng.random() < 0.15 or side == "enemy":
            ru = (russian_form(last, "last"), russian_form(first, "first"), russian_form(patr, "patronymic"))
            if ru != (last, first, patr):
                alt_rows.append((alt_id, pid, ru[0], ru[1], ru[2], "ru", "список іншої сторони (демо)", now_db, None))
                alt_id += 1
                keys |= keys_of(*ru)
        key_rows.extend((pid, k) for k in keys)
        person_rows.append((
            pid, side, "civilian" if civilian else "servicemember", last, first, patr,
            "female" if female else "male", birth, precision, service_number, tax, "",
            branch, "" if civilian else f"в/ч А{rng.randint(1000, 9999)}", rank, category if rank else "",
            incident, place, direction, operation, medical, notes, contacts, current, since, was_missing,
            None, 1, now_db, now_db, None, name_sort_key(last, first, patr),
        ))

    person_cols = ["id", "side", "kind", "last_name", "first_name", "patronymic", "sex", "birth_date",
                   "birth_date_precision", "service_number", "tax_number", "documents", "branch_id", "unit",
                   "rank_id", "rank_category", "incident_date", "incident_place", "direction_id", "operation_id",
                   "medical_category", "medical_notes", "family_contacts", "current_status", "current_status_date",
                   "was_missing", "merged_into_id", "version", "created_at", "updated_at", "created_by_id",
                   "name_sort_key"]
    with transaction.atomic():
        insert_rows(Source, ["id", "kind", "reference", "created_at"], source_rows)
        insert_rows(Person, person_cols, person_rows)
        insert_rows(StatusEvent, ["id", "person_id", "status", "effective_date", "source_id", "note", "corrects_id",
                              "author_id", "created_at"], event_rows)
        insert_rows(AlternativeName, ["id", "person_id", "last_name", "first_name", "patronymic", "script", "source",
                                  "created_at", "created_by_id"], alt_rows)
        insert_rows(PersonNameKey, ["person_id", "key"], key_rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Source, Person, StatusEvent,
                                                                          AlternativeName, PersonNameKey]):
                    cursor.execute(sql)
        if connection.vendor == "postgresql":  # fresh statistics, or the planner guesses after a bulk load
            with connection.cursor() as cursor:
                for model in (Person, StatusEvent, AlternativeName, PersonNameKey):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        record(actor, AUDIT_ACTION, object_type="register", details={
            "persons": persons, "seed": seed, "events": len(event_rows), "alternative_names": len(alt_rows),
            "first_reference": f"HC-{person_id0:06d}", "last_reference": f"HC-{person_id0 + persons - 1:06d}",
        })
        status_counts.rebuild()  # the dashboard's counts of status events by day (after the audit event)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Set the visibility map, so that index-only scans need not visit the table.
        with connection.cursor() as cursor:
            for model in (Person, StatusEvent, PersonNameKey):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return Loaded(persons, len(event_rows), len(alt_rows), len(key_rows))
