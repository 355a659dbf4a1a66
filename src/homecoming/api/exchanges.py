"""API of the exchanges app under /api/v1/: the same services, permissions and audit as the pages."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from homecoming.audit.services import record
from homecoming.common.confirm import ChangedSincePreview
from homecoming.exchanges import selectors, services
from homecoming.exchanges.models import Agreement, Category, Communique, Exchange, ListEntry

PAGE = 100


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _errors(exc: ValidationError) -> Response:
    if hasattr(exc, "error_dict"):
        return Response({"errors": exc.message_dict}, status=400)
    return Response({"errors": {"non_field_errors": exc.messages}}, status=400)


def _json_body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"body": ["Expected a JSON object."]})
    return dict(request.data)


def answers_errors(fn):
    """Turn service ValidationErrors into 400 answers naming the fields."""

    @wraps(fn)
    def wrapper(self, request, *args, **kwargs):
        try:
            return fn(self, request, *args, **kwargs)
        except ValidationError as exc:
            return _errors(exc)

    return wrapper


def agreement_data(a: Agreement, *, full: bool = False) -> dict:
    data = {"id": a.pk, "title": a.title, "date": a.date.isoformat(), "place": a.place, "parties": a.parties,
            "mediator": a.mediator, "notes": a.notes,
            "withhold_counts_until_last_stage": a.withhold_counts_until_last_stage}
    if full:
        data["categories"] = [category_data(c) for c in a.categories.all()]
        data["exchanges"] = [exchange_data(x) for x in a.exchanges.all()]
    return data


def category_data(c: Category) -> dict:
    return {"id": c.pk, "agreement": c.agreement_id, "name_uk": c.name_uk, "name_en": c.name_en, "rule": c.rule,
            "trade_rule": c.trade_rule, "ratio_receive": c.ratio_receive, "ratio_hand_over": c.ratio_hand_over,
            "version": c.version}


def exchange_data(x: Exchange, *, full: bool = False) -> dict:
    data = {"id": x.pk, "agreement": x.agreement_id, "number": x.number,
            "planned_date": x.planned_date.isoformat() if x.planned_date else None,
            "carried_out_on": x.carried_out_on.isoformat() if x.carried_out_on else None, "status": x.status}
    if full:
        data["balances"] = [{"category": b.category.pk, "receive": b.receive, "hand_over": b.hand_over,
                             "balanced": b.balanced, "message": b.message} for b in selectors.balances(x)]
    return data


def entry_data(e: ListEntry) -> dict:
    return {"id": e.pk, "exchange": e.exchange_id, "category": e.category_id, "person": e.person_id,
            "reference": e.person.reference, "name": e.person.full_name, "list": e.direction, "state": e.state,
            "contest_reason": e.contest_reason, "reasons": e.reasons_text,
            "history": [{"from": ev.from_state, "to": ev.to_state, "reason": ev.reason, "at": ev.at.isoformat()}
                        for ev in e.events.all()]}


class AgreementList(APIView):
    """Agreements (GET) and a new agreement (POST)."""

    @extend_schema(operation_id="v1_agreements_list", responses={200: dict})
    def get(self, request):
        _require(request, services.VIEW_AGREEMENT)
        return Response({"results": [agreement_data(a) for a in Agreement.objects.all()]})

    @extend_schema(request=dict, responses={201: dict})
    @answers_errors
    def post(self, request):
        agreement = services.create_agreement(request.user, _json_body(request), request=request)
        return Response(agreement_data(agreement, full=True), status=201)


class AgreementDetail(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, pk):
        _require(request, services.VIEW_AGREEMENT)
        return Response(agreement_data(get_object_or_404(Agreement, pk=pk), full=True))

    @extend_schema(request=dict, responses={200: dict})
    @answers_errors
    def patch(self, request, pk):
        _require(request, services.CHANGE_AGREEMENT)
        get_object_or_404(Agreement, pk=pk)
        agreement = services.update_agreement(request.user, pk, _json_body(request), request=request)
        return Response(agreement_data(agreement, full=True))


class CategoryCreate(APIView):
    @extend_schema(request=dict, responses={201: dict})
    @answers_errors
    def post(self, request, pk):
        _require(request, services.CHANGE_AGREEMENT)
        get_object_or_404(Agreement, pk=pk)
        category = services.create_category(request.user, pk, _json_body(request), request=request)
        return Response(category_data(category), status=201)


class CategoryDetail(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, pk):
        _require(request, services.VIEW_AGREEMENT)
        return Response(category_data(get_object_or_404(Category, pk=pk)))

    @extend_schema(request=dict, responses={200: dict})
    @answers_errors
    def patch(self, request, pk):
        _require(request, services.CHANGE_AGREEMENT)
        get_object_or_404(Category, pk=pk)
        return Response(category_data(services.update_category(request.user, pk, _json_body(request),
                                                               request=request)))


def _explained(rows) -> list[dict]:
    return [{"person": r["person"].pk, "reference": r["person"].reference, "name": r["person"].full_name,
             "eligible": r["eligible"], "distance": r["distance"], "reasons": r["reasons"]} for r in rows]


class CategoryPool(APIView):
    """The pool of a category: ``side`` = ours | enemy; ``show`` = eligible | outside; paged by 100."""

    @extend_schema(parameters=[OpenApiParameter("side", str), OpenApiParameter("show", str),
                               OpenApiParameter("page", int)], responses={200: dict})
    def get(self, request, pk):
        _require(request, services.VIEW_AGREEMENT)
        category = get_object_or_404(Category, pk=pk)
        side = request.query_params.get("side", "ours")
        show = request.query_params.get("show", "eligible")
        if side not in ("ours", "enemy") or show not in ("eligible", "outside"):
            return Response({"errors": {"side": ["Use ours or enemy."], "show": ["Use eligible or outside."]}},
                            status=400)
        pool = selectors.pool(category, side)
        ids = pool.eligible if show == "eligible" else pool.just_outside
        page = Paginator(ids, PAGE).get_page(request.query_params.get("page"))
        rows = _explained(selectors.explain(category, list(page.object_list)))
        for row in rows:
            row["on_lists"] = [{"stage": n, "state": s} for n, s in pool.on_lists.get(row["person"], [])]
        record(request.user, "category.pool_view", object_type="category", object_id=category.pk,
               details={"side": side, "persons": [r["person"] for r in rows], "via": "api"}, request=request)
        return Response({"category": category.pk, "side": side, "eligible_count": len(pool.eligible),
                         "just_outside_count": len(pool.just_outside), "considered": pool.considered,
                         "page": page.number, "pages": page.paginator.num_pages, "results": rows})


class RuleCheck(APIView):
    """Validate a rule and show its result before saving: {"rule": {...}}."""

    @extend_schema(request=dict, responses={200: dict})
    def post(self, request):
        _require(request, services.CHANGE_AGREEMENT)
        body = request.data if isinstance(request.data, dict) else {}
        problems = services.check_rule(body.get("rule"))
        if problems:
            return Response({"valid": False, "errors": problems}, status=400)
        preview = selectors.preview(body["rule"])
        shown = []
        out = {}
        for side, result in preview.items():
            out[side] = {"eligible_count": result["eligible_count"],
                         "just_outside_count": result["just_outside_count"],
                         "eligible": _explained(result["eligible"]), "just_outside": _explained(result["just_outside"])}
            shown += [r["person"] for r in out[side]["eligible"] + out[side]["just_outside"]]
        record(request.user, "category.preview", details={"persons": shown, "via": "api"}, request=request)
        return Response({"valid": True, **out})


class ExchangeList(APIView):
    @extend_schema(operation_id="v1_exchanges_list", responses={200: dict})
    def get(self, request):
        _require(request, services.VIEW_EXCHANGE)
        return Response({"results": [exchange_data(x) for x in Exchange.objects.all()]})

    @extend_schema(request=dict, responses={201: dict})
    @answers_errors
    def post(self, request):
        body = _json_body(request)
        _require(request, services.CHANGE_EXCHANGE)
        agreement = get_object_or_404(Agreement, pk=body.get("agreement") if str(body.get("agreement", "")).isascii()
                                      and str(body.get("agreement", "")).isdigit()
                                      else 0)
        exchange = services.create_exchange(request.user, agreement.pk, number=body.get("number"),
                                            planned_date=body.get("planned_date"), request=request)
        return Response(exchange_data(exchange, full=True), status=201)


class ExchangeDetail(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, pk):
        _require(request, services.VIEW_EXCHANGE)
        return Response(exchange_data(get_object_or_404(Exchange, pk=pk), full=True))


class ExchangeStatus(APIView):
    @extend_schema(request=dict, responses={200: dict})
    @answers_errors
    def post(self, request, pk):
        _require(request, services.CHANGE_EXCHANGE)
        get_object_or_404(Exchange, pk=pk)
        body = _json_body(request)
        exchange = services.set_exchange_status(request.user, pk, str(body.get("status", "")),
                                                carried_out_on=body.get("carried_out_on"),
                                                exception_reason=str(body.get("exception_reason") or ""),
                                                request=request)
        return Response(exchange_data(exchange, full=True))


class ExchangeEntries(APIView):
    """The entries of a stage (GET) and new entries (POST {"category", "persons": [ids]})."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk):
        _require(request, services.VIEW_EXCHANGE)
        exchange = get_object_or_404(Exchange, pk=pk)
        entries = list(selectors.entries_of(exchange).prefetch_related("events"))
        record(request.user, "exchange.view", object_type="exchange", object_id=exchange.pk,
               details={"persons": [e.person_id for e in entries], "via": "api"}, request=request)
        return Response({"results": [entry_data(e) for e in entries]})

    @extend_schema(request=dict, responses={201: dict})
    @answers_errors
    def post(self, request, pk):
        _require(request, services.CHANGE_EXCHANGE)
        get_object_or_404(Exchange, pk=pk)
        body = _json_body(request)
        persons = body.get("persons")
        if not isinstance(persons, list) or not all(isinstance(p, int) for p in persons) or not persons:
            raise ValidationError({"persons": ["Expected a non-empty list of person ids."]})
        if not isinstance(body.get("category"), int):
            raise ValidationError({"category": ["Expected the id of a category."]})
        entries = services.add_entries(request.user, pk, body["category"], persons,
                                       effective_date=body.get("effective_date"), request=request)
        return Response({"results": [entry_data(e) for e in entries]}, status=201)


