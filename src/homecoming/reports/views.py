"""The dashboard, its CSV downloads, the list of persons behind a figure, and the exchange reports.

Everyone with ``reports.view_dashboard`` sees the aggregates. Drill-downs to persons are for
those who may also read the register (``registry.view_person``); the others (the leadership) see
small numbers suppressed and no links to persons. Every list of persons is audited.
"""

from __future__ import annotations

import csv
from collections import Counter
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homecoming.common.actors import actor
from homecoming.common.names import language
from homecoming.common.permissions import require_all
from homecoming.common.routes import route
from homecoming.exchanges.communique import communique_facts, communique_text
from homecoming.exchanges.models import Agreement, Communique, Exchange, ExchangeStatus
from homecoming.registry.models import RankCategory, Sex

from . import charts, reads, selectors
from .selectors import Figure, Range, Row

VIEW_DASHBOARD = "reports.view_dashboard"
VIEW_PERSON = "registry.view_person"
VIEW_FORENSIC = "remains.view_forensic"
PAGE_SIZE = 50


def can_drill(user) -> bool:
    """Who may follow a figure to the persons behind it."""
    return user.has_perm(VIEW_DASHBOARD) and user.has_perm(VIEW_PERSON)


class RangeForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Until"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the range is before its start."))
        return data


def _range(request) -> tuple[RangeForm, Range]:
    form = RangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, Range(form.cleaned_data.get("start"), form.cleaned_data.get("end"))
    return form, Range()


# --- presenting a figure --------------------------------------------------------------------------

def _drill_url(target: dict | None, rng: Range) -> str:
    if not target:
        return ""
    params = {k: v for k, v in target.items() if k != "to"}
    if target["to"] == "registry":
        # the register list filters by the incident date with its own names
        if rng.start:
            params["incident_from"] = rng.start.isoformat()
        if rng.end:
            params["incident_to"] = rng.end.isoformat()
        return reverse("registry:person_list") + "?" + urlencode(params)
    return reverse("reports:persons") + "?" + urlencode({**params, **rng.params})


HIDDEN = selectors.HIDDEN


def _fmt(v) -> str:
    if v is None:
        return str(HIDDEN)
    if isinstance(v, str):  # nothing to count (a median of no one)
        return v or "—"
    if isinstance(v, Decimal):
        return f"{v:,.2f}".replace(",", "\u202f")
    return f"{v:,}".replace(",", "\u202f")


def _chart(fig: Figure) -> str:
    labels = [r.label for r in fig.rows]
    title = fig.title
    mark = str(HIDDEN)
    if fig.chart == "histogram":
        return charts.histogram(labels, fig.column(0), title=title, suppressed_text=mark)
    if fig.chart == "time":
        return charts.time_bars(labels, [(fig.columns[0], fig.column(0))], line=fig.column(1),
                                line_name=fig.line, title=title, suppressed_text=mark)
    if fig.chart == "time_stacked":
        return charts.time_bars(labels, [(c, fig.column(i)) for i, c in enumerate(fig.columns)], title=title,
                                suppressed_text=mark)
    if fig.key == "remains_time":
        return charts.bar(labels, [None if v is None else int(v or 0) for v in fig.column(2)], title=title,
                          suppressed_text=mark)
    if fig.key == "remains_samples":
        enough = [None if a is None or b is None else a - b for a, b in zip(fig.column(0), fig.column(1),
                                                                            strict=True)]
        return charts.stacked_bar(labels, [(fig.columns[1], fig.column(1)), (_("Enough"), enough)], title=title,
                                  suppressed_text=mark)
    if fig.key == "aftercare":
        not_overdue = [None if o is None or d is None else o - d for o, d in zip(fig.column(0), fig.column(1),
                                                                                   strict=True)]
        return charts.stacked_bar(labels, [(fig.columns[1], fig.column(1)), (_("Open, not overdue"), not_overdue)],
                                  title=title, suppressed_text=mark)
    if fig.money:
        rows = [r for r in fig.rows if r.label != _("Total")]
        return charts.stacked_bar([r.label for r in rows], [
            (fig.columns[i], [None if r.cells[i] is None else int(r.cells[i]) for r in rows]) for i in (1, 2, 3)],
            title=title, suppressed_text=mark)
    if len(fig.columns) == 1:
        return charts.bar(labels, fig.column(0), title=title, suppressed_text=mark)
    return charts.stacked_bar(labels, [(c, fig.column(i)) for i, c in enumerate(fig.columns)], title=title,
                              suppressed_text=mark)


def hides_small_numbers(fig: Figure, user) -> bool:
    """Whether ``user`` sees ``fig`` with small numbers hidden: the leadership always; the figures of
    forensic work everyone who may not read forensic data."""
    return not can_drill(user) or (fig.forensic and not user.has_perm(VIEW_FORENSIC))


