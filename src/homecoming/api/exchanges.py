"""API of the exchanges app under /api/v1/: the same services, permissions and audit as the pages.

Every body in and out has a serializer (api/exchange_bodies.py), so the schema types each operation. Agreements and
categories are checked by their services (the pages send the same dictionaries): the serializer
checks the types, the service the content (unknown fields, lengths, the rule's vocabulary).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from homecoming.audit.services import record
from homecoming.common.confirm import ChangedSincePreview
from homecoming.exchanges import selectors, services
from homecoming.exchanges.models import Agreement, Category, Communique, Exchange, ListEntry
from homecoming.registry.models import Side

from .base import ApiView, Id
from .errors import Conflict, ErrorSerializer
from .exchange_bodies import (
    AgreementFullSerializer,
    AgreementInput,
    AgreementSerializer,
    CategoryInput,
    CategorySerializer,
    CommuniqueSerializer,
    ConfirmInput,
    CounterListInput,
    CounterListResultSerializer,
    CrossingsInput,
    CrossingsResultSerializer,
    EntriesInput,
    EntryPageSerializer,
    EntrySerializer,
    EntryStateInput,
    ExchangeFullSerializer,
    ExchangeInput,
    ExchangeSerializer,
    PoolSerializer,
    PublishedSerializer,
    ReconcileInput,
    ReconcilePlanSerializer,
    ReconcileReportSerializer,
    RuleCheckSerializer,
    RuleInput,
    StatusInput,
)

VIEW_AGREEMENT = (services.VIEW_AGREEMENT,)
CHANGE_AGREEMENT = (services.CHANGE_AGREEMENT,)
VIEW_EXCHANGE = (services.VIEW_EXCHANGE,)
CHANGE_EXCHANGE = (services.CHANGE_EXCHANGE,)
RECONCILE = (services.RECONCILE,)
CONFLICT = {409: ErrorSerializer}


def _valid(serializer_class, request) -> dict:
    """The body checked by ``serializer_class``; 400 naming each field when it does not fit."""
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


def _dict_body(serializer_class, request) -> dict:
    """For services that take the pages' dictionaries: the types of the fields sent are checked
    here, the body is passed on as sent, so that the service names missing and unknown fields and
    checks the content with the pages' words."""
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["Expected a JSON object."]})
    s = serializer_class(data={k: v for k, v in request.data.items() if v is not None}, partial=True)
    s.is_valid(raise_exception=True)
    return dict(request.data)


# --- the operations ------------------------------------------------------------------------------

class AgreementList(ApiView):
    """Agreements (GET, paged) and a new agreement (POST)."""

    required_perms = {"GET": VIEW_AGREEMENT, "POST": CHANGE_AGREEMENT}

    @extend_schema(operation_id="v1_agreements_list", responses=AgreementSerializer(many=True))
    def get(self, request):
        return self.paged(Agreement.objects.all(), AgreementSerializer)[0]

    @extend_schema(request=AgreementInput, responses={201: AgreementFullSerializer})
    def post(self, request):
        agreement = services.create_agreement(request.user, _dict_body(AgreementInput, request),
                                              request=request)
        return Response(AgreementFullSerializer(agreement).data, status=201)


class AgreementDetail(ApiView):
    required_perms = {"GET": VIEW_AGREEMENT, "PATCH": CHANGE_AGREEMENT}

    @extend_schema(responses=AgreementFullSerializer)
    def get(self, request, pk):
        return Response(AgreementFullSerializer(get_object_or_404(Agreement, pk=pk)).data)

    @extend_schema(request=AgreementInput, responses=AgreementFullSerializer)
    def patch(self, request, pk):
        get_object_or_404(Agreement, pk=pk)
        agreement = services.update_agreement(request.user, pk, _dict_body(AgreementInput, request),
                                              request=request)
        return Response(AgreementFullSerializer(agreement).data)


class CategoryCreate(ApiView):
    required_perms = {"POST": CHANGE_AGREEMENT}

    @extend_schema(request=CategoryInput, responses={201: CategorySerializer})
    def post(self, request, pk):
        get_object_or_404(Agreement, pk=pk)
        category = services.create_category(request.user, pk, _dict_body(CategoryInput, request),
                                            request=request)
        return Response(CategorySerializer(category).data, status=201)


