"""The exchange report of a stage and of an agreement: the reconciliation groups and the
communiqué's figures, with suppression for the leadership and drill-downs for the others."""

from __future__ import annotations

from collections import Counter

import pytest

from homecoming.audit.models import AuditEvent
from homecoming.exchanges import services as exchanges
from homecoming.exchanges.models import Crossing

pytestmark = pytest.mark.django_db


def figure(response, key):
    return next(p for p in response.context["figures"] if p["figure"].key == key)


def cells(p):
    return {row["label"]: [c["text"] for c in row["cells"]] for row in p["rows"]}


def test_stage_report_counts_the_reconciliation_and_the_returnees(world, client_for):
    stage1 = world["stages"][0]
    client = client_for("analyst")
    response = client.get(f"/reports/exchanges/{stage1.pk}/")
    assert response.status_code == 200
    groups = cells(figure(response, "reconciliation"))
    stage1.refresh_from_db()
    for key, rows in stage1.report["groups"].items():
        from homecoming.reports.views import GROUP_LABELS

        assert groups[str(GROUP_LABELS[key])] == [str(len(rows))], key
    assert groups["Returned as listed"] == ["6"] and groups["Listed but not returned"] == ["1"]
    returnees = [c.person for c in Crossing.objects.filter(exchange=stage1).select_related("person__branch")]
    branches = Counter(p.branch.name for p in returnees if p.branch_id)
    assert {k: int(v[0]) for k, v in cells(figure(response, "xbranches")).items()} == dict(branches)
    ranks = cells(figure(response, "xranks"))
    assert ranks == {"Non-commissioned officer": ["6"]}
    summary = response.context["summary"]
    assert summary["returned"] == 6 and summary["missing"] == 6  # all six had been missing before captivity
    html = response.content.decode()
    assert "reports/reports.css" in html and "@media print" not in html  # the print rules live in the stylesheet
    assert 'id="communique"' in html and "defenders" in html
    assert f"figure=exchange_group&amp;exchange={stage1.pk}&amp;group=listed_not_returned" in html
    assert AuditEvent.objects.filter(action="reports.exchange_report_view", object_id=str(stage1.pk)).exists()


def test_stage_report_for_the_leadership_hides_small_numbers_and_persons(world, client_for):
    stage2 = world["stages"][1]
    response = client_for("leadership").get(f"/reports/exchanges/{stage2.pk}/")
    assert response.status_code == 200
    groups = cells(figure(response, "reconciliation"))
    assert groups["Returned as listed"] == ["c"]  # two persons: hidden
    assert response.context["summary"]["returned"] is None
    assert '<dd id="summary-returned">c</dd>' in response.content.decode()  # the mark of a hidden number
    assert response.context["summary"]["youngest"] is None
    html = response.content.decode()
    assert "/reports/persons/" not in html and "/persons/" not in html


def test_agreement_report_sums_its_stages(world, client_for):
    agreement = world["agreement"]
    response = client_for("negotiator").get(f"/reports/agreements/{agreement.pk}/")
    assert response.status_code == 200
    stages = cells(figure(response, "stages"))
    assert list(stages.values()) == [["6", "6"], ["2", "8"]]
    groups = cells(figure(response, "reconciliation"))
    assert groups["Returned as listed"] == ["6", "2"]
    assert groups["Listed but not returned"] == ["1", "0"]
    assert response.context["summary"]["returned"] == 8
    categories = cells(figure(response, "acategories"))
    assert categories == {"everyone": ["8"]}


def test_a_stage_not_reconciled_says_so(world, client_for):
    third = exchanges.create_exchange(world["negotiator"], world["agreement"].pk, planned_date="2025-07-01")
    response = client_for("analyst").get(f"/reports/exchanges/{third.pk}/")
    assert response.status_code == 200
    assert 'id="not-reconciled"' in response.content.decode()
    assert client_for("analyst").get("/reports/exchanges/999999/").status_code == 404
    assert client_for("analyst").get("/reports/agreements/999999/").status_code == 404


def test_exchange_reports_need_the_dashboard_permission(world, client_for):
    stage1 = world["stages"][0]
    for role in ("registrar", "case_worker", "finance_officer", "medical_officer"):
        client = client_for(role)
        assert client.get(f"/reports/exchanges/{stage1.pk}/").status_code == 403
        assert client.get(f"/reports/agreements/{world['agreement'].pk}/").status_code == 403
        assert client.get("/reports/exchanges/").status_code == 403
    index = client_for("leadership").get("/reports/exchanges/").content.decode()
    assert f'href="/reports/exchanges/{stage1.pk}/"' in index