class EntryState(APIView):
    @extend_schema(request=dict, responses={200: dict})
    @answers_errors
    def post(self, request, pk):
        _require(request, services.CHANGE_EXCHANGE)
        get_object_or_404(ListEntry, pk=pk)
        body = _json_body(request)
        entry = services.change_entry_state(request.user, pk, str(body.get("state", "")),
                                            reason=str(body.get("reason") or ""), request=request)
        return Response(entry_data(ListEntry.objects.select_related("person").get(pk=entry.pk)))


class CounterList(APIView):
    """The other side's counter-list as rows: {"rows": [{"last_name", "first_name", "patronymic",
    "full_name", "birth_date", "service_number"}, ...]}."""

    @extend_schema(request=dict, responses={200: dict})
    @answers_errors
    def post(self, request, pk):
        _require(request, services.CHANGE_EXCHANGE)
        exchange = get_object_or_404(Exchange, pk=pk)
        rows = _json_body(request).get("rows")
        if not isinstance(rows, list):
            raise ValidationError({"rows": ["Expected a list of rows."]})
        return Response(services.match_counter_list(request.user, exchange, rows, request=request))


class Crossings(APIView):
    """Exchange day: {"all_confirmed": true} or {"persons": [ids], "how": "check_in"|"linkage"|"list"}."""

    @extend_schema(request=dict, responses={201: dict})
    @answers_errors
    def post(self, request, pk):
        _require(request, services.CHANGE_EXCHANGE)
        get_object_or_404(Exchange, pk=pk)
        body = _json_body(request)
        persons = body.get("persons") or []
        if not isinstance(persons, list) or not all(isinstance(p, int) for p in persons):
            raise ValidationError({"persons": ["Expected a list of person ids."]})
        created = services.record_crossings(request.user, pk, person_ids=persons,
                                            all_confirmed=bool(body.get("all_confirmed")),
                                            how=str(body.get("how") or "check_in"), request=request)
        return Response({"recorded": [c.person_id for c in created]}, status=201)