class CategoryDetail(ApiView):
    required_perms = {"GET": VIEW_AGREEMENT, "PATCH": CHANGE_AGREEMENT}

    @extend_schema(responses=CategorySerializer)
    def get(self, request, pk):
        return Response(CategorySerializer(get_object_or_404(Category, pk=pk)).data)

    @extend_schema(request=CategoryInput, responses=CategorySerializer)
    def patch(self, request, pk):
        get_object_or_404(Category, pk=pk)
        return Response(CategorySerializer(services.update_category(
            request.user, pk, _dict_body(CategoryInput, request), request=request)).data)


class PoolQuery(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices, required=False, default="ours")
    show = serializers.ChoiceField(choices=["eligible", "outside"], required=False, default="eligible")
    page = Id(required=False, default=1)


class CategoryPool(ApiView):
    """The pool of a category: ``side`` = ours | enemy; ``show`` = eligible | outside; paged by 100."""

    required_perms = {"GET": VIEW_AGREEMENT}
    page_size = 100

    @extend_schema(parameters=[PoolQuery], responses=PoolSerializer)
    def get(self, request, pk):
        from django.core.paginator import Paginator

        category = get_object_or_404(Category, pk=pk)
        q = PoolQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        side, show = q.validated_data["side"], q.validated_data["show"]
        pool = selectors.pool(category, side)
        ids = pool.eligible if show == "eligible" else pool.just_outside
        page = Paginator(ids, self.page_size).get_page(q.validated_data["page"])
        rows = selectors.explain(category, list(page.object_list))
        for row in rows:
            row["on_lists"] = [{"stage": n, "state": s} for n, s in pool.on_lists.get(row["person"].pk, [])]
        shown = [r["person"].pk for r in rows]
        record(request.user, "category.pool_view", object_type="category", object_id=category.pk,
               details={"side": side, "persons": shown, "via": "api"}, request=request)
        return Response(PoolSerializer({"category": category.pk, "side": side, "eligible_count": len(pool.eligible),
                                        "just_outside_count": len(pool.just_outside), "considered": pool.considered,
                                        "page": page.number, "pages": page.paginator.num_pages,
                                        "results": rows}).data)


class RuleCheck(ApiView):
    """Validate a rule and show its result before saving: {"rule": {...}}; 400 names each problem
    of the rule with its JSON path (under ``errors.rule``)."""

    required_perms = {"POST": CHANGE_AGREEMENT}

    @extend_schema(request=RuleInput, responses=RuleCheckSerializer)
    def post(self, request):
        rule = request.data.get("rule") if isinstance(request.data, dict) else None
        problems = services.check_rule(rule)
        if problems:
            raise ValidationError({"rule": problems})
        preview = selectors.preview(rule)
        shown = [r["person"].pk for side in preview.values() for r in side["eligible"] + side["just_outside"]]
        record(request.user, "category.preview", details={"persons": shown, "via": "api"}, request=request)
        return Response(RuleCheckSerializer({"valid": True, **preview}).data)


class ExchangeList(ApiView):
    """Stages of every agreement (GET, paged) and a new stage (POST)."""

    required_perms = {"GET": VIEW_EXCHANGE, "POST": CHANGE_EXCHANGE}

    @extend_schema(operation_id="v1_exchanges_list", responses=ExchangeSerializer(many=True))
    def get(self, request):
        return self.paged(Exchange.objects.all(), ExchangeSerializer)[0]

    @extend_schema(request=ExchangeInput, responses={201: ExchangeFullSerializer})
    def post(self, request):
        body = _valid(ExchangeInput, request)
        agreement = get_object_or_404(Agreement, pk=body["agreement"])
        exchange = services.create_exchange(request.user, agreement.pk, number=body.get("number"),
                                            planned_date=body.get("planned_date"), request=request)
        return Response(ExchangeFullSerializer(exchange).data, status=201)


class ExchangeDetail(ApiView):
    required_perms = {"GET": VIEW_EXCHANGE}

    @extend_schema(responses=ExchangeFullSerializer)
    def get(self, request, pk):
        return Response(ExchangeFullSerializer(get_object_or_404(Exchange, pk=pk)).data)


