"""Incoming lists through the API: /api/v1/intake/lists/, /lists/{id}/rows/ and
/intake/rows/{id}/decision/.

Same permissions, services and audit as the pages: reading rows with their candidates is audited
(``intake.review_view``); a decision goes through ``homecoming.intake.services.decide_row`` and a row
decided meanwhile by someone else gets 409 with who decided it, nothing changed.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from homecoming.intake import selectors, services
from homecoming.intake.models import IncomingList, ListRow

from .base import ApiView, Id
from .errors import Conflict, ErrorSerializer

VIEW = "intake.view_incominglist"


class IncomingListSerializer(serializers.ModelSerializer):
    open_rows = serializers.IntegerField(read_only=True)
    auto_rows = serializers.IntegerField(read_only=True)
    review_rows = serializers.IntegerField(read_only=True)
    accepted_rows = serializers.IntegerField(read_only=True)

    class Meta:
        model = IncomingList
        fields = ["id", "title", "source_kind", "source_reference", "list_date", "status_on_accept", "row_count",
                  "open_rows", "auto_rows", "review_rows", "accepted_rows", "created_at"]


class ListRowSerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()

    class Meta:
        model = ListRow
        fields = ["id", "row_number", "raw", "data", "decision", "reason", "candidates", "list_duplicates", "state",
                  "person", "version", "decided_at"]

    def get_person(self, row) -> str | None:
        return row.person.reference if row.person_id else None


class IncomingLists(ApiView, generics.ListAPIView):
    """Incoming lists with the counts of their rows (paged)."""

    required_perms = {"GET": (VIEW,)}
    serializer_class = IncomingListSerializer

    def get_queryset(self):
        return selectors.lists_with_counts()


class IncomingListRows(ApiView, generics.ListAPIView):
    """Rows of a list: ``?show=review|match|none|open|decided|all`` (default review), paged."""

    required_perms = {"GET": (VIEW,)}
    serializer_class = ListRowSerializer

    def get_queryset(self):
        lst = get_object_or_404(IncomingList, pk=self.kwargs["pk"])
        return selectors.queue_rows(lst, self.request.query_params.get("show", "review"))

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        lst = IncomingList.objects.get(pk=self.kwargs["pk"])
        ids = {c["person_id"] for r in response.data.get("results", []) for c in r["candidates"]}
        if ids:
            services.record_review_view(request.user, lst, ids, request=request)
        return response


class RowDecisionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=services.ACTIONS)
    version = Id(help_text="the version of the row you read")
    person = Id(required=False, allow_null=True, help_text="id of the person chosen")


class RowDecision(ApiView):
    required_perms = {"POST": (VIEW, "intake.review_match")}

    @extend_schema(request=RowDecisionInput, responses={200: ListRowSerializer, 409: ErrorSerializer})
    def post(self, request, pk):
        row = get_object_or_404(ListRow, pk=pk)
        s = RowDecisionInput(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        try:
            row = services.decide_row(request.user, row.pk, action=data["action"], version=data["version"],
                                      person_id=data.get("person"), request=request)
        except services.RowAlreadyDecided as exc:
            raise Conflict(str(exc)) from exc
        return Response(ListRowSerializer(row).data)
