"""Pages of the remains app: transfers, remains with their candidates, a person's forensic section,
identifications. Thin: parse, call a service or an audited selector, render. Forensic data for
forensic experts; a registrar reads the identifications they confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from homecoming.common.actors import actor
from homecoming.common.errors import apply_errors, flash_outcome
from homecoming.common.permissions import require_all, require_any
from homecoming.common.routes import route
from homecoming.registry import selectors as registry_selectors
from homecoming.registry.models import Person

from . import reasons, selectors, services
from .forms import (
    AnteMortemForm,
    EffectForm,
    KinshipReportForm,
    MarkForm,
    OpenIdentificationForm,
    OutcomeForm,
    ReasoningForm,
    RemainsForm,
    SampleForm,
    TransferForm,
)
from .models import Identification, IdentificationState, Remains, Transfer

VIEW, CHANGE, CONFIRM = services.VIEW, services.CHANGE, services.CONFIRM


def _saved(request, form, call, success: str) -> bool:
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    messages.success(request, success)
    return True


# --- transfers ---------------------------------------------------------------------------------

@route("")
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def transfer_list(request):
    form = TransferForm(request.POST or None)
    if request.method == "POST":
        require_all(request, CHANGE)
        if _saved(request, form, lambda d: services.record_transfer(request.user, request=request, **d),
                  _("The transfer is recorded.")):
            return redirect("remains:transfer_list")
    return render(request, "remains/transfer_list.html", {"transfers": selectors.transfers(), "form": form},
                  status=400 if form.errors else 200)


@route("transfers/<int:pk>/")
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def transfer_detail(request, pk):
    transfer = get_object_or_404(Transfer, pk=pk)
    form = RemainsForm(request.POST or None)
    if request.method == "POST":
        require_all(request, CHANGE)
        if _saved(request, form, lambda d: services.record_remains(request.user, transfer.pk, request=request, **d),
                  _("The remains are recorded.")):
            return redirect("remains:transfer_detail", transfer.pk)
    return render(request, "remains/transfer_detail.html", {
        "transfer": transfer, "remains": selectors.transfer_remains(transfer), "form": form,
    }, status=400 if form.errors else 200)


# --- remains -----------------------------------------------------------------------------------

def _remains_page(request, remains, *, status=200, **forms):
    candidates = [(person, candidate, [reasons.describe(e) for e in candidate.evidence])
                  for person, candidate in selectors.remains_for_reading(actor(request), remains, request=request)]
    context = {
        "remains": remains, "marks": remains.marks.all(), "effects": remains.effects.all(),
        "candidates": candidates,
        "identifications": remains.identifications.select_related("person").order_by("-proposed_at"),
        "form": forms.get("form") or RemainsForm(instance=remains),
        "mark_form": forms.get("mark_form") or MarkForm(), "effect_form": forms.get("effect_form") or EffectForm(),
        "identify_form": forms.get("identify_form") or OpenIdentificationForm(),
    }
    return render(request, "remains/remains_detail.html", context, status=status)


@route("<int:pk>/")
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def remains_detail(request, pk):
    remains = get_object_or_404(Remains.objects.select_related("transfer"), pk=pk)
    if request.method == "POST":
        require_all(request, CHANGE)
        form = RemainsForm(request.POST, instance=Remains.objects.get(pk=pk))
        if _saved(request, form, lambda d: services.update_remains(request.user, remains.pk, request=request, **d),
                  _("The post-mortem data are saved.")):
            return redirect("remains:remains_detail", remains.pk)
        return _remains_page(request, remains, status=400, form=form)
    return _remains_page(request, remains)


@route("<int:pk>/marks/")
@permission_required(CHANGE, raise_exception=True)
@require_POST
def mark_add(request, pk):
    remains = get_object_or_404(Remains.objects.select_related("transfer"), pk=pk)
    form = MarkForm(request.POST)
    if _saved(request, form, lambda d: services.add_mark(request.user, remains_id=remains.pk, request=request, **d),
              _("The mark is recorded.")):
        return redirect("remains:remains_detail", remains.pk)
    return _remains_page(request, remains, status=400, mark_form=form)


@route("<int:pk>/effects/")
@permission_required(CHANGE, raise_exception=True)
@require_POST
def effect_add(request, pk):
    remains = get_object_or_404(Remains.objects.select_related("transfer"), pk=pk)
    form = EffectForm(request.POST)
    if _saved(request, form, lambda d: services.add_effect(request.user, remains.pk, request=request, **d),
              _("The effect or document is recorded.")):
        return redirect("remains:remains_detail", remains.pk)
    return _remains_page(request, remains, status=400, effect_form=form)


@route("<int:pk>/identify/")
@permission_required(CHANGE, raise_exception=True)
@require_POST
def identification_open(request, pk):
    remains = get_object_or_404(Remains.objects.select_related("transfer"), pk=pk)
    form = OpenIdentificationForm(request.POST)

    def call(data):
        person = registry_selectors.person_by_reference(data["person"])
        if person is None:
            raise ValidationError({"person": [_("No person has this reference.")]})
        return services.open_identification(request.user, remains.pk, person.pk, method=data["method"],
                                            reasoning=data["reasoning"], request=request)

    if form.is_valid():
        try:
            identification = call(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The identification is opened."))
            return redirect("remains:identification_detail", identification.pk)
    return _remains_page(request, remains, status=400, identify_form=form)


# --- a person's forensic section ------------------------------------------------------------------

def _person_page(request, person, *, status=200, **forms):
    section = selectors.person_forensic_for_reading(actor(request), person, request=request)
    return render(request, "remains/person.html", {
        "person": person, **section, "sufficiency_message": selectors.sufficiency_message(section["sufficiency"]),
        "form": forms.get("form") or AnteMortemForm(instance=section["ante_mortem"]),
        "mark_form": forms.get("mark_form") or MarkForm(), "sample_form": forms.get("sample_form") or SampleForm(),
        "can_change": request.user.has_perm(CHANGE),
    }, status=status)


@route("persons/<int:pk>/")
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def person(request, pk):
    person = get_object_or_404(Person, pk=pk)
    if request.method == "POST":
        require_all(request, CHANGE)
        form = AnteMortemForm(request.POST, instance=person.ante_mortem if hasattr(person, "ante_mortem") else None)
        if _saved(request, form, lambda d: services.record_ante_mortem(request.user, person.pk, request=request, **d),
                  _("The ante-mortem data are saved.")):
            return redirect("remains:person", person.pk)
        return _person_page(request, person, status=400, form=form)
    return _person_page(request, person)


@route("persons/<int:pk>/marks/")
@permission_required(CHANGE, raise_exception=True)
@require_POST
def person_mark_add(request, pk):
    person = get_object_or_404(Person, pk=pk)
    form = MarkForm(request.POST)

    def call(data):
        record = getattr(person, "ante_mortem", None) if hasattr(person, "ante_mortem") else None
        if record is None:
            raise ValidationError(_("Record the ante-mortem data first."))
        return services.add_mark(request.user, ante_mortem_id=record.pk, request=request, **data)

    if _saved(request, form, call, _("The mark is recorded.")):
        return redirect("remains:person", person.pk)
    return _person_page(request, person, status=400, mark_form=form)


@route("persons/<int:pk>/samples/")
@permission_required(CHANGE, raise_exception=True)
@require_POST
def sample_add(request, pk):
    person = get_object_or_404(Person, pk=pk)
    form = SampleForm(request.POST)
    if _saved(request, form, lambda d: services.add_reference_sample(request.user, person.pk, request=request, **d),
              _("The reference sample is recorded.")):
        return redirect("remains:person", person.pk)
    return _person_page(request, person, status=400, sample_form=form)


# --- identifications -----------------------------------------------------------------------------

def _require_reader(request):
    require_any(request, VIEW, CONFIRM)


@route("identifications/")
def identification_list(request):
    _require_reader(request)
    state = request.GET.get("state", IdentificationState.PRELIMINARY)
    if state not in IdentificationState.values and state != "all":
        state = IdentificationState.PRELIMINARY
    page = selectors.identification_page_for_reading(actor(request), "" if state == "all" else state,
                                                     request.GET.get("page"), request=request)
    return render(request, "remains/identification_list.html", {
        "page": page, "state": state, "states": IdentificationState.choices})


def _identification_page(request, identification, *, status=200, **forms):
    selectors.identification_for_reading(actor(request), identification, request=request)
    fingerprint = services.confirmation_fingerprint(identification)
    return render(request, "remains/identification_detail.html", {
        "reversal_fingerprint": services.reversal_fingerprint(identification),
        "identification": identification, "reports": identification.kinship_reports.prefetch_related("samples"),
        "tasks": identification.tasks.order_by("position"), "fingerprint": fingerprint,
        "death_date": services.death_date(identification),
        "report_form": forms.get("report_form") or KinshipReportForm(person=identification.person),
        "reasoning_form": forms.get("reasoning_form") or ReasoningForm(),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(),
        "can_change": request.user.has_perm(CHANGE), "can_confirm": request.user.has_perm(CONFIRM),
        "can_tell": request.user.has_perm(services.TELL),
    }, status=status)


def _identification(pk):
    return get_object_or_404(Identification.objects.select_related("remains", "remains__transfer", "person",
                                                                    "proposed_by", "confirmed_by", "reversed_by"),
                             pk=pk)


@route("identifications/<int:pk>/")
def identification_detail(request, pk):
    _require_reader(request)
    return _identification_page(request, _identification(pk))


@route("identifications/<int:pk>/report/")
@permission_required(CHANGE, raise_exception=True)
@require_POST
def identification_report(request, pk):
    identification = _identification(pk)
    form = KinshipReportForm(request.POST, person=identification.person)

    def call(data):
        data = dict(data)
        samples = data.pop("samples")
        return services.add_kinship_report(request.user, identification.pk, sample_ids=[s.pk for s in samples],
                                           request=request, **data)

    if _saved(request, form, call, _("The kinship match report is recorded.")):
        return redirect("remains:identification_detail", identification.pk)
    return _identification_page(request, identification, status=400, report_form=form)


def _identification_step(request, pk, call, success: str):
    """A button on an identification's page: run the service ``call(identification_id)`` and go
    back to the page saying how it went (a refusal, a change since the page was read, or one person
    trying both steps of a two-person rule, is said there, never an error page)."""
    identification = _identification(pk)
    try:
        flash_outcome(request, lambda: call(identification.pk), success)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("remains:identification_detail", identification.pk)


@route("identifications/<int:pk>/propose/")
@permission_required(CHANGE, raise_exception=True)
@require_POST
def identification_propose(request, pk):
    return _identification_step(request, pk, lambda i: services.propose_identification(
        request.user, i, reasoning=request.POST.get("reasoning", ""), request=request),
        _("The identification is proposed for confirmation."))


@route("identifications/<int:pk>/exclude/")
@permission_required(CHANGE, raise_exception=True)
@require_POST
def identification_exclude(request, pk):
    return _identification_step(request, pk, lambda i: services.exclude_identification(
        request.user, i, reasoning=request.POST.get("reasoning", ""), request=request),
        _("The person is excluded."))


@route("identifications/<int:pk>/confirm/")
@permission_required(CONFIRM, raise_exception=True)
@require_POST
def identification_confirm(request, pk):
    return _identification_step(request, pk, lambda i: services.confirm_identification(
        request.user, i, fingerprint=request.POST.get("fingerprint"), request=request),
        _("The identification is confirmed. Tell the family in person first."))


@route("identifications/<int:pk>/propose-reversal/")
@permission_required(CHANGE, raise_exception=True)
@require_POST
def identification_propose_reversal(request, pk):
    return _identification_step(request, pk, lambda i: services.propose_reversal(
        request.user, i, reason=request.POST.get("reason", ""), request=request),
        _("The reversal is proposed; a registrar who did not propose it carries it out."))


@route("identifications/<int:pk>/reverse/")
@permission_required(CONFIRM, raise_exception=True)
@require_POST
def identification_reverse(request, pk):
    return _identification_step(request, pk, lambda i: services.reverse_identification(
        request.user, i, fingerprint=request.POST.get("fingerprint"), request=request),
        _("The identification is reversed and the register corrected."))


@route("tasks/<int:pk>/done/")
@permission_required(services.TELL, raise_exception=True)
@require_POST
def task_done(request, pk):
    from .models import Task

    task = get_object_or_404(Task, pk=pk)
    flash_outcome(request, lambda: services.complete_task(
        request.user, task.pk, outcome=request.POST.get("outcome", ""), happened_on=request.POST.get("happened_on"),
        recipient=request.POST.get("recipient", ""), place=request.POST.get("place", ""), request=request),
        _("The task is done."))
    if request.user.has_perm(VIEW) or request.user.has_perm(CONFIRM):
        return redirect("remains:identification_detail", task.identification_id)
    return redirect("home")
