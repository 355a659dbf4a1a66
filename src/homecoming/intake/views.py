"""Intake pages: upload and check a file, correct its columns, import; the list index; the review
queue; exports. Every write goes through services; every read of persons is audited."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from homecoming.common.actors import actor
from homecoming.common.errors import apply_errors, flash_outcome, message_of
from homecoming.common.permissions import require_all, require_any
from homecoming.common.routes import route
from homecoming.core.evidence import evidence as _evidence
from homecoming.core.evidence import evidence_labels as _evidence_labels
from homecoming.operations import services as operation_services
from homecoming.registry.forms import RegisterFilterForm
from homecoming.registry.models import Status
from homecoming.registry.selectors import SORTS, RegisterFilters

from . import exports, selectors, services
from .columns import FIELDS
from .forms import BulkRejectForm, DecideForm, ExportForm, MappingForm, StartForm, UploadForm
from .models import ImportJob, ImportKind, IncomingList, ListRow, RowState
from .operations import CONFIRM_ALL

PAGE_SIZE = 20
PHASE_LABELS = {
    "queued": gettext_lazy("waiting for a worker"), "reading": gettext_lazy("reading the file"),
    "checking": gettext_lazy("checking the rows"), "linking": gettext_lazy("linking with the register"),
    "saving": gettext_lazy("saving"),
}
QUEUE_TABS = [("review", gettext_lazy("To review")), ("match", gettext_lazy("Automatic matches")),
              ("none", gettext_lazy("No candidate")), ("decided", gettext_lazy("Decided")),
              ("all", gettext_lazy("All rows"))]


def _kinds(user) -> list[str]:
    kinds = []
    if user.has_perm("intake.add_incominglist"):
        kinds.append(ImportKind.LIST)
    if user.has_perm("intake.import_persons") and user.has_perm("registry.add_person"):
        kinds.append(ImportKind.PERSONS)
    return kinds


@route("")
def list_index(request):
    require_any(request, "intake.view_incominglist", "intake.import_persons")
    services.recover_interrupted(request=request)
    lists = selectors.lists_with_counts() if request.user.has_perm("intake.view_incominglist") else []
    page = Paginator(lists, 25).get_page(request.GET.get("page")) if lists != [] else None
    jobs = selectors.recent_jobs()
    if not request.user.has_perm("intake.view_incominglist"):
        jobs = jobs.filter(kind=ImportKind.PERSONS)
    return render(request, "intake/list_index.html", {
        "page": page, "jobs": jobs[:15], "can_upload": bool(_kinds(request.user)),
        "can_export": request.user.has_perm("intake.export_register"),
    })


@route("upload/")
def upload(request):
    kinds = _kinds(request.user)
    if not kinds:
        raise PermissionDenied
    initial = {"kind": request.GET.get("kind") if request.GET.get("kind") in kinds else kinds[0]}
    if initial["kind"] == ImportKind.PERSONS:
        initial["source_kind"] = "unit_report"
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        f = d["file"]
        try:
            job = services.stage_upload(
                request.user, content=f.read(), filename=f.name, kind=d["kind"], source_kind=d["source_kind"],
                source_reference=d["source_reference"], list_date=d["list_date"],
                status_on_accept=d["status_on_accept"], sheet=d["sheet"], request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("intake:job_detail", pk=job.pk)
    title = _("Import persons") if kinds == [ImportKind.PERSONS] else _("Upload a file")
    return render(request, "intake/upload.html", {"form": form, "title": title})


def _job_for(request, pk) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.defer("content"), pk=pk)
    if job.kind == ImportKind.PERSONS:
        require_all(request, "intake.import_persons")
    else:
        require_all(request, "intake.view_incominglist")
    return job


def _samples(job: ImportJob) -> dict[int, list[str]]:
    """The first rows by column, as the check kept them (the file is never read in a request)."""
    out: dict[int, list[str]] = {}
    for cells in job.samples:
        for i, c in enumerate(cells[:len(job.headers)]):
            out.setdefault(i, []).append(c)
    return out


@route("imports/<int:pk>/")
def job_detail(request, pk):
    services.recover_interrupted(request=request)
    job = _job_for(request, pk)
    can_write = job.kind in _kinds(request.user)
    mapping_form = start_form = None
    if job.state == "staged" and can_write:
        mapping_form = MappingForm(headers=job.headers, mapping=job.mapping, samples=_samples(job))
        start_form = StartForm()
    from .columns import mapping_problems

    labels = {f: v[0] for f, v in FIELDS.items()}
    return render(request, "intake/job_detail.html", {
        "job": job, "mapping_form": mapping_form, "start_form": start_form,
        "problems": mapping_problems(job.mapping, job.kind) if job.state == "staged" else [],
        "columns": [(h, labels.get(m, "")) for h, m in zip(job.headers, job.mapping, strict=False)],
        "phase": PHASE_LABELS.get(job.phase, job.phase), "can_write": can_write,
        "incoming_list": IncomingList.objects.filter(job=job).first(),
        "choose_encoding": job.state == "staged" and can_write and bool(job.encoding_guesses),
    })


def _on_job(request, pk, action, done: str):
    """Run a service on a job for a POST, say what happened, and show the job again."""
    job = _job_for(request, pk)
    flash_outcome(request, lambda: action(job), done)
    return redirect("intake:job_detail", pk=job.pk)


@route("imports/<int:pk>/encoding/")
@require_POST
def job_encoding(request, pk):
    return _on_job(request, pk, lambda job: services.choose_encoding(
        request.user, job.pk, request.POST.get("encoding", ""), request=request),
        _("The file is read again in the encoding you chose."))


@route("imports/<int:pk>/retry/")
@require_POST
def job_retry(request, pk):
    return _on_job(request, pk, lambda job: services.retry_import(request.user, job.pk, request=request),
                   _("The import runs again."))


@route("imports/<int:pk>/columns/")
@require_POST
def job_mapping(request, pk):
    job = _job_for(request, pk)
    form = MappingForm(request.POST, headers=job.headers, mapping=job.mapping, samples={})
    if form.is_valid():
        flash_outcome(request, lambda: services.update_mapping(
            request.user, job.pk, form.mapping(), save=form.cleaned_data["save_mapping"], request=request),
            _("Columns saved; the file was checked again."))
    return redirect("intake:job_detail", pk=job.pk)


@route("imports/<int:pk>/start/")
@require_POST
def job_start(request, pk):
    job = _job_for(request, pk)
    form = StartForm(request.POST)
    form.is_valid()
    try:
        job = services.start_import(request.user, job.pk, only_valid=form.cleaned_data.get("only_valid", False),
                                    request=request)
    except ValidationError as exc:
        messages.error(request, message_of(exc))
    else:
        if job.state == "done":
            messages.success(request, _("The file was imported."))
        elif job.state == "failed":
            messages.error(request, job.message)
    return redirect("intake:job_detail", pk=job.pk)


@route("imports/<int:pk>/cancel/")
@require_POST
def job_cancel(request, pk):
    job = _job_for(request, pk)
    running = job.state == "running"
    done = flash_outcome(request, lambda: services.cancel_import(request.user, job.pk, request=request),
                         _("The import stops at its next step; nothing is imported.") if running else
                         _("The upload was cancelled; nothing was imported."))
    return redirect("intake:job_detail", pk=job.pk) if running or not done else redirect("intake:list_index")


@route("imports/<int:pk>/status/")
def job_status(request, pk):
    """The progress of a job for the page's progress bar (operations/progress.js reads it)."""
    services.recover_interrupted(request=request)
    job = _job_for(request, pk)
    phase = PHASE_LABELS.get(job.phase, job.phase)
    if job.active:
        text = _("%(phase)s: %(done)s of %(total)s") % {"phase": phase, "done": job.processed,
                                                        "total": job.total_rows}
        if job.cancel_requested:
            text = _("Stopping at the next step: %(text)s") % {"text": text}
    else:
        text = str(job.get_state_display())
    return JsonResponse({"id": job.pk, "state": job.state, "state_label": str(job.get_state_display()),
                         "active": job.active, "processed": job.processed, "total": job.total_rows or None,
                         "percent": job.percent, "text": text})


