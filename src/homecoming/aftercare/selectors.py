"""Reads of aftercare that more than one place needs (pages, API, the start page)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from homecoming.audit.services import record_list_read
from homecoming.common.collation import person_order

from .models import ACTIVE_TASK_STATES, Case, CaseState, Task, TaskKind
from .services import record_case_view


def cases(*, state: str = "", mine_for=None, q: str = "", unowned: bool = False) -> QuerySet[Case]:
    qs = Case.objects.select_related("person", "owner").annotate(
        open_tasks=Count("tasks", filter=Q(tasks__state__in=ACTIVE_TASK_STATES)),
        overdue_tasks=Count("tasks", filter=Q(tasks__state__in=ACTIVE_TASK_STATES,
                                              tasks__due_date__lt=timezone.localdate())),
    )
    if state:
        qs = qs.filter(state=state)
    if mine_for is not None:
        qs = qs.filter(owner=mine_for)
    if unowned:
        qs = qs.filter(owner__isnull=True)
    if q:
        qs = qs.filter(Q(person__last_name__icontains=q) | Q(person__first_name__icontains=q))
    return qs.order_by("-returned_on", *person_order("person__"))


def case_tasks(case: Case) -> QuerySet[Task]:
    return case.tasks.select_related("assignee").order_by("position", "id")


def open_case_of(person) -> Case | None:
    return Case.objects.filter(person=person, state=CaseState.OPEN).first()


def overdue_tasks_for(user, today=None) -> list[Task]:
    """Overdue tasks that concern ``user``: of the cases they own or assigned to them; for a medical
    officer also the overdue medical tasks nobody has taken yet."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("aftercare.view_case"):
        return []
    today = today or timezone.localdate()
    mine = Q(assignee=user) | Q(case__owner=user)
    if user.has_perm("aftercare.view_medical_task"):
        mine |= Q(kind=TaskKind.MEDICAL, assignee__isnull=True)
    return list(
        Task.objects.filter(mine, state__in=ACTIVE_TASK_STATES, due_date__lt=today, case__state=CaseState.OPEN)
        .select_related("case", "case__person", "assignee").order_by("due_date", "id")[:50]
    )


def unowned_overdue(today=None) -> dict[str, int]:
    """Open cases nobody owns that have overdue tasks, and how many tasks: the start page says so
    beside a person's own overdue tasks, so that "no overdue tasks" is never said while cases
    without an owner fall behind (issue 19). Counts only: no person is named."""
    today = today or timezone.localdate()
    overdue = Task.objects.filter(state__in=ACTIVE_TASK_STATES, due_date__lt=today, case__state=CaseState.OPEN,
                                  case__owner__isnull=True)
    return {"cases": overdue.values("case_id").distinct().count(), "tasks": overdue.count()}


# --- audited reads: a case is a person's data, and every read of one is audited ------------------
# ``request`` only gives the audit event the client's address.

def case_for_reading(actor, case: Case, *, via: str = "page", request=None) -> Case:
    """``case``, shown to ``actor``: audited."""
    record_case_view(actor, case, request=request, via=via)
    return case


def case_page_for_reading(actor, state: str, mine: bool, number, per_page: int, *, unowned: bool = False,
                          request=None):
    """One page of the cases in ``state`` ("all" for every state; with ``mine``, those ``actor``
    owns; with ``unowned``, those nobody owns), audited with the cases it shows and the filters."""
    qs = cases(state="" if state == "all" else state, mine_for=actor if mine else None, unowned=unowned)
    page = Paginator(qs, per_page).get_page(number)
    record_list_read(actor, "case.list", object_type="aftercare_case", ids=[c.pk for c in page.object_list],
                     details={"state": state, "mine": mine, "unowned": unowned}, request=request)
    return page
