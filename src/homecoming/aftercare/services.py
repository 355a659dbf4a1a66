"""Every write of aftercare: one transaction, a permission check on the actor, an audit event."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record, record_many
from homecoming.common.actors import user_of as _user  # noqa: F401 (used by the services)
from homecoming.common.permissions import require_all as _require  # noqa: F401 (used by the services)
from homecoming.registry.limits import length_errors
from homecoming.registry.models import Person, Status

from .models import ACTIVE_TASK_STATES, Case, CaseSource, CaseState, PlanTemplate, Task, TaskKind, TaskState

RECONCILE_PERMISSION = "exchanges.reconcile_exchange"


def active_template() -> PlanTemplate | None:
    return PlanTemplate.objects.filter(active=True).order_by("code").first()


def _check_opening(actor, source: str) -> None:
    """Who may open a case from where: a case worker (``aftercare.change_case``) from anywhere,
    the reconciliation of an exchange (its actor holds ``exchanges.reconcile_exchange``)."""
    allowed = actor is not None and (
        actor.has_perm("aftercare.change_case")
        or (source == CaseSource.EXCHANGE and actor.has_perm(RECONCILE_PERMISSION))
    )
    if not allowed:
        raise PermissionDenied(_("You do not have the permission to do this."))
    if source not in CaseSource.values:
        raise ValidationError({"source": [_("Choose one of: %(choices)s.")
                                          % {"choices": ", ".join(CaseSource.values)}]})


@transaction.atomic
def open_case(actor, person: Person, *, returned_on: dt.date, source: str, exchange=None, request=None) -> Case:
    """Open the aftercare case of a returnee with the tasks of the active plan template, due
    ``returned_on`` + each task's days. Idempotent: if the person already has an open case, that
    case is returned unchanged (one open case per person, also a database constraint).

    A case worker (``aftercare.change_case``) may open one; so may the reconciliation of an exchange
    (``source="exchange"``, the actor holds ``exchanges.reconcile_exchange``)."""
    _check_opening(actor, source)
    if not isinstance(returned_on, dt.date):
        raise ValidationError({"returned_on": [_("Enter a date as YYYY-MM-DD.")]})
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.merged_into_id:
        raise ValidationError(_("This record was merged into %(ref)s; open the case there.")
                              % {"ref": person.merged_into.reference})
    existing = Case.objects.filter(person=person, state=CaseState.OPEN).first()
    if existing is not None:
        return existing
    template = active_template()
    case = Case.objects.create(
        person=person, source=source, returned_on=returned_on, template=template,
        exchange_id=getattr(exchange, "pk", None), exchange_label=str(exchange) if exchange is not None else "",
        opened_by=_user(actor),
    )
    if template is not None:
        Task.objects.bulk_create([
            Task(case=case, template_task=t, code=t.code, title_uk=t.title_uk, title_en=t.title_en, kind=t.kind,
                 due_date=returned_on + dt.timedelta(days=t.due_days), position=t.position)
            for t in template.tasks.all()
        ])
    record(actor, "case.open", object_type="aftercare_case", object_id=case.pk,
           details={"person": person.pk, "source": source, "returned_on": returned_on.isoformat(),
                    "exchange": case.exchange_id, "tasks": case.tasks.count()}, request=request)
    return case


@transaction.atomic
def open_cases(actor, returns, *, source: str, exchange=None, request=None) -> list[Case]:
    """:func:`open_case` for many returnees at once (an exchange being reconciled): ``returns`` is a
    list of ``(person, returned_on)``. The same permission, checks, cases, tasks, due dates and audit
    events as calling :func:`open_case` for each in turn, written with a few bulk INSERTs. All or
    nothing: a bad date or a merged record refuses the whole call. A person who already has an open
    case keeps it unchanged (also when they are named twice: the first return counts). Returns the
    case of every person named, in their order (existing ones included)."""
    _check_opening(actor, source)
    returns = list(returns)
    if any(not isinstance(returned_on, dt.date) for _person, returned_on in returns):
        raise ValidationError({"returned_on": [_("Enter a date as YYYY-MM-DD.")]})
    ids = list(dict.fromkeys(person.pk for person, _day in returns))
    persons: dict[int, Person] = {}
    for start in range(0, len(ids), 500):
        persons.update((p.pk, p) for p in Person.objects.select_for_update()
                       .filter(pk__in=ids[start:start + 500]))
    for pid in ids:
        person = persons[pid]
        if person.merged_into_id:
            raise ValidationError(_("This record was merged into %(ref)s; open the case there.")
                                  % {"ref": person.merged_into.reference})
    existing: dict[int, Case] = {}
    for start in range(0, len(ids), 500):
        existing.update((c.person_id, c) for c in Case.objects.filter(person_id__in=ids[start:start + 500],
                                                                      state=CaseState.OPEN))
    template = active_template()
    template_tasks = list(template.tasks.all()) if template is not None else []
    exchange_id = getattr(exchange, "pk", None)
    exchange_label = str(exchange) if exchange is not None else ""
    new_cases: list[Case] = []
    for person, returned_on in returns:
        if person.pk in existing:
            continue
        case = Case(person=persons[person.pk], source=source, returned_on=returned_on, template=template,
                    exchange_id=exchange_id, exchange_label=exchange_label, opened_by=_user(actor))
        existing[person.pk] = case
        new_cases.append(case)
    Case.objects.bulk_create(new_cases, batch_size=500)
    _insert_tasks([
        {"case_id": case.pk, "template_task_id": t.pk, "code": t.code, "title_uk": t.title_uk, "title_en": t.title_en,
         "kind": t.kind, "due_date": case.returned_on + dt.timedelta(days=t.due_days), "position": t.position}
        for case in new_cases for t in template_tasks
    ])
    record_many(actor, [
        {"action": "case.open", "object_type": "aftercare_case", "object_id": case.pk,
         "details": {"person": case.person_id, "source": source, "returned_on": case.returned_on.isoformat(),
                     "exchange": case.exchange_id, "tasks": len(template_tasks)}}
        for case in new_cases
    ], request=request)
    return [existing[person.pk] for person, _day in returns]


def _insert_tasks(rows: list[dict]) -> None:
    """INSERT many tasks (``rows``: field attname -> value; the other fields get their defaults, the
    time of ``updated_at`` is now), as ``Task.objects.bulk_create`` would but without building a
    model instance and preparing every field of every row: a plan of twelve tasks for 1,000
    returnees is 12,000 rows, most of whose values repeat, so each distinct value is prepared for
    the database once. The same rows, a fraction of the time."""
    if not rows:
        return
    connection = connections[router.db_for_write(Task)]
    fields = [f for f in Task._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    defaults["updated_at"] = timezone.now()  # auto_now
    unknown = set().union(*rows) - set(defaults)
    if unknown:
        raise TypeError(f"no such task fields: {sorted(unknown)}")
    prepared: dict[tuple, object] = {}

    def prep(field, value):
        key = (field.attname, type(value), value)
        if key not in prepared:
            prepared[key] = field.get_db_prep_save(value, connection)
        return prepared[key]

    quote = connection.ops.quote_name
    table, columns = quote(Task._meta.db_table), ", ".join(quote(f.column) for f in fields)
    # Names come from the model itself; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    params = [[prep(f, row.get(f.attname, defaults[f.attname])) for f in fields] for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start:start + 2000])


OPENABLE_STATUSES = {Status.RETURNED: CaseSource.EXCHANGE, Status.RELEASED_OTHER: CaseSource.OTHER}


@transaction.atomic
def open_case_by_hand(actor, person_id: int, *, request=None) -> Case:
    """A case worker opens the case of a person whose current status is "released by other means"
    (or "returned", when the reconciliation did not open one); the return date is that status's date."""
    _require(actor, "aftercare.change_case")
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationError({"person": [_("No such person.")]})
    source = OPENABLE_STATUSES.get(person.current_status)
    if source is None or person.current_status_date is None:
        raise ValidationError({"person": [
            _("A case is opened for a person whose current status is “Returned” or “Released by other means”.")]})
    return open_case(actor, person, returned_on=person.current_status_date, source=source, request=request)


