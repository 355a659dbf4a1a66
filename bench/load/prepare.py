"""Runs inside the load-test database (DATABASE_URL set by __main__), after ``homecoming demo``.

    python -m bench.load.prepare OUT.json [--sessions 200] [--inquiries 200] [--list-rows 1000]

Idempotent set-up through the services, then one JSON file of what the simulated users ask for:

* a load-test account (registrar + analyst + negotiator, made by accounts.services) and signed-in
  sessions of it (Django's own login, as the login page does, without the Argon2 check per
  simulated user: that would be a benchmark of the password hasher);
* an incoming list from the other side (Russian renderings of register persons, imported and
  linked by intake.services), so the review queue has rows, once;
* fresh family inquiries (families.services) with their secret codes, every run, so that the
  wrong codes of earlier runs do not lock their references;
* samples of persons, name queries, lists, agreements and stages.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import time

USERNAME = "load-test"
LIST_SOURCE = "load-test list"


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")
    import django

    django.setup()


def _user():
    import secrets

    from django.contrib.auth import get_user_model

    from homecoming.accounts import roles as r
    from homecoming.accounts.services import create_user

    user = get_user_model().objects.filter(username=USERNAME).first()
    if user is None:
        user = create_user(None, username=USERNAME, password=secrets.token_urlsafe(24),
                           roles=[r.REGISTRAR, r.ANALYST, r.NEGOTIATOR], first_name="Load", last_name="Test")
    return user


def _sessions(user, n: int) -> list[str]:
    from django.test import Client

    out = []
    for _ in range(n):
        c = Client()
        c.force_login(user, backend="homecoming.accounts.access.AccessBackend")
        out.append(c.cookies["sessionid"].value)
    return out


def _incoming_list(rng: random.Random, rows: int) -> None:
    from homecoming.intake import services as intake
    from homecoming.intake.models import ImportKind, IncomingList
    from homecoming.registry.demo import russian_form
    from homecoming.registry.models import Person, Side, SourceKind

    if IncomingList.objects.filter(source_reference=LIST_SOURCE).exists():
        return
    ids = list(Person.objects.filter(side=Side.OURS, merged_into__isnull=True).values_list("pk", flat=True))
    picked = Person.objects.filter(pk__in=rng.sample(ids, rows)).order_by("pk")
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(["№", "ФИО", "Дата рождения"])
    for i, p in enumerate(picked, start=1):
        name = f"{russian_form(p.last_name, 'last').upper()} {russian_form(p.first_name, 'first')}"
        if p.patronymic and rng.random() < 0.7:
            name += f" {russian_form(p.patronymic, 'patronymic')}"
        birth = p.birth_date
        if birth and rng.random() < 0.3:  # a wrong digit, or no date at all: the review queue
            birth = birth.replace(day=min(28, birth.day % 28 + 1)) if rng.random() < 0.5 else None
        w.writerow([i, name, birth.strftime("%d.%m.%Y") if birth else ""])
    actor = intake.CommandLineActor()
    job = intake.stage_upload(actor, content=buf.getvalue().encode("utf-8"), filename="load-test.csv",
                              kind=ImportKind.LIST, source_kind=SourceKind.OTHER_SIDE_LIST,
                              source_reference=LIST_SOURCE, list_date="2025-06-10")
    intake.start_import(actor, job.pk, only_valid=True)


def _inquiries(user, rng: random.Random, n: int) -> list[list[str]]:
    from homecoming.families import services as families
    from homecoming.families.models import FiledVia
    from homecoming.registry.models import Person, Side

    persons = list(Person.objects.filter(side=Side.OURS, merged_into__isnull=True)
                   .order_by("?").values_list("pk", "last_name", "first_name")[:n])
    out = []
    for i, (pk, last, first) in enumerate(persons):
        filed = families.file_inquiry(user, {
            "last_name": last, "first_name": first, "inquirer_name": "Load Test", "relation": "mother",
            "language": "uk", "consent": True, "phone": f"+38044{rng.randrange(10**7):07d}",
        }, via=FiledVia.STAFF)
        if i % 2 == 0:  # half are linked to their person, so the family sees a status
            families.link_inquiry(user, filed.inquiry.pk, pk)
        out.append([filed.inquiry.reference, filed.secret])
    return out


def _samples(rng: random.Random) -> dict:
    from homecoming.exchanges.models import Agreement, Exchange
    from homecoming.intake.models import IncomingList, ListRow
    from homecoming.intake.views import PAGE_SIZE
    from homecoming.registry.demo import russian_form
    from homecoming.registry.models import Person, Side

    ids = list(Person.objects.filter(side=Side.OURS, merged_into__isnull=True).values_list("pk", flat=True))
    persons = rng.sample(ids, 2000)
    queries = []
    for last, first in Person.objects.filter(pk__in=rng.sample(ids, 300)).values_list("last_name", "first_name"):
        form = rng.choice(("uk", "ru", "initial"))
        if form == "uk":
            queries.append(f"{last} {first}")
        elif form == "ru":
            queries.append(f"{russian_form(last, 'last')} {russian_form(first, 'first')}")
        else:
            queries.append(f"{last.lower()} {first[:1]}")
    lists = []
    for lst in IncomingList.objects.all():
        review = ListRow.objects.filter(incoming_list=lst, state="open", decision="review").count()
        lists.append([lst.pk, max(1, -(-review // PAGE_SIZE))])
    return {"persons": persons, "queries": queries, "lists": lists,
            "agreements": list(Agreement.objects.values_list("pk", flat=True)),
            "stages": list(Exchange.objects.values_list("pk", flat=True))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--inquiries", type=int, default=200)
    parser.add_argument("--list-rows", type=int, default=1000)
    args = parser.parse_args(argv)
    _setup()
    started = time.perf_counter()
    rng = random.Random(2025)
    user = _user()
    _incoming_list(rng, args.list_rows)
    data = {"sessions": _sessions(user, args.sessions),
            "inquiries": _inquiries(user, random.Random(), args.inquiries), **_samples(rng)}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    print(f"prepared: {len(data['sessions'])} sessions, {len(data['inquiries'])} inquiries, "
          f"{len(data['lists'])} lists, {len(data['stages'])} stages in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