# --- review ---------------------------------------------------------------------------------

@route("lists/<int:pk>/")
def list_review(request, pk):
    require_all(request, "intake.view_incominglist")
    lst = get_object_or_404(selectors.lists_with_counts(), pk=pk)
    which = request.GET.get("show", "review")
    if which not in dict(QUEUE_TABS):
        which = "review"
    page = Paginator(selectors.queue_rows(lst, which), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    ids = {c["person_id"] for r in rows for c in r.candidates} | {r.person_id for r in rows if r.person_id}
    persons = selectors.persons_by_id(ids)
    labels = _evidence_labels()
    # Choice labels translated once per page, not by get_FOO_display() in every card.
    statuses = {k: str(v) for k, v in Status.choices}
    decisions = {k: str(v) for k, v in ListRow._meta.get_field("decision").flatchoices}
    states = {k: str(v) for k, v in RowState.choices}
    items = []
    for r in rows:
        cands = []
        for c in r.candidates:
            p = persons.get(c["person_id"])
            cands.append({"person": p, "probability": c["probability"], "percent": round(c["probability"] * 100, 1),
                          "weight": c["match_weight"], "evidence": _evidence(c.get("explanation", []), labels),
                          "auto": c.get("decision") == "match", "taken_by": c.get("taken_by") or [],
                          "status": statuses.get(p.current_status, p.current_status) if p else ""})
        items.append({"row": r, "candidates": cands, "raw": [(k, v) for k, v in r.raw.items() if v],
                      "decision": decisions.get(r.decision, r.decision), "state": states.get(r.state, r.state)})
    if ids:
        selectors.review_for_reading(actor(request), lst, ids, request=request)
    tabs = [{"key": k, "label": label, "active": k == which, "query": urlencode({"show": k})}
            for k, label in QUEUE_TABS]
    can_review = request.user.has_perm("intake.review_match")
    operation = operation_services.recent_for(actor(request), CONFIRM_ALL, lst.pk) if can_review else None
    return render(request, "intake/list_review.html", {
        "operation": operation,
        "list": lst, "page": page, "items": items, "tabs": tabs, "which": which,
        "query": urlencode({"show": which}),
        "recent": selectors.recent_decisions(lst, request.user) if can_review else [],
        "bulk_form": BulkRejectForm(), "evidence_labels": labels,
        "can_review": request.user.has_perm("intake.review_match"),
        "can_create": request.user.has_perm("registry.add_person"),
        "can_export": request.user.has_perm("intake.export_register"),
        "export_form": ExportForm(),
    })


@route("lists/<int:pk>/rows/<int:row_id>/decide/")
@require_POST
def row_decide(request, pk, row_id):
    require_all(request, "intake.review_match")
    row = get_object_or_404(ListRow, pk=row_id, incoming_list_id=pk)
    form = DecideForm(request.POST)
    back = request.POST.get("next") or ""
    target = redirect(f"{request.path.rsplit('/rows/', 1)[0]}/?{back}" if back.startswith("show=") else
                      f"{request.path.rsplit('/rows/', 1)[0]}/")
    if not form.is_valid():
        messages.error(request, _("Row %(row)s: the decision was incomplete; nothing was changed.")
                       % {"row": row.row_number})
        return target
    d = form.cleaned_data
    action, person_id = d["action"], d.get("person")
    note = d.get("reason") or ""
    if action == "other":
        person = services.person_for_reference(d.get("other") or "")
        if person is None:
            messages.error(request, _("Row %(row)s: no person has the reference “%(ref)s”; nothing was changed.")
                           % {"row": row.row_number, "ref": d.get("other") or ""})
            return target
        action, person_id = "accept", person.pk
    try:
        row = services.decide_row(request.user, row.pk, action=action, version=d["version"], person_id=person_id,
                                  note=note, request=request)
    except services.RowAlreadyDecided as exc:
        messages.warning(request, str(exc))
    except ValidationError as exc:
        messages.error(request, _("Row %(row)s: %(error)s") % {"row": row.row_number,
                                                                "error": message_of(exc)})
    except PermissionDenied:
        messages.error(request, _("You do not have the permission to do this."))
    else:
        if row.state == RowState.REJECTED:
            messages.success(request, _("Row %(row)s rejected.") % {"row": row.row_number})
        else:
            messages.success(request, _("Row %(row)s: %(state)s, %(ref)s.") % {
                "row": row.row_number, "state": row.get_state_display(), "ref": row.person.reference})
    return target


def _back_to_queue(request, pk):
    back = request.POST.get("next") or ""
    return redirect(reverse("intake:list_review", args=[pk]) + (f"?{back}" if back.startswith("show=") else ""))


@route("lists/<int:pk>/rows/<int:row_id>/undo/")
@require_POST
def row_undo(request, pk, row_id):
    """Undo a decision: the row goes back to the queue as it was (services.undo_decision)."""
    require_all(request, "intake.review_match")
    row = get_object_or_404(ListRow, pk=row_id, incoming_list_id=pk)
    try:
        services.undo_decision(request.user, row.pk, version=request.POST.get("version"), request=request)
    except services.RowAlreadyDecided as exc:
        messages.warning(request, str(exc))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("Row %(row)s: %(error)s Nothing was changed.") % {
            "row": row.row_number, "error": message_of(exc) if isinstance(exc, ValidationError) else str(exc)})
    else:
        messages.success(request, _("Row %(row)s: the decision was undone; the row is back in the queue.")
                         % {"row": row.row_number})
    return _back_to_queue(request, pk)