class Reconcile(APIView):
    """GET: what the reconciliation would write, person by person, with its ``fingerprint``.
    POST {"confirm": fingerprint, "exception_reason": "..."}: reconcile; with ``confirm``, only what
    was previewed (409 when the stage changed since)."""

    @extend_schema(responses={200: dict})
    @answers_errors
    def get(self, request, pk):
        _require(request, services.RECONCILE)
        exchange = get_object_or_404(Exchange.objects.select_related("agreement"), pk=pk)
        if exchange.status != "carried_out":
            return Response({"errors": {"non_field_errors": [
                "Only a carried-out stage can be reconciled."]}}, status=409)
        plan = selectors.reconcile_plan(exchange)
        persons = sorted({p.pk for group in plan.groups.values() for p in group})
        record(request.user, "exchange.reconcile_preview", object_type="exchange", object_id=exchange.pk,
               details={"persons": persons, "via": "api"}, request=request)
        return Response({
            "exchange": exchange.pk, "carried_out_on": exchange.carried_out_on.isoformat(),
            "fingerprint": plan.fingerprint,
            "groups": {k: [{"person": p.pk, "reference": p.reference, "name": p.full_name} for p in v]
                       for k, v in plan.groups.items()},
            "withdrawn_elsewhere": [{"entry": e.pk, "person": e.person_id, "exchange": e.exchange_id}
                                    for e in plan.other_entries],
            "contradictions": {str(k): v for k, v in plan.contradictions.items()},
        })

    @extend_schema(request=dict, responses={200: dict})
    @answers_errors
    def post(self, request, pk):
        _require(request, services.RECONCILE)
        get_object_or_404(Exchange, pk=pk)
        body = _json_body(request)
        confirm = body.get("confirm")
        if confirm is not None and not isinstance(confirm, str):
            raise ValidationError({"confirm": ["Expected the fingerprint of the preview (a string)."]})
        try:
            report = services.reconcile(request.user, pk, confirm=confirm,
                                        exception_reason=str(body.get("exception_reason") or ""), request=request)
        except (services.AlreadyReconciled, ChangedSincePreview) as exc:
            return Response({"errors": {"non_field_errors": exc.messages}}, status=409)
        return Response(report)