class ExchangeStatus(ApiView):
    required_perms = {"POST": CHANGE_EXCHANGE}

    @extend_schema(request=StatusInput, responses=ExchangeFullSerializer)
    def post(self, request, pk):
        get_object_or_404(Exchange, pk=pk)
        body = _valid(StatusInput, request)
        exchange = services.set_exchange_status(request.user, pk, body["status"],
                                                carried_out_on=body.get("carried_out_on"),
                                                exception_reason=body.get("exception_reason") or "",
                                                request=request)
        return Response(ExchangeFullSerializer(exchange).data)


class ExchangeEntries(ApiView):
    """The entries of a stage (GET, paged) and new entries (POST {"category", "persons": [ids]})."""

    required_perms = {"GET": VIEW_EXCHANGE, "POST": CHANGE_EXCHANGE}

    @extend_schema(responses=EntrySerializer(many=True))
    def get(self, request, pk):
        exchange = get_object_or_404(Exchange, pk=pk)
        response, entries = self.paged(selectors.entries_of(exchange).prefetch_related("events"), EntrySerializer)
        record(request.user, "exchange.view", object_type="exchange", object_id=exchange.pk,
               details={"persons": [e.person_id for e in entries], "via": "api"}, request=request)
        return response

    @extend_schema(request=EntriesInput, responses={201: EntryPageSerializer})
    def post(self, request, pk):
        get_object_or_404(Exchange, pk=pk)
        body = _valid(EntriesInput, request)
        entries = services.add_entries(request.user, pk, body["category"], body["persons"],
                                       effective_date=body.get("effective_date"), request=request)
        return Response(EntryPageSerializer({"results": entries}).data, status=201)


class EntryState(ApiView):
    required_perms = {"POST": CHANGE_EXCHANGE}

    @extend_schema(request=EntryStateInput, responses=EntrySerializer)
    def post(self, request, pk):
        get_object_or_404(ListEntry, pk=pk)
        body = _valid(EntryStateInput, request)
        entry = services.change_entry_state(request.user, pk, body["state"], reason=body.get("reason") or "",
                                            request=request)
        return Response(EntrySerializer(ListEntry.objects.select_related("person").get(pk=entry.pk)).data)


class CounterList(ApiView):
    """The other side's counter-list as rows: {"rows": [{"last_name", "first_name", "patronymic",
    "full_name", "birth_date", "service_number"}, ...]}."""

    required_perms = {"POST": CHANGE_EXCHANGE}

    @extend_schema(request=CounterListInput, responses=CounterListResultSerializer)
    def post(self, request, pk):
        exchange = get_object_or_404(Exchange, pk=pk)
        rows = [dict(r) for r in _valid(CounterListInput, request)["rows"]]
        return Response(CounterListResultSerializer(
            services.match_counter_list(request.user, exchange, rows, request=request)).data)


class Crossings(ApiView):
    """Exchange day: {"all_confirmed": true} or {"persons": [ids], "how": "check_in"|"linkage"|"list"}."""

    required_perms = {"POST": CHANGE_EXCHANGE}

    @extend_schema(request=CrossingsInput, responses={201: CrossingsResultSerializer})
    def post(self, request, pk):
        get_object_or_404(Exchange, pk=pk)
        body = _valid(CrossingsInput, request)
        created = services.record_crossings(request.user, pk, person_ids=body.get("persons") or [],
                                            all_confirmed=body["all_confirmed"], how=body["how"], request=request)
        return Response({"recorded": [c.person_id for c in created]}, status=201)