@route("lists/<int:pk>/reject/")
@require_POST
def bulk_reject(request, pk):
    """Reject the chosen rows with one reason: first a preview of the rows (with the fingerprint of
    what it shows), then the confirmation (common/confirm.py)."""
    require_all(request, "intake.review_match")
    lst = get_object_or_404(IncomingList, pk=pk)
    form = BulkRejectForm(request.POST)
    row_ids = request.POST.getlist("rows")
    if not form.is_valid():
        messages.error(request, _("Give the reason for rejecting these rows; nothing was changed."))
        return _back_to_queue(request, pk)
    reason = form.cleaned_data["reason"]
    if request.POST.get("confirm") is not None:
        try:
            done = services.reject_rows(request.user, lst.pk, row_ids, reason=reason,
                                        confirm=request.POST.get("confirm"), request=request)
        except ValidationError as exc:
            messages.error(request, message_of(exc))
        else:
            messages.success(request, ngettext("%(n)s row rejected.", "%(n)s rows rejected.", len(done))
                             % {"n": len(done)})
            return _back_to_queue(request, pk)
    try:
        rows = services.rows_to_reject(lst.pk, row_ids)
    except ValidationError as exc:
        messages.error(request, message_of(exc))
        return _back_to_queue(request, pk)
    return render(request, "intake/bulk_reject.html", {
        "list": lst, "rows": rows, "reason": reason, "next": request.POST.get("next") or "",
        "fingerprint": services.bulk_reject_fingerprint(rows),
        "decided": [r for r in rows if r.state != RowState.OPEN],
    })


