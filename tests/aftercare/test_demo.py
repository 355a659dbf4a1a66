"""The demo looks like a working day whatever day it is run on (issue 19): the scenario follows the
exchanges of June 2025, so the tasks of that time are done, on dates near their due dates, and a
realistic handful are open: due in the coming weeks, a few overdue, none due before its case
opened."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from homecoming.aftercare.models import ACTIVE_TASK_STATES, Case, Task, TaskState

pytestmark = pytest.mark.django_db


def _demo(today: dt.date) -> None:
    call_command("demo", persons=0, today=today.isoformat(), stdout=io.StringIO())


@pytest.mark.parametrize("today", [dt.date(2025, 7, 1), dt.date(2026, 12, 3), dt.date(2031, 2, 14)])
def test_after_the_demo_a_small_share_of_tasks_is_overdue(today):
    _demo(today)
    cases = list(Case.objects.prefetch_related("tasks"))
    assert len(cases) >= 10
    open_tasks = [t for c in cases for t in c.tasks.all() if t.state in ACTIVE_TASK_STATES]
    overdue = [t for t in open_tasks if t.due_date < today]
    assert open_tasks and 0 < len(overdue) <= 0.25 * len(open_tasks), (len(overdue), len(open_tasks))
    assert all(today - t.due_date <= dt.timedelta(days=7) for t in overdue)  # late by days, not by months
    for case in cases:
        opened = case.opened_at.date()
        assert opened == case.returned_on
        assert case.tasks.filter(state__in=ACTIVE_TASK_STATES).exists(), case  # each case still has work
        for task in case.tasks.all():
            assert task.due_date >= opened, (task, task.due_date, opened)
            if task.state == TaskState.DONE:
                assert task.outcome and case.returned_on <= task.completed_on < today
    assert sum(1 for c in cases if c.owner_id is None) <= 2


def test_the_demo_on_a_later_day_changes_nothing_already_worked():
    _demo(dt.date(2026, 12, 3))
    before = list(Task.objects.order_by("id").values_list("id", "state", "due_date", "completed_on"))
    _demo(dt.date(2027, 1, 3))
    assert list(Task.objects.order_by("id").values_list("id", "state", "due_date", "completed_on")) == before


def test_a_task_cannot_be_done_in_the_future_or_before_the_return(make_user):
    from django.core.exceptions import ValidationError

    from homecoming.aftercare import services

    _demo(dt.date(2025, 6, 20))
    task = Task.objects.filter(state=TaskState.OPEN, kind="general").select_related("case").first()
    worker = task.case.owner or make_user("case_worker")
    for day in (dt.date.today() + dt.timedelta(days=1), task.case.returned_on - dt.timedelta(days=1), "12.06.2025"):
        with pytest.raises(ValidationError) as exc:
            services.update_task(worker, task.pk, state="done", outcome="x", completed_on=day)
        assert "completed_on" in exc.value.message_dict
    task.refresh_from_db()
    assert task.state == TaskState.OPEN and task.completed_on is None
