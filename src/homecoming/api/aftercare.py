"""Aftercare through the API: /api/v1/aftercare/cases/, .../cases/{id}/, .../tasks/{id}/.

Same services, permissions and audit as the pages; the outcome of medical tasks only for holders
of ``aftercare.view_medical_task``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from homecoming.aftercare import selectors, services
from homecoming.aftercare.models import Case, Task, TaskState
from homecoming.audit.services import record_list_read

from .base import ApiView, Id, StrictInput, Text

VIEW_CASE = {"GET": ("aftercare.view_case",)}


class TaskSerializer(serializers.ModelSerializer):
    """A task; ``outcome`` is null and ``outcome_hidden`` true for a medical task the reader may not see."""

    code = serializers.CharField(help_text="the code of its template; empty for a task added by hand")
    title = serializers.CharField(help_text="in the reader's language")
    kind = serializers.CharField()
    state = serializers.CharField()
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    outcome = serializers.SerializerMethodField()
    outcome_hidden = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "code", "title", "kind", "state", "due_date", "assignee", "outcome", "outcome_hidden"]

    def _hidden(self, task) -> bool:
        return task.is_medical and not self.context["medical_ok"]

    def get_outcome(self, task) -> str | None:
        return None if self._hidden(task) else task.outcome

    def get_outcome_hidden(self, task) -> bool:
        return self._hidden(task)


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    person = serializers.IntegerField(source="person_id")
    person_reference = serializers.CharField(source="person.reference")
    state = serializers.CharField()
    source = serializers.CharField()
    returned_on = serializers.DateField()
    exchange = serializers.SerializerMethodField()
    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)

    def get_exchange(self, case) -> str | None:
        return case.exchange_label or None


class CaseDetailSerializer(CaseSerializer):
    tasks = serializers.SerializerMethodField()

    @extend_schema_field(TaskSerializer(many=True))
    def get_tasks(self, case):
        return TaskSerializer(selectors.case_tasks(case), many=True, context=self.context).data


class TaskInput(StrictInput):
    state = serializers.ChoiceField(choices=TaskState.choices, required=False, allow_null=True)
    outcome = Text(required=False, allow_blank=True, allow_null=True)
    assignee = Id(required=False, allow_null=True, help_text="id of a user")
    due_date = serializers.DateField(required=False, allow_null=True)


class CaseList(ApiView):
    """Cases, newest return first (paged); ``state`` filters."""

    required_perms = VIEW_CASE

    @extend_schema(operation_id="aftercare_cases_list", responses=CaseSerializer(many=True),
                   parameters=[OpenApiParameter("state", OpenApiTypes.STR)])
    def get(self, request):
        state = request.query_params.get("state", "")
        response, cases = self.paged(selectors.cases(state=state), CaseSerializer)
        record_list_read(request.user, "case.list", object_type="aftercare_case", ids=[c.pk for c in cases],
                         details={"state": state, "via": "api"}, request=request)
        return response


class CaseDetail(ApiView):
    required_perms = VIEW_CASE

    @extend_schema(operation_id="aftercare_case_detail", responses=CaseDetailSerializer)
    def get(self, request, pk):
        case = get_object_or_404(Case.objects.select_related("person", "owner"), pk=pk)
        services.record_case_view(request.user, case, request=request, via="api")
        return Response(CaseDetailSerializer(case, context={"medical_ok": services.can_see_medical(request.user)}).data)


class TaskUpdate(ApiView):
    required_perms = {"PATCH": ("aftercare.change_task",)}

    @extend_schema(operation_id="aftercare_task_update", request=TaskInput, responses=TaskSerializer)
    def patch(self, request, pk):
        task = get_object_or_404(Task, pk=pk)
        s = TaskInput(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        task = services.update_task(request.user, task.pk, state=data.get("state"), outcome=data.get("outcome"),
                                    assignee_id=data.get("assignee"), due_date=data.get("due_date"), request=request)
        return Response(TaskSerializer(task, context={"medical_ok": services.can_see_medical(request.user)}).data)
