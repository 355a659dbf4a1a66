"""Incoming lists through the API: /api/v1/intake/lists/, /lists/{id}/rows/,
/lists/{id}/recent-decisions/, /lists/{id}/reject/ (a bulk reject, previewed then confirmed by its
fingerprint), /intake/rows/{id}/decision/ and /intake/rows/{id}/undo/.

Same permissions, services and audit as the pages: reading rows with their candidates is audited
(``intake.review_view``); a decision goes through ``homecoming.intake.services.decide_row`` and a row
decided meanwhile by someone else gets 409 with who decided it, nothing changed. An undo refused
because a later step used the decision, or a bulk reject whose rows changed since the preview,
get 409 with the reason.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from homecoming.common.confirm import ChangedSincePreview
from homecoming.intake import selectors, services
from homecoming.intake.models import IncomingList, ListRow

from .base import ApiView, Id, Text
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
                  "person", "version", "decided_at", "decision_note"]

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
    reason = Text(required=False, allow_blank=True, max_length=300, help_text="why, with a rejection")


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
                                      person_id=data.get("person"), note=data.get("reason") or "", request=request)
        except services.RowAlreadyDecided as exc:
            raise Conflict(str(exc)) from exc
        return Response(ListRowSerializer(row).data)


class RecentDecisions(ApiView, generics.ListAPIView):
    """The latest decisions on a list that the caller may undo: their own, or anyone's for a lead."""

    required_perms = {"GET": (VIEW, "intake.review_match")}
    serializer_class = ListRowSerializer
    pagination_class = None

    @extend_schema(responses={200: ListRowSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        lst = get_object_or_404(IncomingList, pk=self.kwargs["pk"])
        return Response(ListRowSerializer(selectors.recent_decisions(lst, request.user), many=True).data)


class UndoInput(serializers.Serializer):
    version = Id(help_text="the version of the decided row you read")


class RowUndo(ApiView):
    """Undo a decision: the row back in the queue as it was. 409 when a later step used it."""

    required_perms = {"POST": (VIEW, "intake.review_match")}

    @extend_schema(request=UndoInput, responses={200: ListRowSerializer, 409: ErrorSerializer})
    def post(self, request, pk):
        row = get_object_or_404(ListRow, pk=pk)
        s = UndoInput(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            row = services.undo_decision(request.user, row.pk, version=s.validated_data["version"], request=request)
        except services.RowAlreadyDecided as exc:
            raise Conflict(str(exc)) from exc
        except ValidationError as exc:
            raise Conflict(" ".join(exc.messages), errors={"non_field_errors": exc.messages}) from exc
        return Response(ListRowSerializer(row).data)


class BulkRejectInput(serializers.Serializer):
    rows = serializers.ListField(child=Id(), min_length=1, max_length=services.MAX_BULK_REJECT,
                                 help_text="ids of the rows to reject")
    reason = Text(max_length=300, help_text="one reason for every row")
    confirm = Text(help_text="the fingerprint of the preview (GET with ?rows=1,2,3)")


class BulkRejectPreview(serializers.Serializer):
    rows = ListRowSerializer(many=True)
    fingerprint = serializers.CharField(help_text="send it back as confirm to reject exactly these rows")


class BulkRejected(serializers.Serializer):
    rejected = serializers.ListField(child=serializers.IntegerField(), help_text="ids of the rows rejected")


class BulkReject(ApiView):
    """GET ``?rows=1,2,3``: the rows as they are now, with the ``fingerprint`` of what you see.
    POST {"rows", "reason", "confirm"}: reject them all with one reason; 409 when any changed since."""

    required_perms = {"GET": (VIEW, "intake.review_match"), "POST": (VIEW, "intake.review_match")}

    def _rows(self, pk, ids):
        try:
            return services.rows_to_reject(pk, ids)
        except ValidationError as exc:
            raise serializers.ValidationError({"rows": exc.messages}) from exc

    @extend_schema(responses={200: BulkRejectPreview})
    def get(self, request, pk):
        lst = get_object_or_404(IncomingList, pk=pk)
        ids = [x for x in (request.query_params.get("rows") or "").split(",") if x.strip()]
        rows = self._rows(lst.pk, ids)
        services.record_review_view(request.user, lst, [r.person_id for r in rows if r.person_id], request=request)
        return Response(BulkRejectPreview({"rows": rows,
                                           "fingerprint": services.bulk_reject_fingerprint(rows)}).data)

    @extend_schema(request=BulkRejectInput, responses={200: BulkRejected, 409: ErrorSerializer})
    def post(self, request, pk):
        lst = get_object_or_404(IncomingList, pk=pk)
        s = BulkRejectInput(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        try:
            rows = services.reject_rows(request.user, lst.pk, data["rows"], reason=data["reason"],
                                        confirm=data["confirm"], request=request)
        except ChangedSincePreview as exc:
            raise Conflict(" ".join(exc.messages), errors={"non_field_errors": exc.messages}) from exc
        return Response(BulkRejected({"rejected": [r.pk for r in rows]}).data)
