"""Pages of payments: the overview and report, a person's entitlement and payment data, batches,
rule sets. Every write goes through the services; reads of a person's money are audited; bank
details, pay data and family payments only with ``payments.view_payment_data``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from homecoming.audit.services import record_list_read
from homecoming.common.confirm import ChangedSincePreview
from homecoming.registry.models import Person

from . import selectors, services
from .forms import FamilyPaymentForm, PayDataForm, ProfileForm, RejectForm, RuleSetForm
from .models import Batch, BatchState, Entitlement, PaymentProfile, RuleSet


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@permission_required("payments.view_entitlement", raise_exception=True)
def home(request):
    returnees = list(selectors.returnees()[:200])
    open_dues = list(selectors.open_dues()[:500])
    # the page names the returnees and the persons of the amounts due: an audited read
    record_list_read(request.user, "payments.home_view", object_type="person",
                     ids=sorted({p.pk for p in returnees} | {d.entitlement.person_id for d in open_dues}),
                     details={"returnees": len(returnees), "open_dues": len(open_dues)}, request=request)
    return render(request, "payments/home.html", {
        "report": selectors.report(),
        "returnees": returnees,
        "open_dues": open_dues,
        "batches": selectors.batches()[:50],
        "can_prepare": request.user.has_perm("payments.prepare_batch"),
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


@permission_required("payments.view_entitlement", raise_exception=True)
def person_payments(request, pk):
    person = get_object_or_404(Person, pk=pk)
    entitlement = Entitlement.objects.filter(person=person).first()
    if entitlement:
        services.record_entitlement_view(request.user, entitlement, request=request)
    else:
        services.record(request.user, "payments.person_view", object_type="person", object_id=person.pk,
                        request=request)
    return render(request, "payments/person.html", _person_context(request, person))


def _data_write(request, pk, form_class, form_key, call):
    if not (request.user.has_perm("payments.view_payment_data") and request.user.has_perm("payments.prepare_batch")):
        raise PermissionDenied
    person = get_object_or_404(Person, pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(person, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("payments:person", person.pk)
    return render(request, "payments/person.html", _person_context(request, person, **{form_key: form}), status=400)


@require_POST
def profile_set(request, pk):
    return _data_write(request, pk, ProfileForm, "profile_form", lambda person, d: services.set_payment_profile(
        request.user, person.pk, iban=d["iban"], account_holder=d["account_holder"],
        capture_precision=d["capture_precision"], request=request))


@require_POST
def pay_data_add(request, pk):
    return _data_write(request, pk, PayDataForm, "pay_form", lambda person, d: services.add_pay_data(
        request.user, person.pk, valid_from=d["valid_from"], monthly_amount=d["monthly_amount"], request=request))


@require_POST
def family_payment_add(request, pk):
    return _data_write(request, pk, FamilyPaymentForm, "family_form", lambda person, d: services.add_family_payment(
        request.user, person.pk, paid_on=d["paid_on"], amount=d["amount"], reference=d["reference"],
        request=request))


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


@permission_required("payments.prepare_batch", raise_exception=True)
@require_POST
def batch_prepare(request):
    due_ids = request.POST.getlist("due")
    try:
        batch = services.prepare_batch(request.user, due_ids=due_ids or None, note=request.POST.get("note", ""),
                                       request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("payments:home")
    messages.success(request, _("The batch %(ref)s is prepared: a second finance officer approves it.")
                     % {"ref": batch.reference})
    return redirect("payments:batch", batch.pk)


@permission_required("payments.view_entitlement", raise_exception=True)
def batch_detail(request, pk, reject_form=None):
    batch = get_object_or_404(Batch.objects.select_related("prepared_by", "approved_by", "paid_by"), pk=pk)
    services.record(request.user, "payments.batch_view", object_type="batch", object_id=batch.pk, request=request)
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
        messages.error(request, " ".join(exc.messages) if checked else
                       _("Tick that you have checked every line and the total."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except services.FourEyes as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done_message)
    return redirect("payments:batch", batch.pk)


@permission_required("payments.approve_batch", raise_exception=True)
@require_POST
def batch_approve(request, pk):
    return _batch_action(request, pk, lambda b, confirm: services.approve_batch(
        request.user, b.pk, confirm=confirm, request=request),
                         _("The batch is approved: its lines are in the ledger."))


@permission_required("payments.approve_batch", raise_exception=True)
@require_POST
def batch_reject(request, pk):
    form = RejectForm(request.POST)
    if not form.is_valid():
        return batch_detail(request, pk, reject_form=form)
    return _batch_action(request, pk, lambda b, _confirm: services.reject_batch(
        request.user, b.pk, reason=form.cleaned_data["reason"], request=request), _("The batch is rejected."))


@permission_required("payments.prepare_batch", raise_exception=True)
@require_POST
def batch_paid(request, pk):
    return _batch_action(request, pk, lambda b, confirm: services.mark_batch_paid(
        request.user, b.pk, confirm=confirm, request=request),
                         _("The batch is marked paid."))


@permission_required("payments.view_payment_data", raise_exception=True)
def batch_export(request, pk):
    batch = get_object_or_404(Batch, pk=pk)
    try:
        text = services.export_batch_csv(request.user, batch.pk, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("payments:batch", batch.pk)
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.csv"'
    return response


@require_http_methods(["GET", "POST"])
def rules(request):
    # finance officers read the rules; administrators (who hold add_ruleset) keep them
    if not (request.user.has_perm("payments.view_entitlement") or request.user.has_perm("payments.add_ruleset")):
        raise PermissionDenied
    form = RuleSetForm()
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("payments.add_ruleset"):
            raise PermissionDenied
        form = RuleSetForm(request.POST)
        if form.is_valid():
            try:
                services.create_rule_set(request.user, form.cleaned_data, request=request)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The rule set is added."))
                return redirect("payments:rules")
        status = 400
    return render(request, "payments/rules.html", {"rule_sets": RuleSet.objects.all(), "form": form,
                                                   "can_add": request.user.has_perm("payments.add_ruleset")},
                  status=status)