def _case_workers():
    User = get_user_model()
    return [u for u in User.objects.filter(is_active=True).order_by("username") if u.has_perm("aftercare.change_case")]


def case_worker_choices() -> list:
    return _case_workers()


@transaction.atomic
def assign_case(actor, case_id: int, owner_id, *, request=None) -> Case:
    """Give the case to a case worker; its general tasks without an assignee go to them too."""
    _require(actor, "aftercare.change_case")
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.state != CaseState.OPEN:
        raise ValidationError({"owner": [_("Only an open case can be assigned.")]})
    User = get_user_model()
    owner = None
    if str(owner_id or "").isascii() and str(owner_id or "").isdigit():
        owner = User.objects.filter(pk=int(owner_id), is_active=True).first()
    if owner is None or not owner.has_perm("aftercare.change_case"):
        raise ValidationError({"owner": [_("Choose a case worker.")]})
    previous = case.owner_id
    case.owner = owner
    case.save(update_fields=["owner"])
    case.tasks.filter(kind=TaskKind.GENERAL, assignee__isnull=True).update(assignee=owner)
    record(actor, "case.assign", object_type="aftercare_case", object_id=case.pk,
           details={"owner": owner.pk, "previous": previous}, request=request)
    return case


def can_see_medical(user) -> bool:
    return bool(user is not None and user.has_perm("aftercare.view_medical_task"))


