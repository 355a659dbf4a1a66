"""Runs inside one database (DATABASE_URL set by __main__): confirm-all of a large review queue,
once as the one request of before issue 19 and once as the background operation of now.

    python -m bench.operations.worker ROWS

Builds a register of 4 x ROWS synthetic persons and two incoming lists of ROWS Russian renderings
each (two halves of the register, so that both runs confirm the same number of automatic
matches), then prints one JSON line:

* ``before_request_s``: the request of before: ``services.accept_automatic`` (exactly what the
  view called until issue 19: every acceptance, in the request);
* ``after_request_s``: the request of now, through the whole middleware stack (Django's test
  client, signed in, after it opened the list's page): it starts the operation and queues its
  task (database backend) and answers;
* ``after_work_s``: the worker's part of now (``operations.runner.run``: the plan and every chunk
  of 50 rows in its own transaction), and ``chunks``;
* ``accepted``: the matches confirmed by each (every automatic match of its list).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time

PASSWORD = "correct-horse-battery-9"  # noqa: S105  (a scratch database's synthetic user)


def main(rows: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.urls import reverse

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # the pages link their files as in production
    from tests.intake.conftest import csv_bytes, russian, synthetic_people

    from homecoming.accounts.roles import sync_roles
    from homecoming.accounts.services import create_user
    from homecoming.intake import services
    from homecoming.intake.models import RowState
    from homecoming.intake.operations import CONFIRM_ALL
    from homecoming.operations import runner
    from homecoming.operations.models import Operation
    from homecoming.registry.services import bulk_create_persons

    sync_roles()
    registrar = create_user(None, username="bench-registrar", password=PASSWORD, roles=["registrar"])
    analyst = create_user(None, username="bench-analyst", password=PASSWORD, roles=["analyst"])
    people = synthetic_people(4 * rows, seed=2025)
    bulk_create_persons(registrar, people, source_kind="family_application", source_reference="bench",
                        status="missing", effective_date=dt.date(2023, 1, 1))
    lists = []
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate):
        for n, part in enumerate((people[:rows], people[rows:2 * rows])):
            table = [["Фамилия", "Имя", "Отчество", "Дата рождения"]] + [
                [russian(p["last_name"]), russian(p["first_name"]), russian(p["patronymic"]),
                 p["birth_date"].strftime("%d.%m.%Y")] for p in part]
            job = services.stage_upload(analyst, content=csv_bytes(table), filename=f"list{n}.csv", kind="list",
                                        source_kind="other_side_list", source_reference=f"bench {n}",
                                        list_date=dt.date(2025, 6, 7))
            lists.append(services.start_import(analyst, job.pk).incoming_list)
    auto = [lst.rows.filter(decision="match", state=RowState.OPEN).count() for lst in lists]

    started = time.perf_counter()
    before = services.accept_automatic(analyst, lists[0].pk)
    before_s = time.perf_counter() - started

    client = Client()
    client.force_login(analyst)
    # the analyst has the list open when they click (and the process has served a page before)
    assert client.get(reverse("intake:list_review", args=[lists[1].pk])).status_code == 200
    started = time.perf_counter()
    response = client.post(reverse("intake:accept_automatic", args=[lists[1].pk]))
    after_request_s = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    op = Operation.objects.get(kind=CONFIRM_ALL, target_id=lists[1].pk)
    assert op.state == "queued"
    started = time.perf_counter()
    state = runner.run(op.pk)
    after_work_s = time.perf_counter() - started
    op.refresh_from_db()
    assert before["accepted"] == auto[0] and state == "done" and op.result["accepted"] == auto[1], (op.result, auto)
    print(json.dumps({"rows": rows, "automatic": auto, "before_request_s": round(before_s, 2),
                      "after_request_s": round(after_request_s, 3), "after_work_s": round(after_work_s, 2),
                      "chunks": -(-op.total // 50), "accepted": [before["accepted"], op.result["accepted"]]}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
