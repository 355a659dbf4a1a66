"""Register pages. Every write goes through services; every read of a person is audited."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from homecoming.common.actors import actor
from homecoming.common.errors import apply_errors, flash_outcome, form_saved
from homecoming.common.permissions import require_all
from homecoming.common.routes import route

from . import selectors, services
from .forms import (
    AlternativeNameForm,
    ConfirmForm,
    InitialEventForm,
    MergePickForm,
    PersonForm,
    RegisterFilterForm,
    StatusEventForm,
    VersionForm,
)
from .models import Merge, Person

PAGE_SIZE = 50
SORTABLE = [("reference", gettext_lazy("Reference")), ("name", gettext_lazy("Name")),
            ("birth", gettext_lazy("Date of birth")), ("incident", gettext_lazy("Missing or captured")),
            ("status", gettext_lazy("Status"))]


@route("")
def person_list(request):
    require_all(request, "registry.view_person")
    form = RegisterFilterForm(request.GET or None)
    sort = request.GET.get("sort", "name")
    descending = request.GET.get("dir") == "desc"
    persons = Person.objects.none()
    if form.is_bound and form.is_valid() or not form.is_bound:
        data = form.cleaned_data if form.is_bound else {}
        filters = selectors.RegisterFilters(**{k: v for k, v in data.items() if v not in (None, "", False)},
                                            sort=sort if sort in selectors.SORTS else "name", descending=descending)
        persons = selectors.filter_persons(filters)
    page = selectors.search_page_for_reading(actor(request), persons, request.GET.get("page"), PAGE_SIZE,
                                             dict(request.GET.items()), request=request)
    params = {k: v for k, v in request.GET.items() if k not in ("page",) and v}
    base = {k: v for k, v in params.items() if k not in ("sort", "dir")}
    columns = []
    for key, label in SORTABLE:
        active = key == sort
        next_dir = "asc" if active and descending else "desc" if active else "asc"
        columns.append({"key": key, "label": label, "active": active, "descending": active and descending,
                        "query": urlencode({**base, "sort": key, "dir": next_dir})})
    return render(request, "registry/person_list.html", {
        "form": form, "page": page, "query": urlencode(params), "columns": columns,
        "can_add": request.user.has_perm("registry.add_person"),
    })


def _person_or_redirect(pk):
    return get_object_or_404(Person.objects.select_related(
        "branch", "rank", "direction", "operation", "merged_into", "created_by"), pk=pk)


def _live_person(pk):
    """A record that was not merged into another: a merged one takes no new events, names or merges."""
    person = _person_or_redirect(pk)
    if person.merged_into_id:
        raise Http404
    return person


@route("<int:pk>/")
def person_detail(request, pk):
    require_all(request, "registry.view_person")
    person = selectors.person_for_reading(actor(request), _person_or_redirect(pk), request=request)
    user = request.user
    events = selectors.timeline(person)
    return render(request, "registry/person_detail.html", {
        "person": person,
        "events": events,
        "alternative_names": person.alternative_names.all(),
        "history": selectors.edit_history(person, user),
        "merges": selectors.merges_of(person),
        "can_see_medical": user.has_perm("registry.view_medical"),
        "can_see_contacts": user.has_perm("registry.view_contacts"),
        "can_edit": bool(services.editable_fields(user)),
        "can_add_event": user.has_perm("registry.add_statusevent"),
        "can_change": user.has_perm("registry.change_person"),
        "can_merge": user.has_perm("registry.merge_person"),
    })


def _duplicates_for(data, *, exclude_id=None, side=None):
    if not data.get("last_name") or not data.get("first_name"):
        return []
    return selectors.likely_duplicates(last_name=data["last_name"], first_name=data["first_name"],
                                       patronymic=data.get("patronymic", ""), birth_date=data.get("birth_date"),
                                       side=side, exclude_id=exclude_id)


@route("new/")
def person_create(request):
    require_all(request, "registry.add_person")
    fields = services.creatable_fields(request.user)
    form = PersonForm(request.POST or None, field_names=fields)
    event_form = InitialEventForm(request.POST or None, prefix="event")
    confirm = ConfirmForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid() & event_form.is_valid() & confirm.is_valid():
        data = form.cleaned_data
        duplicates = _duplicates_for(data, side=data.get("side"))
        if not duplicates or confirm.cleaned_data["confirm_duplicate"]:
            ev = event_form.cleaned_data
            initial = None
            if ev.get("status"):
                initial = {"status": ev["status"], "effective_date": ev["status_date"],
                           "source_kind": ev["source_kind"], "source_reference": ev["source_reference"]}
            try:
                person = services.create_person(request.user, data, initial_event=initial, request=request)
            except ValidationError as exc:
                apply_errors(form, exc)
                duplicates = []
            else:
                messages.success(request, _("Record %(ref)s created.") % {"ref": person.reference})
                return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/person_form.html", {
        "form": form, "event_form": event_form, "confirm": confirm, "duplicates": duplicates,
        "title": _("New record"), "errors_form": _combined_errors(form, event_form),
    })


def _combined_errors(*forms):
    """One error summary for several forms on one page."""
    class Combined:
        def __init__(self, forms):
            self.forms = forms
            self.errors = any(f.is_bound and f.errors for f in forms)

        def non_field_errors(self):
            return [e for f in self.forms if f.is_bound for e in f.non_field_errors()]

        def __iter__(self):
            for f in self.forms:
                if f.is_bound:
                    yield from f

    return Combined(forms)


@route("<int:pk>/edit/")
def person_edit(request, pk):
    person = _person_or_redirect(pk)
    fields = services.editable_fields(request.user)
    if not fields or not request.user.has_perm("registry.view_person"):
        raise PermissionDenied
    if person.merged_into_id:
        messages.error(request, _("This record was merged into %(ref)s; edit that one.")
                       % {"ref": person.merged_into.reference})
        return redirect("registry:person_detail", pk=person.merged_into_id)
    initial = {f: getattr(person, f) for f in fields}
    # Bound on every POST, even an empty one (an unbound form has no errors to add to).
    posted = request.POST if request.method == "POST" else None
    form = PersonForm(posted, field_names=fields, initial=initial)
    version_form = VersionForm(posted, initial={"version": person.version})
    confirm = ConfirmForm(posted)
    duplicates = []
    stale = None
    if request.method == "POST" and form.is_valid() & version_form.is_valid() & confirm.is_valid():
        data = {f: v for f, v in form.cleaned_data.items() if f in fields}
        name_changed = any(str(data.get(f) or "") != str(getattr(person, f) or "")
                           for f in ("last_name", "first_name", "patronymic", "birth_date") if f in data)
        if name_changed:
            duplicates = _duplicates_for(data, exclude_id=person.pk, side=person.side)
        if not duplicates or confirm.cleaned_data["confirm_duplicate"]:
            try:
                services.update_person(request.user, person.pk, version=version_form.cleaned_data["version"],
                                       changes=data, request=request)
            except services.StaleVersion as exc:
                stale = exc
                form.add_error(None, str(exc))
                duplicates = []
            except ValidationError as exc:
                apply_errors(form, exc)
                duplicates = []
            else:
                messages.success(request, _("Changes saved."))
                return redirect("registry:person_detail", pk=person.pk)
    elif request.method == "POST" and not version_form.is_valid():
        form.add_error(None, _("The form is missing the version of the record: reload the page."))
    selectors.person_for_reading(actor(request), person, via="edit", request=request)  # the page shows the person
    return render(request, "registry/person_form.html", {
        "form": form, "version_form": version_form, "confirm": confirm, "duplicates": duplicates,
        "person": person, "stale": stale, "title": _("Edit %(ref)s") % {"ref": person.reference},
        "errors_form": _combined_errors(form),
    }, status=409 if stale else 200)


@route("<int:pk>/events/add/")
def event_add(request, pk):
    require_all(request, "registry.add_statusevent")
    person = _live_person(pk)
    events = selectors.timeline(person)
    form = StatusEventForm(request.POST or None, person=person, events=events)
    contradiction = bool(request.POST.get("exception_reason"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_status_event(request.user, person.pk, status=data["status"],
                                      effective_date=data["effective_date"], source_kind=data["source_kind"],
                                      source_reference=data["source_reference"], note=data["note"],
                                      corrects=data["corrects"], exception_reason=data["exception_reason"],
                                      request=request)
        except services.Contradiction as exc:
            contradiction = True  # the reason field appears: record it anyway, with the reason, or fix it
            apply_errors(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Status event added."))
            return redirect("registry:person_detail", pk=person.pk)
    selectors.person_for_reading(actor(request), person, via="event_form", request=request)
    return render(request, "registry/event_form.html", {"form": form, "person": person, "events": events,
                                                        "contradiction": contradiction})


@route("<int:pk>/names/add/")
def alternative_name_add(request, pk):
    require_all(request, "registry.change_person")
    person = _live_person(pk)
    form = AlternativeNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form_saved(request, form, lambda: services.add_alternative_name(
            request.user, person.pk, request=request, **form.cleaned_data), _("Alternative name added.")):
        return redirect("registry:person_detail", pk=person.pk)
    selectors.person_for_reading(actor(request), person, via="alternative_name_form", request=request)
    return render(request, "registry/alternative_name_form.html", {"form": form, "person": person})


@route("<int:pk>/merge/")
def merge(request, pk):
    """Pick the duplicate, compare side by side, choose per conflicting field, confirm. The POST
    carries the fingerprint of both records as shown (services.merge_fingerprint): an edit made
    meanwhile sends the person back to the comparison."""
    require_all(request, "registry.merge_person")
    person = _live_person(pk)
    form = MergePickForm(request.POST or request.GET or None)
    other = None
    if form.is_bound and form.is_valid():
        other = selectors.person_by_reference(form.cleaned_data["other"])
        if other is None:
            form.add_error("other", _("No record has this reference."))
        elif other.pk == person.pk:
            form.add_error("other", _("A record cannot be merged with itself."))
            other = None
    conflicts = services.merge_conflicts(person, other) if other is not None else []
    if request.method == "POST" and other is not None:
        keep = {f: request.POST.get(f"keep_{f}", "survivor") for f in conflicts}
        try:
            done = services.merge_persons(request.user, person.pk, other.pk, keep=keep,
                                          confirm=request.POST.get("confirm", ""), request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(dup)s was merged into %(ref)s.")
                             % {"dup": done.duplicate.reference, "ref": person.reference})
            return redirect("registry:person_detail", pk=person.pk)
    for shown in (person, other) if other is not None else (person,):
        selectors.person_for_reading(actor(request), shown, via="merge", request=request)
    candidates = selectors.likely_duplicates(last_name=person.last_name, first_name=person.first_name,
                                             patronymic=person.patronymic, birth_date=person.birth_date,
                                             side=person.side, exclude_id=person.pk)
    return render(request, "registry/merge.html", {
        "form": form, "person": person, "other": other, "candidates": candidates,
        "rows": _compare_rows(request.user, person, other, conflicts) if other else [],
        "fingerprint": services.merge_fingerprint(person, other) if other else "",
    }, status=409 if request.method == "POST" else 200)


def _compare_rows(user, a, b, conflicts):
    """Each field side by side: what the kept record will hold (its own value, one filled from the
    duplicate, or a choice where both differ). A field hidden from the user's role stays as it is."""
    rows = [{"key": "name", "label": _("Name"), "a": a.full_name, "b": b.full_name,
             "differs": a.full_name != b.full_name, "choose": "name" in conflicts}]
    for field in services.ALL_FIELDS:
        if field in services.NAME_FIELDS or not selectors.can_see(user, field):
            continue
        f = Person._meta.get_field(field)
        va, vb = services._as_text(a, field), services._as_text(b, field)
        rows.append({"key": field, "label": f.verbose_name, "a": selectors.display_value(field, va),
                     "b": selectors.display_value(field, vb), "differs": va != vb, "choose": field in conflicts,
                     "filled": field in services.MERGE_FILL_FIELDS and services._empty(a, field)
                     and not services._empty(b, field)})
    rows.append({"key": "status", "label": _("Current status"), "a": a.get_current_status_display() or "—",
                 "b": b.get_current_status_display() or "—", "differs": a.current_status != b.current_status})
    return rows


@route("merges/<int:merge_id>/undo/")
@require_POST
def merge_undo(request, merge_id):
    require_all(request, "registry.merge_person")
    merge_row = get_object_or_404(Merge, pk=merge_id)
    flash_outcome(request, lambda: services.undo_merge(request.user, merge_row.pk, request=request),
                  _("The merge was undone: %(dup)s is a separate record again.")
                  % {"dup": merge_row.duplicate.reference})
    return redirect("registry:person_detail", pk=merge_row.survivor_id)
