"""The counts of status events by day that the dashboard reads (registry.status_counts) stay equal
to the counts of the events themselves, whatever the services do: events entered late and
back-dated, corrections, many events at once, a file import, a side changed, a merge and its
undo. And the dashboard's "status changes by month" read from them equals the figure counted
straight from the events."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from homecoming.registry import services, status_counts
from homecoming.registry.demo import load
from homecoming.registry.models import STATUSES_BY_SIDE, Person, Side, Source, Status, StatusCount, StatusEvent
from homecoming.reports.selectors import Range, status_changes_by_month

pytestmark = pytest.mark.django_db

START = dt.date(2022, 2, 24)
SHARED = sorted(STATUSES_BY_SIDE[Side.OURS] & STATUSES_BY_SIDE[Side.ENEMY] - {"on_exchange_list"})


def _day(rng: random.Random) -> dt.date:
    return START + dt.timedelta(days=rng.randint(0, 1000))


def _months_from_events(start=None, end=None) -> dict[tuple[str, str], int]:
    """The figure as it was counted before the counts existed: every live event of our persons."""
    corrected = set(StatusEvent.objects.exclude(corrects=None).values_list("corrects_id", flat=True))
    out: Counter = Counter()
    for e in StatusEvent.objects.select_related("person").exclude(pk__in=corrected):
        if e.person.side == Side.OURS and e.person.merged_into_id is None and (not start or e.effective_date >= start) \
                and (not end or e.effective_date <= end):
            out[(e.effective_date.strftime("%Y-%m"), e.status)] += 1
    return dict(out)


def _months_of_figure(rng: Range) -> dict[tuple[str, str], int]:
    fig = status_changes_by_month(rng)
    code = {str(s.label): s.value for s in Status}
    return {(row.label, code[fig.columns[i]]): n for row in fig.rows for i, n in enumerate(row.cells) if n}


def test_counts_follow_random_work_of_the_services(registrar, make_person):
    rng = random.Random(19)
    persons = [make_person(f"Петренко{chr(0x430 + i)}", "Олександр", status_date=_day(rng)) for i in range(12)]
    enemy = [make_person(f"Іванов{chr(0x430 + i)}", "Сергій", side="enemy", status="held", status_date=_day(rng))
             for i in range(4)]
    done = Counter()
    for _step in range(80):
        action = rng.choice(("event", "event", "correct", "bulk", "side", "merge"))
        try:
            if action == "event":  # entered today, effective on any day: back-dated most of the time
                person = rng.choice(persons + enemy)
                person.refresh_from_db()
                status = rng.choice(sorted(STATUSES_BY_SIDE[person.side] - {"on_exchange_list"}))
                services.add_status_event(registrar, person.pk, status=status, effective_date=_day(rng),
                                          source_kind="unit_report", exception_reason="synthetic test")
            elif action == "correct":
                live = list(StatusEvent.objects.filter(corrections__isnull=True, person__merged_into=None)
                            .select_related("person"))
                wrong = rng.choice(live)
                status = rng.choice(sorted(STATUSES_BY_SIDE[wrong.person.side] - {"on_exchange_list"}))
                services.add_status_event(registrar, wrong.person_id, status=status, effective_date=_day(rng),
                                          corrects=wrong.pk, source_kind="icrc", exception_reason="synthetic test")
            elif action == "bulk":
                chosen = rng.sample(persons, 3)
                source = Source.objects.create(kind="unit_report")
                services.add_status_events_bulk(registrar, [(p.pk, "captivity_confirmed", _day(rng)) for p in chosen],
                                                source=source, permission="registry.add_statusevent",
                                                exception_reason="synthetic test")
            elif action == "side":  # only a history of statuses both sides share lets the side change
                person = make_person("Шевчук", "Андрій", status=None)
                services.add_status_event(registrar, person.pk, status=rng.choice(SHARED), effective_date=_day(rng),
                                          source_kind="unit_report")
                person.refresh_from_db()
                services.update_person(registrar, person.pk, version=person.version, changes={"side": "enemy"})
            else:
                a, b = rng.sample([p for p in persons if not Person.objects.get(pk=p.pk).merged_into_id], 2)
                merge = services.merge_persons(registrar, a.pk, b.pk,
                                               confirm=services.merge_fingerprint(Person.objects.get(pk=a.pk),
                                                                                  Person.objects.get(pk=b.pk)))
                if rng.random() < 0.5:
                    services.undo_merge(registrar, merge.pk)
            done[action] += 1
        except ValidationError:
            done["refused"] += 1
        assert status_counts.differences() == [], (action, done)
    assert all(done[a] for a in ("event", "correct", "bulk", "side", "merge")), done
    assert StatusEvent.objects.exclude(corrects=None).exists()
    # the dashboard's figure from the counts equals the figure from the events, for any range
    assert _months_of_figure(Range()) == _months_from_events()
    start, end = dt.date(2022, 7, 14), dt.date(2023, 9, 2)
    assert _months_of_figure(Range(start, end)) == _months_from_events(start, end)


def test_a_file_import_and_the_demo_register_are_counted(registrar):
    services.bulk_create_persons(registrar, [{"last_name": "Коваль", "first_name": f"Іван{chr(0x430 + i)}"}
                                             for i in range(5)], source_kind="unit_report", status="missing",
                                 effective_date=dt.date(2023, 3, 1))
    assert status_counts.stored()[(dt.date(2023, 3, 1), "missing", "ours")] == 5
    load(200, 3)
    assert status_counts.differences() == []


def test_recount_rebuilds_the_counts(registrar, make_person):
    make_person(status_date=dt.date(2023, 5, 1))
    StatusCount.objects.all().delete()
    assert status_counts.differences()
    call_command("recount_statuses", stdout=io.StringIO())
    assert status_counts.differences() == []
