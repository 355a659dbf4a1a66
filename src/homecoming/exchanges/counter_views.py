"""The other side's counter-list on a stage's page: its upload, its rows to review with their
evidence (the same table as the intake review, core/evidence.py) and a negotiator's decisions on
them and their undo (services/counter.py). Apart from views.py, which holds the rest of the pages.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homecoming.common.errors import flash_outcome
from homecoming.common.routes import route
from homecoming.core.evidence import evidence, evidence_labels

from . import services
from .forms import CounterListForm
from .models import CounterRow
from .views import _flash_errors, _stage

COLUMN_ALIASES = {"прізвище": "last_name", "фамилия": "last_name", "ім'я": "first_name", "ім’я": "first_name",
                  "имя": "first_name", "по батькові": "patronymic", "отчество": "patronymic",
                  "дата народження": "birth_date", "дата рождения": "birth_date", "піб": "full_name",
                  "фио": "full_name"}


def parse_counter_csv(data: bytes) -> list[dict]:
    """A small CSV reader for the counter-list upload (UTF-8, comma or semicolon). Errors name the
    row and column. Larger or other files go through intake, which calls match_counter_list."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not UTF-8 text.")) from exc
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        raise ValidationError(_("The file is empty."))
    header = [COLUMN_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in rows[0]]
    known = set(services.ROW_FIELDS)
    if not ({"last_name", "first_name"} <= set(header) or "full_name" in header):
        raise ValidationError(_("Row 1 (the header) needs the columns last_name and first_name, or full_name; "
                                "found: %(found)s.") % {"found": ", ".join(rows[0])})
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ValidationError(_("Row %(n)s has %(got)s columns; the header has %(want)s.")
                                  % {"n": number, "got": len(row), "want": len(header)})
        out.append({k: v.strip() for k, v in zip(header, row, strict=True) if k in known})
    if not out:
        raise ValidationError(_("The file has no rows after the header."))
    return out


@route("stages/<int:pk>/counter-list/")
@require_POST
def counter_list(request, pk):
    exchange = _stage(request, pk, services.CHANGE_EXCHANGE)
    form = CounterListForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file."))
        return redirect("exchanges:exchange_detail", exchange.pk)
    upload = form.cleaned_data["file"]
    if upload.size > 5 * 1024 * 1024:
        messages.error(request, _("The file is larger than 5 MB; import it through incoming lists."))
        return redirect("exchanges:exchange_detail", exchange.pk)
    try:
        rows = parse_counter_csv(upload.read())
        result = services.match_counter_list(request.user, exchange, rows, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Counter-list: %(m)s matched (%(c)s confirmed), %(r)s to review, %(n)s not on "
                                    "our lists; %(o)s of our entries are not on theirs.")
                         % {"m": result["match"], "c": result["confirmed"], "r": result["review"],
                            "n": result["none"], "o": len(result["not_on_their_list"])})
    return redirect("exchanges:exchange_detail", exchange.pk)


def counter_rows(request, exchange, entries: dict) -> list[dict]:
    """The rows of the other side's counter-list, each with its candidates (our entries, read by
    stage_for_reading) and their evidence field by field, as the intake review shows them."""
    labels = evidence_labels()
    out = []
    for r in CounterRow.objects.filter(exchange=exchange).select_related("entry__person", "decided_by"):
        cands = [{"entry": entries.get(c["entry"]), "id": c["entry"], "percent": round(c["probability"] * 100, 1),
                  "evidence": evidence(c.get("explanation") or [], labels)} for c in r.candidates]
        out.append({"row": r, "candidates": cands, "open": r.decision == "review" and not r.state,
                    "can_undo": bool(r.state) and services.may_undo_counter(request.user, r)})
    return out


@route("stages/<int:pk>/counter-rows/<int:row_id>/decide/")
@require_POST
def counter_row_decide(request, pk, row_id):
    exchange = _stage(request, pk, services.CHANGE_EXCHANGE)
    row = get_object_or_404(CounterRow, pk=row_id, exchange=exchange)
    action = request.POST.get("action", "")
    entry = request.POST.get("entry") or None
    flash_outcome(request, lambda: services.decide_counter_row(
        request.user, row.pk, action=action, version=request.POST.get("version"),
        entry_id=int(entry) if entry and entry.isdigit() else None, request=request),
        _("Row %(n)s of the counter-list decided.") % {"n": row.row_number})
    return redirect(reverse("exchanges:exchange_detail", args=[exchange.pk]) + f"#counter-{row.row_number}")


@route("stages/<int:pk>/counter-rows/<int:row_id>/undo/")
@require_POST
def counter_row_undo(request, pk, row_id):
    exchange = _stage(request, pk, services.CHANGE_EXCHANGE)
    row = get_object_or_404(CounterRow, pk=row_id, exchange=exchange)
    try:
        flash_outcome(request, lambda: services.undo_counter_decision(
            request.user, row.pk, version=request.POST.get("version"), request=request),
            _("Row %(n)s of the counter-list: the decision was undone.") % {"n": row.row_number})
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect(reverse("exchanges:exchange_detail", args=[exchange.pk]) + f"#counter-{row.row_number}")