@transaction.atomic
def update_task(actor, task_id: int, *, state: str | None = None, outcome: str | None = None,
                assignee_id=None, due_date=None, completed_on=None, request=None) -> Task:
    """Change a task's state, outcome, assignee or due date. A medical task (its outcome is medical
    content) is changed only by someone who may read it (``aftercare.view_medical_task``).
    A task is done only with an outcome; ``completed_on`` records a task done on an earlier day
    (today when not given; never in the future nor before the return). Raises ValidationError
    naming the field; nothing changes."""
    _require(actor, "aftercare.change_task")
    task = Task.objects.select_for_update().select_related("case").get(pk=task_id)
    if task.is_medical and not can_see_medical(actor):
        raise PermissionDenied(_("Only a medical officer may change a medical task."))
    errors: dict[str, list[str]] = {}
    if task.case.state != CaseState.OPEN:
        errors["__all__"] = [_("The case is closed: its tasks can no longer change.")]
    changes: dict[str, object] = {}
    if state is not None and state != task.state:
        if state not in TaskState.values:
            errors["state"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(TaskState.values)}]
        else:
            changes["state"] = state
    if outcome is not None:
        outcome = outcome.strip()
        if too_long := length_errors(Task, {"outcome": outcome}):
            errors.update(too_long)
        elif outcome != task.outcome:
            changes["outcome"] = outcome
    if assignee_id not in (None, ""):
        User = get_user_model()
        assignee = User.objects.filter(pk=int(assignee_id), is_active=True).first() if str(
            assignee_id).isascii() and str(assignee_id).isdigit() else None
        needed = "aftercare.view_medical_task" if task.is_medical else "aftercare.change_task"
        if assignee is None or not assignee.has_perm(needed):
            errors["assignee"] = [_("Choose a person who may work on this task.")]
        elif assignee.pk != task.assignee_id:
            changes["assignee"] = assignee
    if due_date not in (None, ""):
        if not isinstance(due_date, dt.date):
            try:
                due_date = dt.date.fromisoformat(str(due_date))
            except ValueError:
                errors["due_date"] = [_("Enter a date as YYYY-MM-DD.")]
                due_date = None
        if due_date is not None and due_date < task.case.returned_on:
            errors["due_date"] = [_("The due date cannot be before the return date.")]
        elif due_date is not None and due_date != task.due_date:
            changes["due_date"] = due_date
    new_state = changes.get("state", task.state)
    new_outcome = changes.get("outcome", task.outcome)
    if new_state == TaskState.DONE and not new_outcome and "outcome" not in errors:
        errors["outcome"] = [_("Describe the outcome before marking the task done.")]
    done_on = _completion_date(completed_on, task, errors) if new_state == TaskState.DONE else None
    if errors:
        raise ValidationError(errors)
    if "state" in changes or (done_on is not None and done_on != task.completed_on):
        changes["completed_on"] = done_on or timezone.localdate() if new_state == TaskState.DONE else None
    if not changes:
        return task
    for field, value in changes.items():
        setattr(task, field, value)
    task.updated_by = _user(actor)
    task.save()
    # The audit names what changed, never the medical outcome itself.
    record(actor, "case.task_update", object_type="aftercare_task", object_id=task.pk,
           details={"case": task.case_id, "fields": sorted(changes), "state": task.state}, request=request)
    return task


