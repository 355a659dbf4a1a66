"""Payments through the API: entitlements of a person, batches, approval, the report.

Same services, permissions and audit as the pages; bank details only with
``payments.view_payment_data``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from homecoming.audit.services import record_list_read
from homecoming.payments import selectors, services
from homecoming.payments.models import Batch, Entitlement

from .aftercare import HasPerm, _errors


def _money(value) -> str:
    return f"{value:.2f}"


class EntitlementDetail(APIView):
    permission_classes = [HasPerm]
    required_perms = {"GET": ("payments.view_entitlement",)}

    @extend_schema(operation_id="payments_entitlement_detail", responses={200: dict})
    def get(self, request, person_id):
        ent = get_object_or_404(Entitlement.objects.select_related("person"), person_id=person_id)
        services.record_entitlement_view(request.user, ent, request=request, via="api")
        return Response({
            "person": ent.person_id, "capture_date": ent.capture_date,
            "recorded_capture_date": ent.recorded_capture_date,
            "capture_precision": ent.capture_precision, "return_date": ent.return_date, "days": ent.days,
            "total": _money(ent.total), "rounding": "each line once to the kopiyka, ROUND_HALF_UP",
            "lines": [{"kind": line.kind, "rule_set_valid_from": line.rule_set.valid_from if line.rule_set else None,
                       "period_start": line.period_start, "period_end": line.period_end, "days": line.days,
                       "computation": line.formula, "amount": _money(line.amount), "note": line.note}
                      for line in ent.lines.select_related("rule_set")],
            "dues": [{"id": d.pk, "kind": d.kind, "amount": _money(d.amount),
                      "batch": getattr(getattr(d, "ledger_entry", None), "batch_id", None)}
                     for d in selectors.person_dues(ent.person)],
        })


def _batch(batch: Batch, with_payment_data: bool) -> dict:
    data = {"id": batch.pk, "reference": batch.reference, "state": batch.state, "total": _money(batch.total),
            "prepared_by": batch.prepared_by.username,
            "approved_by": batch.approved_by.username if batch.approved_by else None}
    lines = []
    for line in batch.lines.filter(active=True).select_related("due__entitlement"):
        item = {"due": line.due_id, "person": line.due.entitlement.person_id, "amount": _money(line.amount)}
        if with_payment_data:
            item.update(iban=line.iban, name=line.name, purpose=line.purpose)
        lines.append(item)
    data["lines"] = lines
    return data


class BatchList(APIView):
    permission_classes = [HasPerm]
    required_perms = {"GET": ("payments.view_entitlement",)}

    @extend_schema(operation_id="payments_batches_list", responses={200: dict})
    def get(self, request):
        ok = request.user.has_perm("payments.view_payment_data")
        data = [_batch(b, ok) for b in selectors.batches()[:100]]
        # names, amounts and (for holders of view_payment_data) bank accounts of persons: audited
        record_list_read(request.user, "payments.batch_list", object_type="batch", ids=[b["id"] for b in data],
                         details={"via": "api", "persons": sorted({ln["person"] for b in data for ln in b["lines"]})},
                         request=request)
        return Response(data)


class BatchApprove(APIView):
    permission_classes = [HasPerm]
    required_perms = {"POST": ("payments.approve_batch",)}

    @extend_schema(operation_id="payments_batch_approve", request=None, responses={200: dict})
    def post(self, request, pk):
        try:
            batch = services.approve_batch(request.user, pk, request=request)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        return Response(_batch(batch, request.user.has_perm("payments.view_payment_data")))


class Report(APIView):
    permission_classes = [HasPerm]
    required_perms = {"GET": ("payments.view_entitlement",)}

    @extend_schema(operation_id="payments_report", responses={200: dict})
    def get(self, request):
        data = selectors.report()
        conv = [{k: (_money(v) if k in ("owed", "approved", "paid") else v) for k, v in r.items()}
                for r in data["rows"]]
        total = {k: (_money(v) if k in ("owed", "approved", "paid") else v) for k, v in data["total"].items()}
        return Response({"rows": conv, "total": total})