class Report(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, pk):
        _require(request, services.VIEW_EXCHANGE)
        exchange = get_object_or_404(Exchange, pk=pk)
        if not exchange.report:
            return Response({"errors": {"non_field_errors": ["This stage is not reconciled yet."]}}, status=409)
        persons = sorted({r["person"] for rows in exchange.report["groups"].values() for r in rows})
        record(request.user, "exchange.report_view", object_type="exchange", object_id=exchange.pk,
               details={"persons": persons, "via": "api"}, request=request)
        return Response(exchange.report)


class CommuniqueView(APIView):
    """GET /api/v1/exchanges/{id}/communique?lang=uk|en: the published text, or the generated one."""

    @extend_schema(parameters=[OpenApiParameter("lang", str, enum=["uk", "en"])], responses={200: dict})
    def get(self, request, pk):
        _require(request, services.VIEW_EXCHANGE)
        exchange = get_object_or_404(Exchange, pk=pk)
        lang = request.query_params.get("lang", "uk")
        if lang not in ("uk", "en"):
            return Response({"errors": {"lang": ["Use uk or en."]}}, status=400)
        if exchange.status != "reconciled":
            return Response({"errors": {"non_field_errors": ["The communiqué is written once the stage is "
                                                             "reconciled."]}}, status=409)
        published = Communique.objects.filter(exchange=exchange).first()
        generated = None if published else services.communique_texts(exchange)
        text = (published.text_uk if lang == "uk" else published.text_en) if published else generated[lang]
        return Response({"exchange": exchange.pk, "lang": lang, "published": published is not None,
                         "published_at": published.published_at.isoformat() if published else None, "text": text,
                         # what POST .../communique/publish/ {"confirm": ...} confirms: both texts as generated now
                         "fingerprint": generated["fingerprint"] if generated else None})


class CommuniquePublish(APIView):
    @extend_schema(request=None, responses={201: dict})
    @answers_errors
    def post(self, request, pk):
        _require(request, services.RECONCILE)
        get_object_or_404(Exchange, pk=pk)
        confirm = _json_body(request).get("confirm") if request.data else None
        if confirm is not None and not isinstance(confirm, str):
            raise ValidationError({"confirm": ["Expected the fingerprint of the texts (a string)."]})
        try:
            item = services.publish_communique(request.user, pk, confirm=confirm, request=request)
        except ChangedSincePreview as exc:
            return Response({"errors": {"non_field_errors": exc.messages}}, status=409)
        return Response({"exchange": pk, "published_at": item.published_at.isoformat(), "uk": item.text_uk,
                         "en": item.text_en}, status=201)