@route("lists/<int:pk>/accept-automatic/")
@require_POST
def accept_automatic(request, pk):
    """Start confirm-all in the background (a second click or tab gets the one running) and show
    the list, whose page follows its progress."""
    require_all(request, "intake.review_match")
    lst = get_object_or_404(IncomingList, pk=pk)
    op, started = operation_services.start(actor(request), CONFIRM_ALL, lst.pk, request=request)
    if not started and op.active:
        messages.info(request, _("The automatic matches of this list are already being confirmed; "
                                 "its progress is shown below."))
    return redirect(f"{request.path.rsplit('/accept-automatic/', 1)[0]}/?show=review")


# --- exports --------------------------------------------------------------------------------

def _download(f: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(f.content, content_type=f.content_type)
    response["Content-Disposition"] = f'attachment; filename="{f.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@route("export/")
def export_register(request):
    require_all(request, "intake.export_register")
    filter_form = RegisterFilterForm(request.GET or None)
    export_form = ExportForm(request.GET or None)
    if request.GET.get("download") and filter_form.is_valid() and export_form.is_valid():
        data = {k: v for k, v in filter_form.cleaned_data.items() if v not in (None, "", False)}
        filters = RegisterFilters(**data, sort=request.GET.get("sort") if request.GET.get("sort") in SORTS
                                  else "name")
        try:
            f = exports.export_register(request.user, filters, export_form.cleaned_data["format"],
                                        hxl=export_form.cleaned_data["hxl"], request=request)
        except ValidationError as exc:
            export_form.add_error(None, exc.messages)
        else:
            return _download(f)
    return render(request, "intake/export.html", {"filter_form": filter_form, "form": export_form})


@route("lists/<int:pk>/export/")
def export_list(request, pk):
    require_all(request, "intake.export_register", "intake.view_incominglist")
    lst = get_object_or_404(IncomingList, pk=pk)
    form = ExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose CSV, XLSX or PDF."))
        return redirect("intake:list_review", pk=lst.pk)
    try:
        f = exports.export_list(request.user, lst.pk, form.cleaned_data["format"], hxl=form.cleaned_data["hxl"],
                                request=request)
    except ValidationError as exc:
        messages.error(request, message_of(exc))
        return redirect("intake:list_review", pk=lst.pk)
    return _download(f)