def present(fig: Figure, user, rng: Range) -> dict:
    drill = can_drill(user) and not fig.forensic
    if hides_small_numbers(fig, user):
        fig = selectors.suppress(fig)
    rows = []
    for row in fig.rows:
        cells = []
        for i, v in enumerate(row.cells):
            target = row.drill[i] if drill and i < len(row.drill) else None
            cells.append({"text": _fmt(v), "url": _drill_url(target, rng) if v else ""})
        rows.append({"label": row.label, "cells": cells, "link": row.link})
    return {"figure": fig, "svg": mark_safe(_chart(fig)), "rows": rows,  # noqa: S308 - built from escaped parts
            "csv_url": reverse("reports:csv", args=[fig.key]) + ("?" + urlencode(rng.params) if rng.params else "")}


# --- pages ----------------------------------------------------------------------------------------------

@route("")
def dashboard(request):
    require_all(request, VIEW_DASHBOARD)
    form, rng = _range(request)
    figures = [present(f, request.user, rng) for f in selectors.dashboard(rng)]
    return render(request, "reports/dashboard.html", {
        "form": form, "figures": figures, "range": rng, "can_drill": can_drill(request.user),
        "threshold": selectors.SMALL_NUMBER, "hidden_mark": HIDDEN})


@route("csv/<slug:key>/", name="csv")
def figure_csv(request, key):
    require_all(request, VIEW_DASHBOARD)
    fn = selectors.FIGURES.get(key)
    if fn is None:
        raise Http404
    form, rng = _range(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest("; ".join(m for ms in form.errors.values() for m in ms),
                                      content_type="text/plain; charset=utf-8")
    fig = selectors.figure(key, rng)
    if hides_small_numbers(fig, request.user):
        fig = selectors.suppress(fig)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = "-".join([key, *rng.params.values()])
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow([fig.label_header, *fig.columns])
    for row in fig.rows:
        writer.writerow([row.label, *(HIDDEN if v is None else v for v in row.cells)])
    reads.figure_csv_read(actor(request), key, rng.params, request=request)
    return response


@route("persons/")
def persons(request):
    """The persons behind one cell of a figure: permission-checked and audited like the register."""
    require_all(request, VIEW_DASHBOARD)
    if not can_drill(request.user):
        raise PermissionDenied
    form, rng = _range(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest("; ".join(m for ms in form.errors.values() for m in ms),
                                      content_type="text/plain; charset=utf-8")
    params = {k: v for k, v in request.GET.items() if k not in ("start", "end", "page")}
    try:
        qs = selectors.persons_behind(params, rng)
    except selectors.BadDrill as exc:
        return render(request, "reports/persons.html", {"error": str(exc)}, status=400)
    total = qs.count()
    page = reads.persons_page_for_reading(actor(request), qs, request.GET.get("page"), PAGE_SIZE, params, rng.params,
                                          request=request)
    query = urlencode({k: v for k, v in request.GET.items() if k != "page"})
    return render(request, "reports/persons.html", {"page": page, "total": total, "query": query,
                                                    "params": params, "range": rng})


# --- exchange reports ------------------------------------------------------------------------------------

GROUP_LABELS = {
    "returned_as_listed": gettext_lazy("Returned as listed"),
    "listed_not_returned": gettext_lazy("Listed but not returned"),
    "returned_unlisted": gettext_lazy("Returned without being listed"),
    "considered_missing": gettext_lazy("Had been considered missing until that day"),
    "handed_over": gettext_lazy("Handed over as listed"),
    "not_handed_over": gettext_lazy("Listed but not handed over"),
    "handed_over_unlisted": gettext_lazy("Handed over without being listed"),
}


def _fact_figures(facts_list: list[dict], key_prefix: str) -> list[Figure]:
    """The communiqué's figures (summed over ``facts_list``, one per stage) as plain figures."""
    categories, branches, directions, ranks, sexes = Counter(), Counter(), Counter(), Counter(), Counter()
    names = {}
    for f in facts_list:
        for c, n in f["categories"]:
            categories[c.pk] += n
            names[("c", c.pk)] = c.name
        for b, n in f["branches"]:
            branches[b.pk] += n
            names[("b", b.pk)] = b.name
        for d, n in f["directions"]:
            directions[d.pk] += n
            names[("d", d.pk)] = d.name
        ranks.update(f["rank_categories"])
        sexes.update(f["sexes"])

    def fig(key, title, header, counter, label_of):
        rows = [Row(label_of(k), [n]) for k, n in counter.most_common() if n]
        return Figure(f"{key_prefix}{key}", title, "", "bar", header, [_("Persons")], rows)

    return [
        fig("categories", _("Returned by category"), _("Category"), categories, lambda k: names[("c", k)]),
        fig("branches", _("Returned by branch"), _("Branch"), branches, lambda k: names[("b", k)]),
        fig("directions", _("Returned by front direction"), _("Front direction"), directions,
            lambda k: names[("d", k)]),
        fig("ranks", _("Returned by rank category"), _("Rank category"), ranks, lambda k: str(RankCategory(k).label)),
        fig("sexes", _("Returned by sex"), _("Sex"), sexes, lambda k: str(Sex(k).label)),
    ]


def _groups_figure(exchanges: list[Exchange], user) -> Figure:
    rows = []
    for key, label in GROUP_LABELS.items():
        cells, drill = [], []
        for ex in exchanges:
            group = (ex.report or {}).get("groups", {}).get(key, [])
            cells.append(len(group))
            drill.append({"to": "reports", "figure": "exchange_group", "exchange": ex.pk, "group": key})
        rows.append(Row(str(label), cells, drill))
    columns = [_("Stage %(n)s") % {"n": ex.number} for ex in exchanges]
    return Figure("reconciliation", _("Reconciliation report"), "", "bar" if len(exchanges) == 1 else "stacked",
                  _("Group"), columns, rows)


def _summary(facts_list: list[dict]) -> dict:
    ages_y = [f["youngest"] for f in facts_list if f["youngest"] is not None]
    ages_o = [f["oldest"] for f in facts_list if f["oldest"] is not None]
    return {"returned": sum(f["returned"] for f in facts_list),
            "unlisted": sum(f["unlisted"] for f in facts_list),
            "missing": sum(f["missing"] for f in facts_list),
            "youngest": min(ages_y, default=None), "oldest": max(ages_o, default=None),
            "longest_years": max((f["longest_years"] for f in facts_list), default=0),
            "withheld": any(f["withheld"] for f in facts_list)}


def _small_summary(summary: dict, user) -> dict:
    if can_drill(user):
        return summary
    out = dict(summary)
    for key in ("returned", "unlisted", "missing"):
        if selectors._small(out[key]):
            out[key] = None
    if out["returned"] is None or (out["returned"] or 0) < selectors.SMALL_NUMBER:
        out["youngest"] = out["oldest"] = None  # ages of a handful of persons point at them
    return out


@route("exchanges/<int:pk>/", name="exchange")
def exchange_report(request, pk):
    require_all(request, VIEW_DASHBOARD)
    exchange = get_object_or_404(Exchange.objects.select_related("agreement"), pk=pk)
    reconciled = exchange.status == ExchangeStatus.RECONCILED and exchange.report
    context = {"exchange": exchange, "agreement": exchange.agreement, "reconciled": reconciled,
               "can_drill": can_drill(request.user), "hidden_mark": HIDDEN}
    if reconciled:
        facts = communique_facts(exchange)
        rng = Range()
        figures = [_groups_figure([exchange], request.user), *_fact_figures([facts], "x")]
        context["figures"] = [present(f, request.user, rng) for f in figures]
        context["summary"] = _small_summary(_summary([facts]), request.user)
        published = Communique.objects.filter(exchange=exchange).first()
        lang = language()
        context["communique"] = (getattr(published, f"text_{lang}") if published
                                 else communique_text(exchange, lang))
        context["published"] = published
    reads.exchange_report_read(actor(request), exchange, request=request)
    return render(request, "reports/exchange_report.html", context)


@route("agreements/<int:pk>/", name="agreement")
def agreement_report(request, pk):
    require_all(request, VIEW_DASHBOARD)
    agreement = get_object_or_404(Agreement, pk=pk)
    stages = list(agreement.exchanges.order_by("number"))
    reconciled = [ex for ex in stages if ex.status == ExchangeStatus.RECONCILED and ex.report]
    facts_list = [communique_facts(ex) for ex in reconciled]
    rng = Range()
    figures = []
    if reconciled:
        returned_rows, total = [], 0
        for ex, f in zip(reconciled, facts_list, strict=True):
            total += f["returned"]
            returned_rows.append(Row(f"{ex.number} · {ex.carried_out_on.isoformat()}", [f["returned"], total],
                                     link=reverse("reports:exchange", args=[ex.pk])))
        figures.append(Figure("stages", _("Persons returned per stage, with the running total"), "", "time",
                              _("Stage"), [_("Returned"), _("Running total")], returned_rows,
                              line=_("Running total")))
        figures.append(_groups_figure(reconciled, request.user))
        figures += _fact_figures(facts_list, "a")
    reads.agreement_report_read(actor(request), agreement, request=request)
    return render(request, "reports/agreement_report.html", {
        "agreement": agreement, "stages": stages, "reconciled": reconciled,
        "figures": [present(f, request.user, rng) for f in figures],
        "summary": _small_summary(_summary(facts_list), request.user) if facts_list else None,
        "can_drill": can_drill(request.user), "hidden_mark": HIDDEN})


@route("exchanges/")
def exchange_index(request):
    """Every agreement with its stages: the way into the exchange reports."""
    require_all(request, VIEW_DASHBOARD)
    agreements = Agreement.objects.prefetch_related("exchanges").order_by("-date", "-id")
    return render(request, "reports/exchange_index.html", {"agreements": agreements})
