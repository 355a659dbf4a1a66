"""Pages of payments: the overview and report, a person's entitlement and payment data, batches,
rule sets. Every write goes through the services; reads of a person's money are audited; bank
details, pay data and family payments only with ``payments.view_payment_data``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from homecoming.common.actors import actor
from homecoming.common.confirm import ChangedSincePreview
from homecoming.common.errors import apply_errors, message_of
from homecoming.common.permissions import require_all, require_any
from homecoming.common.routes import route
from homecoming.operations import services as operation_services
from homecoming.registry.models import Person

from . import selectors, services
from .forms import FamilyPaymentForm, PayDataForm, ProfileForm, RejectForm, RuleSetForm
from .models import Batch, BatchState, Entitlement, PaymentProfile, RuleSet
from .operations import NEXT_BATCH, PREPARE_BATCH


@route("")
@permission_required("payments.view_entitlement", raise_exception=True)
def home(request):
    # the page names the returnees and the persons of the amounts due: an audited read
    q = request.GET.get("q", "")[:200]
    returnees, open_dues = selectors.home_for_reading(actor(request), q=q, number=request.GET.get("page"),
                                                      request=request)
    can_prepare = request.user.has_perm("payments.prepare_batch")
    return render(request, "payments/home.html", {
        "operation": operation_services.recent_for(actor(request), PREPARE_BATCH, NEXT_BATCH) if can_prepare
        else None,
        "report": selectors.report(),
        "returnees": returnees, "page": returnees, "q": q, "query": urlencode({"q": q}) if q else "",
        "open_dues": open_dues,
        "batches": selectors.batches()[:50],
        "can_prepare": can_prepare,
        "can_see_payment_data": request.user.has_perm("payments.view_payment_data"),
    })


def _person_context(request, person, **forms):
    entitlement = Entitlement.objects.filter(person=person).first()
    can_data = request.user.has_perm("payments.view_payment_data")
    can_prepare = request.user.has_perm("payments.prepare_batch")
    profile = PaymentProfile.objects.filter(person=person).first() if can_data else None
    context = {
        "person": person, "entitlement": entitlement,
        "lines": list(entitlement.lines.select_related("rule_set")) if entitlement else [],
        "dues": list(selectors.person_dues(person)), "can_see_payment_data": can_data,
        "can_prepare": can_prepare, "can_edit_data": can_data and can_prepare, "profile": profile,
        "return_date": selectors.return_date_of(person),
    }
    if can_data:
        context["pay_data"] = list(person.pay_data.all())
        context["family_payments"] = list(person.family_payments.all())
        context["profile_form"] = forms.get("profile_form") or ProfileForm(initial={
            "iban": profile.iban if profile else "", "account_holder": profile.account_holder if profile else "",
            "capture_precision": profile.capture_precision if profile else "day"})
        context["pay_form"] = forms.get("pay_form") or PayDataForm()
        context["family_form"] = forms.get("family_form") or FamilyPaymentForm()
    context["compute_errors"] = forms.get("compute_errors")
    return context


@route("persons/<int:pk>/", name="person")
@permission_required("payments.view_entitlement", raise_exception=True)
def person_payments(request, pk):
    person = get_object_or_404(Person, pk=pk)
    selectors.entitlement_for_reading(actor(request), person, request=request)
    return render(request, "payments/person.html", _person_context(request, person))


def _data_write(request, pk, form_class, form_key, call):
    require_all(request, "payments.view_payment_data", "payments.prepare_batch")
    person = get_object_or_404(Person, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(person, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("payments:person", person.pk)
    return render(request, "payments/person.html", _person_context(request, person, **{form_key: form}), status=400)


@route("persons/<int:pk>/details/")
@require_POST
def profile_set(request, pk):
    return _data_write(request, pk, ProfileForm, "profile_form", lambda person, d: services.set_payment_profile(
        request.user, person.pk, iban=d["iban"], account_holder=d["account_holder"],
        capture_precision=d["capture_precision"], request=request))


@route("persons/<int:pk>/pay/")
@require_POST
def pay_data_add(request, pk):
    return _data_write(request, pk, PayDataForm, "pay_form", lambda person, d: services.add_pay_data(
        request.user, person.pk, valid_from=d["valid_from"], monthly_amount=d["monthly_amount"], request=request))


@route("persons/<int:pk>/family-payments/")
@require_POST
def family_payment_add(request, pk):
    return _data_write(request, pk, FamilyPaymentForm, "family_form", lambda person, d: services.add_family_payment(
        request.user, person.pk, paid_on=d["paid_on"], amount=d["amount"], reference=d["reference"],
        request=request))


@route("persons/<int:pk>/compute/")
@permission_required("payments.prepare_batch", raise_exception=True)
@require_POST
def compute(request, pk):
    person = get_object_or_404(Person, pk=pk)
    try:
        services.compute_entitlement(request.user, person.pk, request=request)
    except ValidationError as exc:
        return render(request, "payments/person.html",
                      _person_context(request, person, compute_errors=exc.messages), status=400)
    messages.success(request, _("The entitlement is computed."))
    return redirect("payments:person", person.pk)


@route("batches/prepare/")
@permission_required("payments.prepare_batch", raise_exception=True)
@require_POST
def batch_prepare(request):
    """Start the preparation in the background (as this person); a worker that answers at once (or
    the tests' immediate backend) has its outcome here, otherwise the payments page shows its
    progress."""
    operation, started = operation_services.start(actor(request), PREPARE_BATCH, NEXT_BATCH, params={
        "due_ids": request.POST.getlist("due") or None, "note": request.POST.get("note", "")}, request=request)
    if not started and operation.active:
        messages.info(request, _("A batch is already being prepared; its progress is shown below."))
    elif operation.state == "failed":
        messages.error(request, operation.error)
    elif operation.state == "done":
        messages.success(request, _("The batch %(ref)s is prepared: a second finance officer approves it.")
                         % {"ref": operation.result.get("reference", "")})
        return redirect("payments:batch", int(operation.result["batch"]))
    return redirect("payments:home")


@route("batches/<int:pk>/", name="batch")
@permission_required("payments.view_entitlement", raise_exception=True)
def batch_detail(request, pk, reject_form=None):
    batch = selectors.batch_for_reading(actor(request), get_object_or_404(
        Batch.objects.select_related("prepared_by", "approved_by", "paid_by"), pk=pk), request=request)
    user = request.user
    return render(request, "payments/batch.html", {
        "batch": batch, "lines": batch.lines.select_related("due__entitlement__person"),
        "can_see_payment_data": user.has_perm("payments.view_payment_data"),
        "can_approve": user.has_perm("payments.approve_batch") and batch.state == BatchState.PREPARED
        and batch.prepared_by_id != user.pk,
        "own_batch": batch.prepared_by_id == user.pk,
        "can_mark_paid": user.has_perm("payments.prepare_batch") and batch.state == BatchState.APPROVED,
        "can_export": user.has_perm("payments.view_payment_data") and batch.state in (BatchState.APPROVED,
                                                                                       BatchState.PAID),
        "reject_form": reject_form or RejectForm(),
        "fingerprint": selectors.batch_fingerprint(batch), "line_count": batch.lines.filter(active=True).count(),
    }, status=400 if reject_form is not None else 200)


def _batch_action(request, pk, call, done_message):
    """An irreversible step on a batch: confirmed by ticking that every line was checked, against
    the fingerprint of the lines and total the page showed (common/confirm.py)."""
    batch = get_object_or_404(Batch, pk=pk)
    checked = request.POST.get("checked") == "yes"
    try:
        call(batch, request.POST.get("confirm", "") if checked else "")
    except ChangedSincePreview as exc:
        messages.error(request, message_of(exc) if checked else
                       _("Tick that you have checked every line and the total."))
    except ValidationError as exc:
        messages.error(request, message_of(exc))
    except services.FourEyes as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done_message)
    return redirect("payments:batch", batch.pk)


def _confirmed_step(request, pk, service, done_message):
    """A step on a batch confirmed against the fingerprint the page showed (approve, mark paid)."""
    return _batch_action(request, pk, lambda b, confirm: service(request.user, b.pk, confirm=confirm, request=request),
                         done_message)


@route("batches/<int:pk>/approve/")
@permission_required("payments.approve_batch", raise_exception=True)
@require_POST
def batch_approve(request, pk):
    return _confirmed_step(request, pk, services.approve_batch,
                           _("The batch is approved: its lines are in the ledger."))


@route("batches/<int:pk>/reject/")
@permission_required("payments.approve_batch", raise_exception=True)
@require_POST
def batch_reject(request, pk):
    form = RejectForm(request.POST)
    if not form.is_valid():
        return batch_detail(request, pk, reject_form=form)
    return _batch_action(request, pk, lambda b, _confirm: services.reject_batch(
        request.user, b.pk, reason=form.cleaned_data["reason"], request=request), _("The batch is rejected."))


@route("batches/<int:pk>/paid/")
@permission_required("payments.prepare_batch", raise_exception=True)
@require_POST
def batch_paid(request, pk):
    return _confirmed_step(request, pk, services.mark_batch_paid, _("The batch is marked paid."))


@route("batches/<int:pk>/export.csv")
@permission_required("payments.view_payment_data", raise_exception=True)
def batch_export(request, pk):
    batch = get_object_or_404(Batch, pk=pk)
    try:
        text = services.export_batch_csv(request.user, batch.pk, request=request)
    except ValidationError as exc:
        messages.error(request, message_of(exc))
        return redirect("payments:batch", batch.pk)
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.csv"'
    return response


@route("rules/")
@require_http_methods(["GET", "POST"])
def rules(request):
    # finance officers read the rules; administrators (who hold add_ruleset) keep them
    require_any(request, "payments.view_entitlement", "payments.add_ruleset")
    form = RuleSetForm()
    status = 200
    if request.method == "POST":
        require_all(request, "payments.add_ruleset")
        form = RuleSetForm(request.POST)
        if form.is_valid():
            try:
                services.create_rule_set(request.user, form.cleaned_data, request=request)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The rule set is added."))
                return redirect("payments:rules")
        status = 400
    return render(request, "payments/rules.html", {"rule_sets": RuleSet.objects.all(), "form": form,
                                                   "can_add": request.user.has_perm("payments.add_ruleset")},
                  status=status)
