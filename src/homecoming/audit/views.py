"""The audit viewer: the log as sentences in the reader's language, with pickers for who, what
and when, pages of 50, a CSV export of the filtered events, and the chain's verification
status (a quick check on every look, a full one on request). Every look and every export is
itself written to the log."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tasks import TaskResultStatus

from homecoming.common.actors import actor
from homecoming.common.cells import neutralise
from homecoming.common.routes import route

from . import selectors, tasks, verification
from .describe import Describer
from .forms import AuditFilterForm
from .sentences import ACTIONS, PROBLEMS

PAGE_SIZE = 50
VIEW = "audit.view_audit_log"


def _filters(request):
    form = AuditFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


def problem_text(kind: str, event_id) -> str:
    template = PROBLEMS.get(kind)
    return str(template) % {"event": event_id} if template is not None else kind


@route("")
@permission_required(VIEW, raise_exception=True)
def event_list(request):
    form, data = _filters(request)
    page = selectors.event_page_for_reading(actor(request), data, request.GET.get("page"), PAGE_SIZE,
                                            request=request)
    query = request.GET.copy()
    query.pop("page", None)
    state = verification.status()
    last = state.last_full
    problem = None
    if state.quick is not None:
        problem = problem_text(state.quick.kind, state.quick.event_id)
    elif last is not None and last.details.get("result") != "intact":
        found = last.details.get("problem") or {}
        problem = problem_text(found.get("kind", ""), found.get("event"))
    return render(request, "audit/event_list.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "lines": Describer(request.user, page.object_list).lines(),
        "chain": state, "chain_problem": problem,
        "last_by": Describer(request.user, [last]).who(last) if last else "",
    })


@route("export/")
@permission_required(VIEW, raise_exception=True)
def event_export(request):
    """Every event the filters match, as CSV in the reader's language (with the codes beside the
    sentences, for whoever reads it with other tools); a bad filter exports nothing."""
    form, data = _filters(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Nothing was exported: correct the filters first."))
        return redirect(f"{request.path.removesuffix('export/')}?{request.GET.urlencode()}")
    events = selectors.events_for_export(actor(request), data, request=request)
    reader = request.user
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_csv_rows(reader, events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


class _Echo:
    def write(self, value):
        return value


def _csv_rows(reader, events, batch: int = 1000):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([_("Event"), _("Time"), _("Who"), _("Action"), _("Code"), _("What happened"),
                                      _("Details"), _("Network address"), _("Hash")])
    last = 0
    while True:
        chunk = list(events.filter(pk__gt=last)[:batch])
        if not chunk:
            return
        describer = Describer(reader, chunk)
        for event in chunk:
            action = ACTIONS.get(event.action)
            details = "; ".join(f"{k}: {v}" for k, v in describer.details(event, html=False, address=False))
            yield writer.writerow([neutralise(v) for v in (
                event.pk, timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                describer.who(event, html=False), action.label if action else event.action, event.action,
                describer.sentence(event, html=False), details, event.ip_address or "", event.hash)])
        last = chunk[-1].pk


@route("verify/")
@require_POST
@permission_required(VIEW, raise_exception=True)
def chain_verify(request):
    """Start the full check (an administrator's POST) as a background task: it walks every event,
    which takes minutes on a large log. Its result is an event of the log, which the page shows;
    when the task has already finished (a fast log, or the tests' immediate backend), it is said
    at once."""
    result = tasks.verify_audit_chain.enqueue(request.user.pk)
    if result.status != TaskResultStatus.SUCCESSFUL:
        messages.info(request, _("The verification of the whole log has started; its result will show here when "
                                 "it is done (reload the page)."))
    elif not result.return_value["kind"]:
        messages.success(request, _("The audit log is intact: every event was checked."))
    else:
        messages.error(request, _("The audit log is NOT intact: %(problem)s") % {
            "problem": problem_text(result.return_value["kind"], result.return_value["problem_event"])})
    return redirect("audit:event_list")
