"""Pages of aftercare: the case list, a case with its tasks, a task. Every write goes through the
services; every read of a case is audited; medical outcomes only for medical officers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from homecoming.common.actors import actor
from homecoming.common.errors import apply_errors, flash_outcome
from homecoming.common.routes import route
from homecoming.registry import selectors as registry_selectors

from . import selectors, services
from .forms import AssignForm, OpenCaseForm, TaskForm
from .models import Case, CaseState, Task


@route("")
@permission_required("aftercare.view_case", raise_exception=True)
def case_list(request):
    state = request.GET.get("state", CaseState.OPEN)
    if state not in CaseState.values and state != "all":
        state = CaseState.OPEN
    mine = request.GET.get("mine") == "1"
    unowned = request.GET.get("owner") == "none"
    page = selectors.case_page_for_reading(actor(request), state, mine, request.GET.get("page"), 50,
                                           unowned=unowned, request=request)
    query = f"state={state}" + ("&mine=1" if mine else "") + ("&owner=none" if unowned else "")
    return render(request, "aftercare/case_list.html", {
        "page": page, "state": state, "mine": mine, "unowned": unowned, "states": CaseState.choices,
        "query": query,
        "open_form": OpenCaseForm(), "can_open": request.user.has_perm("aftercare.change_case"),
    })


@route("open/")
@permission_required("aftercare.change_case", raise_exception=True)
@require_POST
def case_open(request):
    form = OpenCaseForm(request.POST)
    if form.is_valid():
        person = registry_selectors.person_by_reference(form.cleaned_data["reference"])
        if person is None:
            form.add_error("reference", _("No person has this reference."))
        else:
            try:
                case = services.open_case_by_hand(request.user, person.pk, request=request)
            except ValidationError as exc:
                form.add_error("reference", exc.messages)
            else:
                messages.success(request, _("The case %(ref)s is open.") % {"ref": case.reference})
                return redirect("aftercare:case_detail", case.pk)
    qs = selectors.cases(state=CaseState.OPEN)
    return render(request, "aftercare/case_list.html", {
        "page": Paginator(qs, 50).get_page(1), "state": CaseState.OPEN, "mine": False, "states": CaseState.choices,
        "query": "state=open", "open_form": form, "can_open": True,
    }, status=400)


#: panels other apps draw on the case page, by template name (aftercare imports none of them); a
#: template that does not exist (its app not installed) is skipped
CASE_PANELS: tuple[str, ...] = ("families/_case_messages.html",)


def case_panels() -> list[str]:
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    found = []
    for name in CASE_PANELS:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        found.append(name)
    return found


def _case_context(request, case, **extra):
    today = timezone.localdate()
    tasks = list(selectors.case_tasks(case))
    for task in tasks:
        task.overdue = task.is_overdue(today)
    return {"case": case, "tasks": tasks, "can_see_medical": services.can_see_medical(request.user),
            "can_change_case": request.user.has_perm("aftercare.change_case"),
            "can_change_task": request.user.has_perm("aftercare.change_task"), "today": today,
            "case_panels": case_panels(), **extra}


@route("<int:pk>/")
@permission_required("aftercare.view_case", raise_exception=True)
def case_detail(request, pk):
    case = selectors.case_for_reading(actor(request), get_object_or_404(Case.objects.select_related("person", "owner"),
                                                                        pk=pk), request=request)
    assign_form = AssignForm(workers=services.case_worker_choices(),
                             initial={"owner": case.owner_id or request.user.pk})
    return render(request, "aftercare/case_detail.html", _case_context(request, case, assign_form=assign_form))


@route("<int:pk>/assign/")
@permission_required("aftercare.change_case", raise_exception=True)
@require_POST
def case_assign(request, pk):
    case = get_object_or_404(Case, pk=pk)
    form = AssignForm(request.POST, workers=services.case_worker_choices())
    try:
        services.assign_case(request.user, case.pk, request.POST.get("owner"), request=request)
    except ValidationError as exc:
        form.is_valid()
        apply_errors(form, exc)
        return render(request, "aftercare/case_detail.html", _case_context(request, case, assign_form=form),
                      status=400)
    messages.success(request, _("The case is assigned."))
    return redirect("aftercare:case_detail", case.pk)


@route("<int:pk>/close/")
@permission_required("aftercare.change_case", raise_exception=True)
@require_POST
def case_close(request, pk):
    case = get_object_or_404(Case, pk=pk)
    flash_outcome(request, lambda: services.close_case(request.user, case.pk, request=request),
                  _("The case is closed."))
    return redirect("aftercare:case_detail", case.pk)


def _task_people(task):
    perm = "aftercare.view_medical_task" if task.is_medical else "aftercare.change_task"
    User = get_user_model()
    return [u for u in User.objects.filter(is_active=True).order_by("username") if u.has_perm(perm)]


@route("tasks/<int:pk>/")
@permission_required("aftercare.change_task", raise_exception=True)
@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    task = get_object_or_404(Task.objects.select_related("case", "case__person", "assignee"), pk=pk)
    if task.is_medical and not services.can_see_medical(request.user):
        raise PermissionDenied
    show_outcome = True
    initial = {"state": task.state, "due_date": task.due_date, "assignee": task.assignee_id or "",
               "outcome": task.outcome}
    if request.method == "GET":
        selectors.case_for_reading(actor(request), task.case, via="task", request=request)
        form = TaskForm(initial=initial, people=_task_people(task), show_outcome=show_outcome)
        return render(request, "aftercare/task_form.html", {"task": task, "form": form})
    form = TaskForm(request.POST, people=_task_people(task), show_outcome=show_outcome)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_task(request.user, task.pk, state=data["state"], outcome=data.get("outcome"),
                                 assignee_id=data.get("assignee") or None, due_date=data["due_date"],
                                 request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The task is saved."))
            return redirect("aftercare:case_detail", task.case_id)
    return render(request, "aftercare/task_form.html", {"task": task, "form": form}, status=400)