def _completion_date(value, task: Task, errors: dict) -> dt.date | None:
    """The day a task was done, as given (None: not given), checked against the return and today."""
    if value in (None, ""):
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            errors["completed_on"] = [_("Enter a date as YYYY-MM-DD.")]
            return None
    if value > timezone.localdate():
        errors["completed_on"] = [_("The day a task was done cannot be in the future.")]
    elif value < task.case.returned_on:
        errors["completed_on"] = [_("The day a task was done cannot be before the return date.")]
    return value


@transaction.atomic
def close_case(actor, case_id: int, *, request=None) -> Case:
    _require(actor, "aftercare.change_case")
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.state != CaseState.OPEN:
        raise ValidationError(_("This case is not open."))
    unfinished = case.tasks.filter(state__in=ACTIVE_TASK_STATES).count()
    if unfinished:
        raise ValidationError(_("%(n)s task(s) are still open: finish or cancel them first.") % {"n": unfinished})
    case.state = CaseState.CLOSED
    case.closed_at = timezone.now()
    case.closed_by = _user(actor)
    case.save(update_fields=["state", "closed_at", "closed_by"])
    record(actor, "case.close", object_type="aftercare_case", object_id=case.pk, request=request)
    return case


def record_case_view(actor, case: Case, *, request=None, via: str = "page") -> None:
    """Every read of a case (a person's data) is audited."""
    record(actor, "case.view", object_type="aftercare_case", object_id=case.pk,
           details={"person": case.person_id, "via": via}, request=request)


# --- merges of persons in the register --------------------------------------------------------

def follow_merge(merge, survivor, duplicate) -> int:
    """Cases of the duplicate move to the survivor. If both have an open case, the duplicate's
    becomes "merged" (the survivor keeps one open case). Undone exactly by :func:`follow_merge_undo`."""
    moved = 0
    survivor_open = Case.objects.filter(person=survivor, state=CaseState.OPEN).exists()
    for case in Case.objects.select_for_update().filter(person=duplicate):
        case.moved_from_person_id = duplicate.pk
        if case.state == CaseState.OPEN and survivor_open:
            case.state = CaseState.MERGED
        case.person = survivor
        case.save(update_fields=["person", "state", "moved_from_person_id"])
        moved += 1
    if moved:
        record(None, "case.follow_merge", object_type="person", object_id=survivor.pk,
               details={"merge": merge.pk, "duplicate": duplicate.pk, "cases": moved})
    return moved


def follow_merge_undo(merge, survivor, duplicate) -> int:
    moved = 0
    for case in Case.objects.select_for_update().filter(person=survivor, moved_from_person_id=duplicate.pk):
        case.person = duplicate
        case.moved_from_person_id = None
        if case.state == CaseState.MERGED:
            case.state = CaseState.OPEN
        case.save(update_fields=["person", "state", "moved_from_person_id"])
        moved += 1
    if moved:
        record(None, "case.follow_merge_undo", object_type="person", object_id=duplicate.pk,
               details={"merge": merge.pk, "survivor": survivor.pk, "cases": moved})
    return moved
