"""Runs inside one database (DATABASE_URL set by __main__).

    python -m bench.intake.worker generate DIR ROWS LIST_ROWS   # write the files
    python -m bench.intake.worker plain FILE                     # the best simple alternative
    python -m bench.intake.worker clear                          # empty the register between runs
    python -m bench.intake.worker counts                         # what the database holds (JSON)

The alternative is what one would write in an afternoon: ``csv.DictReader`` over a UTF-8 file
with known headers, ``Person.objects.bulk_create`` in batches of 2,000: no encoding or separator
detection, no header recognition, no validation report, no duplicate check, no search keys, no
status history, no audit. It prints one JSON line: {"seconds": ..., "rows": ...}.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import sys
import time


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
    import django

    django.setup()


def generate(directory: str, rows: int, list_rows: int, seed: int = 2025) -> None:
    """persons.csv (Windows-1251, semicolons, Ukrainian headers, dates DD.MM.YYYY), the same rows
    as plain.csv (UTF-8, commas, field names as headers, for the alternative), and list.csv
    (Windows-1251, semicolons, Russian renderings of LIST_ROWS of them: the other side's list)."""
    _setup()
    from homecoming.registry.demo import MALE_NAMES, SURNAMES, _zipf, patronymics, russian_form

    rng = random.Random(seed)
    sur_w, first_w = _zipf(SURNAMES)[1], _zipf(MALE_NAMES)[1]
    people, seen = [], set()
    while len(people) < rows:
        last = rng.choices(SURNAMES, sur_w)[0]
        first = rng.choices(MALE_NAMES, first_w)[0]
        father = rng.choices(MALE_NAMES, first_w)[0]
        birth = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(365 * 43))
        sn = f"{rng.choice('АБВГДЕЖ')}{rng.choice('АБВГДЕЖ')}{rng.randrange(100000, 999999)}"
        if (last, first, birth) in seen:
            continue
        seen.add((last, first, birth))
        people.append((last, first, patronymics(father)[0], birth, sn))
    with open(os.path.join(directory, "persons.csv"), "w", encoding="cp1251", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Прізвище", "Ім'я", "По батькові", "Дата народження", "Військовий квиток"])
        for last, first, pat, birth, sn in people:
            w.writerow([last, first, pat, birth.strftime("%d.%m.%Y"), sn])
    with open(os.path.join(directory, "plain.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["last_name", "first_name", "patronymic", "birth_date", "service_number"])
        for last, first, pat, birth, sn in people:
            w.writerow([last, first, pat, birth.isoformat(), sn])
    with open(os.path.join(directory, "list.csv"), "w", encoding="cp1251", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["№", "ФИО", "Дата рождения"])
        for i, (last, first, pat, birth, _sn) in enumerate(rng.sample(people, list_rows), start=1):
            name = f"{russian_form(last, 'last').upper()} {russian_form(first, 'first')} "\
                   f"{russian_form(pat, 'patronymic')}"
            w.writerow([i, name.encode("cp1251", "replace").decode("cp1251"), birth.strftime("%d.%m.%Y")])


def plain(path: str) -> None:
    _setup()
    from homecoming.registry.models import Person

    start = time.perf_counter()
    n = 0
    with open(path, encoding="utf-8", newline="") as f:
        batch = []
        for row in csv.DictReader(f):
            batch.append(Person(last_name=row["last_name"], first_name=row["first_name"],
                                patronymic=row["patronymic"], birth_date=dt.date.fromisoformat(row["birth_date"]),
                                service_number=row["service_number"]))
            if len(batch) == 2000:
                Person.objects.bulk_create(batch)
                n += len(batch)
                batch = []
        Person.objects.bulk_create(batch)
        n += len(batch)
    print(json.dumps({"seconds": round(time.perf_counter() - start, 2), "rows": n}))


def clear() -> None:
    _setup()
    from django.db import connection

    tables = ["intake_listrow", "intake_incominglist", "intake_importjob", "registry_personnamekey",
              "registry_statusevent", "registry_source", "registry_person"]
    with connection.cursor() as c:
        for t in tables:
            c.execute(f"DELETE FROM {t}")  # noqa: S608 - fixed table names


def counts() -> None:
    _setup()
    from homecoming.audit.models import AuditEvent
    from homecoming.intake.models import ListRow
    from homecoming.registry.models import Person, PersonNameKey, StatusEvent

    print(json.dumps({"persons": Person.objects.count(), "keys": PersonNameKey.objects.count(),
                      "events": StatusEvent.objects.count(), "list_rows": ListRow.objects.count(),
                      "matches": ListRow.objects.filter(decision="match").count(),
                      "review": ListRow.objects.filter(decision="review").count(),
                      "bulk_audit": AuditEvent.objects.filter(action="person.bulk_create").count()}))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "generate":
        generate(args[0], int(args[1]), int(args[2]))
    elif cmd == "plain":
        plain(args[0])
    elif cmd == "clear":
        clear()
    elif cmd == "counts":
        counts()
