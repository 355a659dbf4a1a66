"""Incoming lists through the API: /api/v1/intake/lists/, /lists/{id}/rows/ and
/intake/rows/{id}/decision/.

Same permissions, services and audit as the pages: reading rows with their candidates is audited
(``intake.review_view``); a decision goes through ``homecoming.intake.services.decide_row`` and a row
decided meanwhile by someone else gets 409 with who decided it, nothing changed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from homecoming.intake import selectors, services
from homecoming.intake.models import IncomingList, ListRow


class IntakePermission(permissions.BasePermission):
    message = gettext_lazy("Your role does not allow this.")

    def has_permission(self, request, view):
        user = request.user
        needed = view.required_perm_write if request.method == "POST" else "intake.view_incominglist"
        return bool(user and user.is_authenticated and user.has_perm("intake.view_incominglist")
                    and user.has_perm(needed))


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


class IncomingLists(generics.ListAPIView):
    permission_classes = [IntakePermission]
    required_perm_write = "intake.add_incominglist"
    serializer_class = IncomingListSerializer

    def get_queryset(self):
        return selectors.lists_with_counts()


class IncomingListRows(generics.ListAPIView):
    """Rows of a list: ``?show=review|match|none|open|decided|all`` (default review)."""

    permission_classes = [IntakePermission]
    required_perm_write = "intake.review_match"
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


class RowDecision(APIView):
    permission_classes = [IntakePermission]
    required_perm_write = "intake.review_match"

    @extend_schema(
        request=inline_serializer("RowDecisionInput", {
            "action": serializers.ChoiceField(choices=services.ACTIONS),
            "version": serializers.IntegerField(),
            "person": serializers.IntegerField(required=False, allow_null=True)}),
        responses={200: ListRowSerializer, 409: inline_serializer("RowDecided", {"detail": serializers.CharField()})})
    def post(self, request, pk):
        row = get_object_or_404(ListRow, pk=pk)
        data = request.data
        try:
            row = services.decide_row(request.user, row.pk, action=str(data.get("action", "")),
                                      version=data.get("version"), person_id=data.get("person"), request=request)
        except services.RowAlreadyDecided as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            raise ValidationError({"non_field_errors": exc.messages}) from None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(ListRowSerializer(row).data)
