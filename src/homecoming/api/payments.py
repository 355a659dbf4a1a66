"""Payments through the API: entitlements of a person, batches, approval, the report.

Same services, permissions and audit as the pages; bank details only with
``payments.view_payment_data``. Amounts are decimal strings with two places (kopiyky)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from homecoming.audit.services import record_list_read
from homecoming.payments import selectors, services
from homecoming.payments.models import Entitlement

from .base import ApiView

VIEW = {"GET": ("payments.view_entitlement",)}


def Money(**kwargs):  # noqa: N802 - a field factory, named like the fields it makes
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class LineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    rule_set_valid_from = serializers.DateField(source="rule_set.valid_from", allow_null=True, default=None)
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    days = serializers.IntegerField()
    computation = serializers.CharField(source="formula")
    amount = Money()
    note = serializers.CharField()


class DueSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    amount = Money()
    batch = serializers.SerializerMethodField()

    def get_batch(self, due) -> int | None:
        return getattr(getattr(due, "ledger_entry", None), "batch_id", None)


class EntitlementSerializer(serializers.ModelSerializer):
    total = Money()
    rounding = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    dues = serializers.SerializerMethodField()

    class Meta:
        model = Entitlement
        fields = ["person", "capture_date", "recorded_capture_date", "capture_precision", "return_date", "days",
                  "total", "rounding", "lines", "dues"]

    def get_rounding(self, ent) -> str:
        return "each line once to the kopiyka, ROUND_HALF_UP"

    @extend_schema_field(LineSerializer(many=True))
    def get_lines(self, ent):
        return LineSerializer(ent.lines.select_related("rule_set"), many=True).data

    @extend_schema_field(DueSerializer(many=True))
    def get_dues(self, ent):
        return DueSerializer(selectors.person_dues(ent.person), many=True).data


class BatchLineSerializer(serializers.Serializer):
    """A line of a batch; ``iban``, ``name`` and ``purpose`` only for holders of view_payment_data."""

    due = serializers.IntegerField(source="due_id")
    person = serializers.IntegerField(source="due.entitlement.person_id")
    amount = Money()
    iban = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    purpose = serializers.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.context.get("with_payment_data"):
            for name in ("iban", "name", "purpose"):
                self.fields.pop(name)


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    state = serializers.CharField()
    total = Money()
    prepared_by = serializers.CharField(source="prepared_by.username")
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True, default=None)
    lines = serializers.SerializerMethodField()

    @extend_schema_field(BatchLineSerializer(many=True))
    def get_lines(self, batch):
        return BatchLineSerializer(batch.lines.filter(active=True).select_related("due__entitlement"), many=True,
                                   context=self.context).data


class PaymentsReportRowSerializer(serializers.Serializer):
    exchange = serializers.CharField(help_text="the exchange's label; empty for returns outside exchanges")
    persons = serializers.IntegerField()
    owed = Money()
    approved = Money()
    paid = Money()


class PaymentsReportSerializer(serializers.Serializer):
    rows = PaymentsReportRowSerializer(many=True)
    total = PaymentsReportRowSerializer()


def _payment_data(request) -> dict:
    return {"with_payment_data": request.user.has_perm("payments.view_payment_data")}


class EntitlementDetail(ApiView):
    required_perms = VIEW

    @extend_schema(operation_id="payments_entitlement_detail", responses=EntitlementSerializer)
    def get(self, request, person_id):
        ent = get_object_or_404(Entitlement.objects.select_related("person"), person_id=person_id)
        services.record_entitlement_view(request.user, ent, request=request, via="api")
        return Response(EntitlementSerializer(ent).data)


class BatchList(ApiView):
    """Batches, newest first (paged)."""

    required_perms = VIEW

    @extend_schema(operation_id="payments_batches_list", responses=BatchSerializer(many=True))
    def get(self, request):
        response, batches = self.paged(selectors.batches(), BatchSerializer, **_payment_data(request))
        # names, amounts and (for holders of view_payment_data) bank accounts of persons: audited
        rows = response.data["results"]
        record_list_read(request.user, "payments.batch_list", object_type="batch", ids=[b["id"] for b in rows],
                         details={"via": "api", "persons": sorted({ln["person"] for b in rows for ln in b["lines"]})},
                         request=request)
        return response


class BatchApprove(ApiView):
    required_perms = {"POST": ("payments.approve_batch",)}

    @extend_schema(operation_id="payments_batch_approve", request=None, responses=BatchSerializer)
    def post(self, request, pk):
        batch = services.approve_batch(request.user, pk, request=request)
        return Response(BatchSerializer(batch, context=_payment_data(request)).data)


class Report(ApiView):
    required_perms = VIEW

    @extend_schema(operation_id="payments_report", responses=PaymentsReportSerializer)
    def get(self, request):
        return Response(PaymentsReportSerializer(selectors.report()).data)