class Reconcile(ApiView):
    """GET: what the reconciliation would write, person by person, with its ``fingerprint``.
    POST {"confirm": fingerprint, "exception_reason": "..."}: reconcile; with ``confirm``, only what
    was previewed (409 when the stage changed since)."""

    required_perms = {"GET": RECONCILE, "POST": RECONCILE}

    @extend_schema(responses={200: ReconcilePlanSerializer, **CONFLICT})
    def get(self, request, pk):
        exchange = get_object_or_404(Exchange.objects.select_related("agreement"), pk=pk)
        if exchange.status != "carried_out":
            raise Conflict(_("Only a carried-out stage can be reconciled."))
        plan = selectors.reconcile_plan(exchange)
        persons = sorted({p.pk for group in plan.groups.values() for p in group})
        record(request.user, "exchange.reconcile_preview", object_type="exchange", object_id=exchange.pk,
               details={"persons": persons, "via": "api"}, request=request)
        return Response(ReconcilePlanSerializer({
            "exchange": exchange.pk, "carried_out_on": exchange.carried_out_on,
            "fingerprint": plan.fingerprint,
            "groups": {k: [{"person": p.pk, "reference": p.reference, "name": p.full_name} for p in v]
                       for k, v in plan.groups.items()},
            "withdrawn_elsewhere": [{"entry": e.pk, "person": e.person_id, "exchange": e.exchange_id}
                                    for e in plan.other_entries],
            "contradictions": {str(k): v for k, v in plan.contradictions.items()},
        }).data)

    @extend_schema(request=ReconcileInput, responses={200: ReconcileReportSerializer, **CONFLICT})
    def post(self, request, pk):
        get_object_or_404(Exchange, pk=pk)
        body = _valid(ReconcileInput, request)
        try:
            report = services.reconcile(request.user, pk, confirm=body.get("confirm"),
                                        exception_reason=body.get("exception_reason") or "", request=request)
        except (services.AlreadyReconciled, ChangedSincePreview) as exc:
            raise Conflict(" ".join(exc.messages), errors={"non_field_errors": exc.messages}) from exc
        return Response(ReconcileReportSerializer(report).data)


class Report(ApiView):
    required_perms = {"GET": VIEW_EXCHANGE}

    @extend_schema(responses={200: ReconcileReportSerializer, **CONFLICT})
    def get(self, request, pk):
        exchange = get_object_or_404(Exchange, pk=pk)
        if not exchange.report:
            raise Conflict(_("This stage is not reconciled yet."))
        persons = sorted({r["person"] for rows in exchange.report["groups"].values() for r in rows})
        record(request.user, "exchange.report_view", object_type="exchange", object_id=exchange.pk,
               details={"persons": persons, "via": "api"}, request=request)
        return Response(ReconcileReportSerializer(exchange.report).data)


class CommuniqueQuery(serializers.Serializer):
    lang = serializers.ChoiceField(choices=["uk", "en"], required=False, default="uk")


class CommuniqueView(ApiView):
    """GET /api/v1/exchanges/{id}/communique?lang=uk|en: the published text, or the generated one."""

    required_perms = {"GET": VIEW_EXCHANGE}

    @extend_schema(parameters=[CommuniqueQuery], responses={200: CommuniqueSerializer, **CONFLICT})
    def get(self, request, pk):
        exchange = get_object_or_404(Exchange, pk=pk)
        q = CommuniqueQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        lang = q.validated_data["lang"]
        if exchange.status != "reconciled":
            raise Conflict(_("The communiqué is written once the stage is reconciled."))
        published = Communique.objects.filter(exchange=exchange).first()
        generated = None if published else services.communique_texts(exchange)
        text = (published.text_uk if lang == "uk" else published.text_en) if published else generated[lang]
        return Response(CommuniqueSerializer({
            "exchange": exchange.pk, "lang": lang, "published": published is not None,
            "published_at": published.published_at if published else None, "text": text,
            "fingerprint": generated["fingerprint"] if generated else None}).data)


class CommuniquePublish(ApiView):
    required_perms = {"POST": RECONCILE}

    @extend_schema(request=ConfirmInput, responses={201: PublishedSerializer, **CONFLICT})
    def post(self, request, pk):
        get_object_or_404(Exchange, pk=pk)
        confirm = _valid(ConfirmInput, request).get("confirm") if request.data else None
        try:
            item = services.publish_communique(request.user, pk, confirm=confirm, request=request)
        except ChangedSincePreview as exc:
            raise Conflict(" ".join(exc.messages), errors={"non_field_errors": exc.messages}) from exc
        return Response(PublishedSerializer(item).data, status=201)
