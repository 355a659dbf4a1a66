"""Pages of the exchanges app. Writes go through services; reads of persons are audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homecoming.common.actors import actor
from homecoming.common.errors import apply_errors
from homecoming.common.permissions import require_all
from homecoming.common.routes import route
from homecoming.core.evidence import evidence_labels
from homecoming.operations import services as operation_services
from homecoming.registry.selectors import person_by_reference

from . import selectors, services
from .forms import (
    AgreementForm,
    CounterListForm,
    CrossingForm,
    EntryStateForm,
    ExchangeForm,
    StatusForm,
)
from .models import (
    Agreement,
    Category,
    Communique,
    Direction,
    EntryState,
    Exchange,
    ExchangeStatus,
    ListEntry,
)
from .operations import RECONCILE_STAGE
from .rulepage import category_form_page

POOL_PAGE = 50


def _flash_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- agreements -----------------------------------------------------------------------------------

@route("")
def agreement_list(request):
    require_all(request, services.VIEW_AGREEMENT)
    agreements = Agreement.objects.prefetch_related("categories", "exchanges")
    return render(request, "exchanges/agreement_list.html", {
        "agreements": agreements, "can_change": request.user.has_perm(services.CHANGE_AGREEMENT)})


def _agreement_form_page(request, agreement):
    """The form of a new agreement (``agreement`` None) or of an existing one."""
    require_all(request, services.CHANGE_AGREEMENT)
    initial = {f: getattr(agreement, f) for f in AgreementForm.base_fields} if agreement is not None else None
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if agreement is None:
                agreement = services.create_agreement(request.user, form.cleaned_data, request=request)
            else:
                services.update_agreement(request.user, agreement.pk, form.cleaned_data, request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Agreement saved."))
            return redirect("exchanges:agreement_detail", agreement.pk)
    return render(request, "exchanges/agreement_form.html", {"form": form, "agreement": agreement})


@route("agreements/new/")
def agreement_create(request):
    return _agreement_form_page(request, None)


@route("agreements/<int:pk>/edit/")
def agreement_edit(request, pk):
    require_all(request, services.CHANGE_AGREEMENT)
    return _agreement_form_page(request, get_object_or_404(Agreement, pk=pk))


@route("agreements/<int:pk>/")
def agreement_detail(request, pk):
    require_all(request, services.VIEW_AGREEMENT)
    agreement = get_object_or_404(Agreement, pk=pk)
    form = ExchangeForm(request.POST or None)
    if request.method == "POST":
        require_all(request, services.CHANGE_EXCHANGE)
        if form.is_valid():
            try:
                exchange = services.create_exchange(request.user, agreement.pk, request=request, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Stage %(n)s created.") % {"n": exchange.number})
                return redirect("exchanges:exchange_detail", exchange.pk)
    return render(request, "exchanges/agreement_detail.html", {
        "agreement": agreement, "categories": agreement.categories.all(), "exchanges": agreement.exchanges.all(),
        "form": form, "can_change": request.user.has_perm(services.CHANGE_AGREEMENT),
        "can_change_exchange": request.user.has_perm(services.CHANGE_EXCHANGE),
    })


# --- categories and the rule editor ------------------------------------------------------------------

@route("agreements/<int:pk>/categories/new/")
def category_create(request, pk):
    require_all(request, services.CHANGE_AGREEMENT)
    return category_form_page(request, get_object_or_404(Agreement, pk=pk), None)


@route("categories/<int:pk>/edit/")
def category_edit(request, pk):
    require_all(request, services.CHANGE_AGREEMENT)
    category = get_object_or_404(Category, pk=pk)
    return category_form_page(request, category.agreement, category)


@route("categories/<int:pk>/pool/")
def category_pool(request, pk):
    """The pool of a category for one side: eligible (with reasons) and just outside."""
    require_all(request, services.VIEW_AGREEMENT)
    category = get_object_or_404(Category.objects.select_related("agreement"), pk=pk)
    side = "enemy" if request.GET.get("side") == "enemy" else "ours"
    which = "outside" if request.GET.get("show") == "outside" else "eligible"
    exchange = None
    if request.GET.get("stage"):
        exchange = Exchange.objects.filter(pk=request.GET["stage"], agreement=category.agreement).first()
    pool = selectors.pool(category, side)
    ids = pool.eligible if which == "eligible" else pool.just_outside
    page = Paginator(ids, POOL_PAGE).get_page(request.GET.get("page"))
    rows = selectors.pool_rows_for_reading(actor(request), category, side, list(page.object_list), request=request)
    on_stage = set()
    if exchange is not None:
        on_stage = set(exchange.entries.values_list("person_id", flat=True))
    for row in rows:
        row["on_lists"] = [(n, state, EntryState(state).label) for n, state in pool.on_lists.get(row["person"].pk, [])]
        row["on_this_stage"] = row["person"].pk in on_stage
    can_add = (exchange is not None and exchange.status in services.LISTS_OPEN
               and request.user.has_perm(services.CHANGE_EXCHANGE) and which == "eligible")
    return render(request, "exchanges/category_pool.html", {
        "category": category, "agreement": category.agreement, "side": side, "which": which, "pool": pool,
        "page": page, "rows": rows, "exchange": exchange, "can_add": can_add,
        "stages": category.agreement.exchanges.filter(status__in=services.LISTS_OPEN),
    })


def _stage(request, pk, perm) -> Exchange:
    """The stage ``pk`` (with its agreement), for a user who holds ``perm``: refused before it is looked up."""
    require_all(request, perm)
    return get_object_or_404(Exchange.objects.select_related("agreement"), pk=pk)


# --- exchanges (stages) -----------------------------------------------------------------------------------

@route("stages/<int:pk>/")
def exchange_detail(request, pk):
    exchange = _stage(request, pk, services.VIEW_EXCHANGE)
    from .counter_views import counter_rows  # that module uses this one's helpers

    entries, crossings = selectors.stage_for_reading(actor(request), exchange, request=request)
    for e in entries:
        e.next_states = [(t, EntryState(t).label) for t in sorted(services.ENTRY_TRANSITIONS[e.state])]
    lists = []
    balances = {b.category.pk: b for b in selectors.balances(exchange)}
    for category in exchange.agreement.categories.all():
        lists.append({"category": category, "balance": balances[category.pk],
                      "receive": [e for e in entries if e.category_id == category.pk
                                  and e.direction == Direction.RECEIVE],
                      "hand_over": [e for e in entries if e.category_id == category.pk
                                    and e.direction == Direction.HAND_OVER]})
    next_statuses = list(services.EXCHANGE_TRANSITIONS[exchange.status])
    return render(request, "exchanges/exchange_detail.html", {
        "exchange": exchange, "agreement": exchange.agreement, "lists": lists,
        "next_statuses": [(s, s.label) for s in next_statuses], "status_form": StatusForm(),
        "can_change": request.user.has_perm(services.CHANGE_EXCHANGE),
        "can_reconcile": request.user.has_perm(services.RECONCILE),
        "entries_changeable": exchange.status in services.ENTRIES_CHANGEABLE,
        "lists_open": exchange.status in services.LISTS_OPEN,
        "counter_form": CounterListForm(), "crossing_form": CrossingForm(), "crossings": crossings,
        "counter_rows": counter_rows(request, exchange, {e.pk: e for e in entries}),
        "counter_labels": evidence_labels(list_side=_("On their list"), register_side=_("Our entry")),
        "crossed": {c.person_id for c in crossings},
        "communique": Communique.objects.filter(exchange=exchange).first(),
    })


@route("stages/<int:pk>/status/")
@require_POST
def exchange_status(request, pk):
    """Move the stage on. A move that breaks a rule of the stage (services.NeedsException) shows
    what it breaks and asks for the reason before it records an exception."""
    exchange = _stage(request, pk, services.CHANGE_EXCHANGE)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("exchanges:exchange_detail", exchange.pk)
    data = form.cleaned_data
    try:
        services.set_exchange_status(request.user, exchange.pk, data["status"],
                                     carried_out_on=data.get("carried_out_on"),
                                     exception_reason=data.get("exception_reason", ""), request=request)
    except services.NeedsException as exc:
        hidden = {"status": data["status"]}
        if data.get("carried_out_on"):
            hidden["carried_out_on"] = data["carried_out_on"].isoformat()
        return render(request, "exchanges/status_exception.html", {
            "exchange": exchange, "problems": exc.problems, "title": ExchangeStatus(data["status"]).label,
            "action": reverse("exchanges:exchange_status", args=[exchange.pk]), "hidden": hidden,
            "asked": bool(data.get("exception_reason"))}, status=409)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Status changed."))
    return redirect("exchanges:exchange_detail", exchange.pk)


@route("stages/<int:pk>/add/")
@require_POST
def exchange_add(request, pk):
    exchange = _stage(request, pk, services.CHANGE_EXCHANGE)
    category_id = request.POST.get("category")
    ids = []
    try:
        ids = [int(x) for x in request.POST.getlist("person")]
    except ValueError:
        messages.error(request, _("Choose persons from the pool."))
    if request.POST.get("all") == "1" and category_id:
        category = get_object_or_404(Category, pk=category_id, agreement=exchange.agreement)
        pool = selectors.pool(category, request.POST.get("side", "ours"))
        taken = set(exchange.entries.values_list("person_id", flat=True))
        ids = [p for p in pool.eligible if p not in taken and not pool.on_lists.get(p)]
    if not ids:
        messages.error(request, _("Choose at least one person."))
    else:
        try:
            entries = services.add_entries(request.user, exchange.pk, int(category_id), ids, request=request)
            messages.success(request, _("%(n)s added to the lists.") % {"n": len(entries)})
        except (ValidationError, ValueError, TypeError) as exc:
            if isinstance(exc, ValidationError):
                _flash_errors(request, exc)
            else:
                messages.error(request, _("Choose a category."))
    return redirect("exchanges:exchange_detail", exchange.pk)


@route("entries/<int:pk>/state/")
@require_POST
def entry_state(request, pk):
    require_all(request, services.CHANGE_EXCHANGE)
    entry = get_object_or_404(ListEntry, pk=pk)
    form = EntryStateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a state."))
    else:
        try:
            services.change_entry_state(request.user, entry.pk, form.cleaned_data["state"],
                                        reason=form.cleaned_data["reason"],
                                        exception_reason=request.POST.get("exception_reason", ""), request=request)
            messages.success(request, _("%(ref)s: %(state)s.") % {
                "ref": entry.person.reference, "state": EntryState(form.cleaned_data["state"]).label})
        except services.NeedsException as exc:
            return render(request, "exchanges/status_exception.html", {
                "exchange": entry.exchange, "problems": exc.problems,
                "title": _("%(ref)s: %(state)s") % {"ref": entry.person.reference,
                                                    "state": EntryState(form.cleaned_data["state"]).label},
                "action": reverse("exchanges:entry_state", args=[entry.pk]),
                "hidden": {"state": form.cleaned_data["state"], "reason": form.cleaned_data["reason"]},
                "asked": bool(request.POST.get("exception_reason"))}, status=409)
        except ValidationError as exc:
            _flash_errors(request, exc)
    return redirect(entry_url(entry))


def entry_url(entry):
    return reverse("exchanges:exchange_detail", args=[entry.exchange_id]) + f"#entry-{entry.pk}"


@route("stages/<int:pk>/crossings/")
@require_POST
def crossings(request, pk):
    exchange = _stage(request, pk, services.CHANGE_EXCHANGE)
    try:
        if request.POST.get("all_confirmed") == "1":
            created = services.record_crossings(request.user, exchange.pk, all_confirmed=True, how="list",
                                                request=request)
        elif request.POST.get("from_counter_list") == "1":
            created = services.record_crossings(request.user, exchange.pk, from_counter_list=True,
                                                request=request)
        elif request.POST.get("remove"):
            services.remove_crossing(request.user, exchange.pk, int(request.POST["remove"]), request=request)
            created = []
        else:
            form = CrossingForm(request.POST)
            person = person_by_reference(request.POST.get("reference", "")) if form.is_valid() else None
            if person is None:
                raise ValidationError(_("No person with the reference “%(ref)s”.")
                                      % {"ref": request.POST.get("reference", "")})
            created = services.record_crossings(request.user, exchange.pk, person_ids=[person.pk],
                                                how=form.cleaned_data["how"], request=request)
        messages.success(request, _("%(n)s recorded as crossed.") % {"n": len(created)})
    except ValidationError as exc:
        _flash_errors(request, exc)
    except ValueError:
        messages.error(request, _("Choose a person."))
    return redirect("exchanges:exchange_detail", exchange.pk)


@route("stages/<int:pk>/reconcile/")
def reconcile(request, pk):
    """The preview of a reconciliation, person by person, and its confirmation: the POST carries the
    fingerprint of the plan that was shown (common/confirm.py), so a crossing recorded meanwhile
    in another tab sends the person back to a new preview instead of reconciling unseen changes."""
    exchange = _stage(request, pk, services.RECONCILE)
    operation = operation_services.recent_for(actor(request), RECONCILE_STAGE, exchange.pk)
    if exchange.status == ExchangeStatus.RECONCILED and operation is not None and operation.state == "done":
        messages.success(request, _("The stage is reconciled."))  # the background run ended since
        return redirect("exchanges:report", exchange.pk)
    if exchange.status != ExchangeStatus.CARRIED_OUT:
        messages.error(request, _("Only a carried-out stage can be reconciled (status now “%(status)s”).")
                       % {"status": exchange.get_status_display()})
        return redirect("exchanges:exchange_detail", exchange.pk)
    error = None
    if request.method == "POST":
        # The work runs in the background (as this person, against the plan they confirmed);
        # a worker that answers at once (or the tests' immediate backend) has its outcome here.
        operation, _started = operation_services.start(actor(request), RECONCILE_STAGE, exchange.pk, params={
            "confirm": request.POST.get("confirm", ""),
            "exception_reason": request.POST.get("exception_reason", "")}, request=request)
        if operation.state == "done":
            messages.success(request, _("The stage is reconciled."))
            return redirect("exchanges:report", exchange.pk)
        if operation.state == "failed":
            error = [operation.error]
            operation = None  # said once, as the error of this preview
        else:
            return redirect("exchanges:reconcile", exchange.pk)
    plan = selectors.reconcile_plan_for_reading(actor(request), exchange, request=request)
    groups = [g for g in report_groups({"groups": {k: [{"person": p.pk, "reference": p.reference,
                                                          "name": p.full_name} for p in v]
                                                   for k, v in plan.groups.items()}})
              if g["key"] in selectors.RECONCILE_GROUPS]
    persons = {p.pk: p for persons in plan.groups.values() for p in persons}
    return render(request, "exchanges/reconcile.html", {
        "exchange": exchange, "plan": plan, "groups": groups, "error": error, "operation": operation,
        "contradictions": [(persons.get(pid), problems) for pid, problems in plan.contradictions.items()],
        "reason_needed": bool(plan.contradictions) and not any(
            x.get("kind") == "before_listing" for x in exchange.exceptions),
    }, status=409 if error else 200)


REPORT_GROUPS = [
    ("returned_as_listed", "Returned as listed"),
    ("listed_not_returned", "Listed but not returned"),
    ("returned_unlisted", "Returned without being listed"),
    ("considered_missing", "Had been considered missing until that day"),
    ("handed_over", "Handed over as listed"),
    ("not_handed_over", "Listed but not handed over"),
    ("handed_over_unlisted", "Handed over without being listed"),
]


def report_groups(report: dict) -> list[dict]:
    labels = {"returned_as_listed": _("Returned as listed"), "listed_not_returned": _("Listed but not returned"),
              "returned_unlisted": _("Returned without being listed"),
              "considered_missing": _("Had been considered missing until that day"),
              "handed_over": _("Handed over as listed"), "not_handed_over": _("Listed but not handed over"),
              "handed_over_unlisted": _("Handed over without being listed")}
    return [{"key": key, "label": labels[key], "rows": report["groups"].get(key, [])} for key, _x in REPORT_GROUPS]


@route("stages/<int:pk>/report/")
def report(request, pk):
    exchange = _stage(request, pk, services.VIEW_EXCHANGE)
    if not exchange.report:
        messages.error(request, _("This stage is not reconciled yet."))
        return redirect("exchanges:exchange_detail", exchange.pk)
    groups = report_groups(selectors.report_for_reading(actor(request), exchange, [k for k, _x in REPORT_GROUPS],
                                                       request=request))
    return render(request, "exchanges/report.html", {"exchange": exchange, "groups": groups})


@route("stages/<int:pk>/communique/")
def communique(request, pk):
    exchange = _stage(request, pk, services.VIEW_EXCHANGE)
    if exchange.status != "reconciled":
        messages.error(request, _("The communiqué is written once the stage is reconciled."))
        return redirect("exchanges:exchange_detail", exchange.pk)
    published = Communique.objects.filter(exchange=exchange).first()
    if request.method == "POST":
        require_all(request, services.RECONCILE)
        try:
            if request.POST.get("read") != "yes":
                raise ValidationError(_("Tick that you have read both texts: a published communiqué no longer "
                                        "changes."))
            services.publish_communique(request.user, exchange.pk, confirm=request.POST.get("confirm", ""),
                                        request=request)
            messages.success(request, _("The communiqué is published."))
        except ValidationError as exc:
            _flash_errors(request, exc)
        return redirect("exchanges:communique", exchange.pk)
    texts = ({"uk": published.text_uk, "en": published.text_en} if published else
             services.communique_texts(exchange))
    return render(request, "exchanges/communique.html", {
        "exchange": exchange, "texts": texts, "published": published,
        "can_publish": request.user.has_perm(services.RECONCILE) and published is None})
