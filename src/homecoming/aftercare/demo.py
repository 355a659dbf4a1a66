"""The demo's aftercare as a working team would have left it on a given day (issue 19).

The demo scenario follows the real exchanges of June 2025, and the reconciliation opens each
returnee's case with the standard plan, due a few days to a year after the return. Run on any
later day, every task of that plan would be overdue, and the case worker's start page would say
nobody had worked for months. :func:`settle` tells what a team would have done meanwhile, through
the services (each step audited, by the demo case worker or, for a medical task, the demo medical
officer):

* every task that fell due more than two days before ``today`` is done, on a day near its due
  date (never before the return, never after yesterday), with a synthetic outcome;
* a case whose plan is over keeps its follow-up open: the next review, due in the coming weeks;
* about one case in six has one task left overdue by a few days, as on a real desk;
* the cases are given to the demo case worker, except a couple of the latest, still unassigned;
* each case is dated as opened on the day of the return (the reconciliation ran today, but it
  stands for the exchange day): the one write that bypasses the services, as the register's demo
  loader writes the past.

Deterministic for a given ``today``. Idempotent: a case someone already worked on is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import services
from .models import Case, CaseState, TaskState

GRACE_DAYS = 2  # a task due within this many days before today may still be open without being late
OVERDUE_EVERY = 6  # one case in this many keeps one task a few days overdue
UNASSIGNED = 2  # the latest cases still wait for a case worker
OUTCOMES = {"medical": "Проведено, висновок у медичній картці (демо)",
            "general": "Виконано (демо)"}


def _demo_user(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _untouched(case: Case) -> bool:
    return all(t.state == TaskState.OPEN and t.updated_by_id is None for t in case.tasks.all())


def settle(today: dt.date | None = None, *, seed: int = 2025) -> str:
    """Work the demo's open cases up to ``today`` (see the module docstring); says what it did."""
    today = today or timezone.localdate()
    worker, medic = _demo_user("caseworker"), _demo_user("medic")
    if worker is None or medic is None:
        return "No demo case worker and medical officer: the aftercare cases are left as opened."
    opened = Case.objects.filter(state=CaseState.OPEN).prefetch_related("tasks").order_by("returned_on", "id")
    cases = [c for c in opened if _untouched(c)]
    done = overdue = 0
    for i, case in enumerate(cases):
        rng = random.Random(f"{seed}-{case.pk}")
        if i < len(cases) - UNASSIGNED:
            services.assign_case(worker, case.pk, worker.pk)
        late = i % OVERDUE_EVERY == OVERDUE_EVERY - 1
        d, o = _settle_case(case, today, rng, worker, medic, late=late)
        done, overdue = done + d, overdue + o
    for case in cases:
        opened = dt.datetime.combine(case.returned_on, dt.time(10), tzinfo=timezone.get_current_timezone())
        Case.objects.filter(pk=case.pk).update(opened_at=opened)
    return f"Aftercare as on {today.isoformat()}: {len(cases)} cases worked, {done} tasks done, {overdue} overdue."


def _settle_case(case: Case, today: dt.date, rng: random.Random, worker, medic, *, late: bool) -> tuple[int, int]:
    tasks = sorted(case.tasks.all(), key=lambda t: (t.due_date, t.position))
    past = [t for t in tasks if t.due_date < today - dt.timedelta(days=GRACE_DAYS)]
    next_review = None
    if past and len(past) == len(tasks):
        # the plan is over; the follow-up goes on, its next review due in the coming weeks
        next_review = next((t for t in reversed(past) if t.code == "follow-up"), past[-1])
        past.remove(next_review)
    keep_late = past[rng.randrange(len(past))] if late and past else None
    if keep_late is not None and today - dt.timedelta(days=6) < case.returned_on:
        keep_late = None  # the return was only days ago: nothing can be late yet
    done = 0
    for task in past:
        if task is keep_late:
            continue
        on = task.due_date + dt.timedelta(days=rng.randint(-2, 3))
        on = min(max(on, case.returned_on), today - dt.timedelta(days=1))
        services.update_task(_actor(task, worker, medic), task.pk, state=TaskState.DONE,
                             outcome=OUTCOMES[task.kind], completed_on=on)
        done += 1
    if next_review is not None:
        services.update_task(_actor(next_review, worker, medic), next_review.pk, state=TaskState.IN_PROGRESS,
                             due_date=today + dt.timedelta(days=rng.randint(2, 35)))
    if keep_late is not None:
        services.update_task(_actor(keep_late, worker, medic), keep_late.pk,
                             due_date=today - dt.timedelta(days=rng.randint(1, 6)))
    return done, int(keep_late is not None)


def _actor(task, worker, medic):
    return medic if task.is_medical else worker
