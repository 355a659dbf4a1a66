"""Aftercare through the API: /api/v1/aftercare/cases/, .../cases/{id}/, .../tasks/{id}/.

Same services, permissions and audit as the pages; the outcome of medical tasks only for holders
of ``aftercare.view_medical_task``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from homecoming.aftercare import selectors, services
from homecoming.aftercare.models import Case, Task
from homecoming.audit.services import record_list_read


class HasPerm(permissions.BasePermission):
    def has_permission(self, request, view):
        needed = view.required_perms.get(request.method, ())
        return bool(request.user and request.user.is_authenticated and needed
                    and all(request.user.has_perm(p) for p in needed))


def _task(task: Task, medical_ok: bool) -> dict:
    hidden = task.is_medical and not medical_ok
    return {"id": task.pk, "code": task.code, "title": task.title, "kind": task.kind, "state": task.state,
            "due_date": task.due_date, "assignee": task.assignee.username if task.assignee else None,
            "outcome": None if hidden else task.outcome, "outcome_hidden": hidden}


def _case(case: Case) -> dict:
    return {"id": case.pk, "reference": case.reference, "person": case.person_id,
            "person_reference": case.person.reference, "state": case.state, "source": case.source,
            "returned_on": case.returned_on, "exchange": case.exchange_label or None,
            "owner": case.owner.username if case.owner else None}


def _errors(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError({k if k != "__all__" else "non_field_errors": v for k, v in exc.message_dict.items()})
    return ValidationError({"non_field_errors": exc.messages})


class CaseList(APIView):
    permission_classes = [HasPerm]
    required_perms = {"GET": ("aftercare.view_case",)}

    @extend_schema(operation_id="aftercare_cases_list", responses={200: {"type": "array", "items": {"type": "object"}}})
    def get(self, request):
        state = request.query_params.get("state", "")
        cases = list(selectors.cases(state=state)[:500])
        record_list_read(request.user, "case.list", object_type="aftercare_case", ids=[c.pk for c in cases],
                         details={"state": state, "via": "api"}, request=request)
        return Response([_case(c) for c in cases])


class CaseDetail(APIView):
    permission_classes = [HasPerm]
    required_perms = {"GET": ("aftercare.view_case",)}

    @extend_schema(operation_id="aftercare_case_detail", responses={200: dict})
    def get(self, request, pk):
        case = get_object_or_404(Case.objects.select_related("person", "owner"), pk=pk)
        services.record_case_view(request.user, case, request=request, via="api")
        medical_ok = services.can_see_medical(request.user)
        return Response({**_case(case), "tasks": [_task(t, medical_ok) for t in selectors.case_tasks(case)]})


class TaskUpdate(APIView):
    permission_classes = [HasPerm]
    required_perms = {"PATCH": ("aftercare.change_task",)}

    @extend_schema(operation_id="aftercare_task_update", request=dict, responses={200: dict})
    def patch(self, request, pk):
        task = get_object_or_404(Task, pk=pk)
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        unknown = sorted(set(request.data) - {"state", "outcome", "assignee", "due_date"})
        if unknown:
            raise ValidationError({f: [_("Unknown field.")] for f in unknown})
        wrong = {f: [_("Expected text.")] for f in ("state", "outcome", "due_date")
                 if request.data.get(f) is not None and not isinstance(request.data[f], str)}
        if request.data.get("assignee") is not None and (isinstance(request.data["assignee"], bool) or not
                                                          isinstance(request.data["assignee"], int | str)):
            wrong["assignee"] = [_("Expected the id of a person.")]
        if wrong:
            raise ValidationError(wrong)
        try:
            task = services.update_task(request.user, task.pk, state=request.data.get("state"),
                                        outcome=request.data.get("outcome"), assignee_id=request.data.get("assignee"),
                                        due_date=request.data.get("due_date"), request=request)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        return Response(_task(task, services.can_see_medical(request.user)))
