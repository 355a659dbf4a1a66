"""Every figure of the dashboard against counts made here independently (Python loops over the
objects), the date range, small-number suppression for the leadership, the CSV downloads, and
the permissions of the drill-downs."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homecoming.aftercare.models import Task
from homecoming.audit.models import AuditEvent
from homecoming.exchanges.models import Crossing
from homecoming.payments.models import Due, LedgerEntry
from homecoming.registry.models import Person, StatusEvent
from homecoming.reports import selectors
from homecoming.reports.selectors import BINS, Range
from tests.returnees import letters

pytestmark = pytest.mark.django_db

HELD = {"captivity_confirmed", "on_exchange_list"}
RETURNED = {"returned", "released_other"}


def table(figure) -> dict[str, list]:
    return {row.label: row.cells for row in figure.rows}


def persons():
    return list(Person.objects.filter(merged_into__isnull=True).select_related("rank", "branch", "direction"))


def in_range(day, rng: Range) -> bool:
    if rng.start is None and rng.end is None:
        return True
    return day is not None and (rng.start is None or day >= rng.start) and (rng.end is None or day <= rng.end)


RANGES = [Range(), Range(dt.date(2023, 1, 1), dt.date(2024, 12, 31)), Range(dt.date(2024, 1, 1), None)]


@pytest.mark.parametrize("rng", RANGES)
def test_register_by_status_and_side(world, rng):
    expected = Counter((p.current_status, p.side) for p in persons() if in_range(p.incident_date, rng))
    got = table(selectors.register_by_status(rng))
    from homecoming.registry.models import Status

    for status in Status:
        label = str(status.label)
        want = [expected[(status.value, "ours")], expected[(status.value, "enemy")]]
        assert got.get(label, [0, 0]) == want, label
    assert sum(sum(c) for c in got.values()) == sum(expected.values())


@pytest.mark.parametrize("rng", RANGES)
def test_status_changes_by_month_leave_out_corrected_events(world, rng):
    events = list(StatusEvent.objects.filter(person__side="ours"))
    corrected = {e.corrects_id for e in events if e.corrects_id}
    expected = Counter((e.effective_date.strftime("%Y-%m"), e.status) for e in events
                       if e.pk not in corrected and in_range(e.effective_date, rng))
    fig = selectors.status_changes_by_month(rng)
    got = Counter()
    for row in fig.rows:
        for column, n in zip(fig.columns, row.cells, strict=True):
            if n:
                got[(row.label, column)] = n
    from homecoming.registry.models import Status

    assert got == Counter({(m, str(Status(s).label)): n for (m, s), n in expected.items()})
    # the corrected "returned" of 2024-04 is not counted
    assert ("2024-04", "Returned") not in got


@pytest.mark.parametrize("rng", [Range(), Range(dt.date(2025, 6, 1), None), Range(None, dt.date(2025, 1, 1))])
def test_returned_per_exchange_with_running_total(world, rng):
    per_stage = Counter(c.exchange_id for c in Crossing.objects.select_related("person", "exchange")
                        if c.person.side == "ours" and in_range(c.exchange.carried_out_on, rng))
    fig = selectors.returned_per_exchange(rng)
    stages = [s for s in world["stages"] if per_stage[s.pk]]
    assert [row.cells[0] for row in fig.rows] == [per_stage[s.pk] for s in stages]
    running = 0
    for row, stage in zip(fig.rows, stages, strict=True):
        running += per_stage[stage.pk]
        assert row.cells[1] == running
        assert row.link == f"/reports/exchanges/{stage.pk}/"
    if rng.start is None and rng.end is None:
        assert [r.cells for r in fig.rows] == [[6, 6], [2, 8]]


def bin_of(days: int) -> int:
    for i, (lo, hi, _label) in enumerate(BINS):
        if days >= lo and (hi is None or days < hi):
            return i
    raise AssertionError(days)


@pytest.mark.parametrize("rng", RANGES)
def test_time_in_captivity_of_those_held_and_returned(world, rng):
    today = timezone.localdate()
    held = Counter(bin_of((today - p.incident_date).days) for p in persons()
                   if p.side == "ours" and p.current_status in HELD and p.incident_date
                   and in_range(p.incident_date, rng))
    returned = Counter(bin_of((p.current_status_date - p.incident_date).days) for p in persons()
                       if p.side == "ours" and p.current_status in RETURNED and p.incident_date
                       and in_range(p.current_status_date, rng))
    assert [r.cells[0] for r in selectors.captivity_held(rng).rows] == [held[i] for i in range(len(BINS))]
    assert [r.cells[0] for r in selectors.captivity_returned(rng).rows] == [returned[i] for i in range(len(BINS))]
    if rng.start is None:
        assert sum(returned.values()) == 9  # 8 from the exchanges, 1 released by other means


def group_of(status: str) -> str:
    if status == "missing":
        return "missing"
    if status in HELD:
        return "held"
    if status in RETURNED:
        return "returned"
    return "other"


@pytest.mark.parametrize("rng", RANGES)
def test_breakdowns_by_branch_direction_rank_and_medical_category(world, rng):
    ours = [p for p in persons() if p.side == "ours" and in_range(p.incident_date, rng)]
    dims = {
        selectors.by_branch: lambda p: p.branch.name if p.branch_id else "Not recorded",
        selectors.by_direction: lambda p: p.direction.name if p.direction_id else "Not recorded",
        selectors.by_rank: lambda p: {"private": "Private", "nco": "Non-commissioned officer",
                                      "officer": "Officer"}.get(p.effective_rank_category, "Not recorded"),
        selectors.by_medical: lambda p: p.get_medical_category_display(),
    }
    for fn, label_of in dims.items():
        expected = Counter((label_of(p), group_of(p.current_status)) for p in ours)
        got = table(fn(rng))
        assert {(label, g): n for label, cells in got.items() for g, n in zip(selectors.GROUP_KEYS, cells,
                                                                                  strict=True) if n} \
            == dict(expected), fn.__name__
    if rng.start is None:
        # the officer's rank category comes from the rank when the person's own field is blank
        assert table(selectors.by_rank(rng))["Officer"] == [0, 1, 0, 0]


@pytest.mark.parametrize("rng", RANGES)
def test_missing_persons_later_confirmed_or_returned(world, rng):
    expected = Counter(p.get_current_status_display() for p in persons()
                       if p.was_missing and p.current_status not in ("", "missing") and in_range(p.incident_date, rng))
    fig = selectors.missing_resolved(rng)
    assert {k: v[0] for k, v in table(fig).items()} == dict(expected)
    still = sum(1 for p in persons() if p.was_missing and p.current_status == "missing"
                and in_range(p.incident_date, rng))
    assert f"Still missing: {still}." in fig.note


@pytest.mark.parametrize("rng", [Range(), Range(dt.date(2025, 6, 1), dt.date(2025, 7, 15))])
def test_aftercare_tasks_open_and_overdue(world, rng):
    today = dt.date(2025, 7, 1)
    tasks = [t for t in Task.objects.all() if t.state in ("open", "in_progress") and in_range(t.due_date, rng)]
    assert tasks, "the returns opened cases with tasks"
    expected = {}
    for t in tasks:
        row = expected.setdefault(t.get_kind_display(), [0, 0])
        row[0] += 1
        row[1] += t.due_date < today
    assert table(selectors.aftercare_tasks(rng, as_of=today)) == expected


@pytest.mark.parametrize("rng", [Range(), Range(dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
                                 Range(dt.date(2025, 1, 1), dt.date(2025, 4, 1))])
def test_payments_owed_approved_and_paid(world, rng):
    rows: dict[str, dict] = {}
    for due in Due.objects.select_related("entitlement"):
        ent = due.entitlement
        if not in_range(ent.return_date, rng):
            continue
        row = rows.setdefault(ent.exchange_label, {"owed": Decimal("0"), "approved": Decimal("0"),
                                                   "paid": Decimal("0"), "persons": set()})
        row["persons"].add(ent.person_id)
        entry = LedgerEntry.objects.filter(due=due).select_related("batch").first()
        if entry is None:
            row["owed"] += due.amount
        elif entry.batch.state == "paid":
            row["paid"] += entry.amount
        else:
            row["approved"] += entry.amount
    got = table(selectors.payments(rng))
    for label, row in rows.items():
        shown = label or "No exchange (released by other means)"
        assert got[shown] == [len(row["persons"]), row["owed"], row["approved"], row["paid"]], shown
    if rows:
        total = got["Total"]
        assert total[1:] == [sum((r[k] for r in rows.values()), Decimal("0")) for k in ("owed", "approved", "paid")]
    assert len(got) == len(rows) + (1 if rows else 0)


def test_the_dashboard_runs_a_fixed_number_of_queries(world, client_for, make_user):
    from homecoming.registry import services as registry

    client = client_for("analyst")
    client.get("/reports/")  # the first request reads the account's access and starts its clock
    with CaptureQueriesContext(connection) as small:
        assert client.get("/reports/").status_code == 200
    for i in range(30):
        p = registry.create_person(world["registrar"], {"last_name": f"Ще{letters(i)}", "first_name": "Тест",
                                                        "incident_date": "2024-02-02",
                                                        "branch": world["branches"][i % 3].code})
        registry.add_status_event(world["registrar"], p.pk, status="missing", effective_date="2024-02-02",
                                  source_kind="unit_report")
    with CaptureQueriesContext(connection) as large:
        assert client.get("/reports/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) < 30


# --- pages, suppression and permissions --------------------------------------------------------------------

def test_dashboard_page_shows_every_figure_with_chart_table_and_csv(remains_world, client_for):
    html = client_for("analyst").get("/reports/").content.decode()
    for key in selectors.FIGURES:
        assert f'id="figure-{key}"' in html
        assert f'href="/reports/csv/{key}/"' in html
    assert html.count("<svg") == len(selectors.FIGURES)
    assert html.count('role="img"') == len(selectors.FIGURES)
    assert "<title id=" in html and "<desc id=" in html
    # the analyst sees every number, but for the counts of forensic work (tests/reports/test_remains.py)
    assert '<td class="num">c</td>' not in html.split('id="figure-remains"')[0]
    # drill-downs: to the register list where it filters the same way, else the reports list
    assert 'href="/persons/?status=missing&amp;side=ours"' in html
    assert 'href="/persons/?missing_then_found=on&amp;status=returned"' in html
    assert "/reports/persons/?figure=by_branch" in html


def test_leadership_sees_small_numbers_suppressed_and_no_drill_down(world, client_for):
    client = client_for("leadership")
    response = client.get("/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="suppression-note"' in html
    assert "/reports/persons/" not in html and "/persons/?" not in html
    fig = selectors.suppress(selectors.register_by_status(Range()))
    got = table(fig)
    raw = table(selectors.register_by_status(Range()))
    for label, cells in raw.items():
        assert got[label] == [None if 0 < n < 5 else n for n in cells]
    assert got["Captivity confirmed"][0] == raw["Captivity confirmed"][0] >= 5
    assert got["Held"] == [0, None]  # none of ours: a zero is shown; 3 enemy prisoners: suppressed
    # the running total is recomputed from what is shown: stage 2 (2 persons) hidden, total stays 6
    returned = selectors.suppress(selectors.returned_per_exchange(Range()))
    assert [r.cells for r in returned.rows] == [[6, 6], [None, 6]]
    # money of rows of fewer than 5 persons is hidden, and the total is of what is shown
    money = table(selectors.suppress(selectors.payments(Range())))
    assert all(v is None for label, cells in money.items() if label != "Total" for v in cells)
    assert money["Total"] == [0, Decimal("0.00"), Decimal("0.00"), Decimal("0.00")]
    assert '<td class="num">c</td>' in html  # the mark of a hidden number ("к" in Ukrainian)


def test_csv_download_has_the_table_and_suppression(world, client_for):
    analyst = client_for("analyst")
    response = analyst.get("/reports/csv/register/")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Status", "Our persons", "Enemy prisoners of war"]
    fig = table(selectors.register_by_status(Range()))
    assert {r[0]: [int(x) for x in r[1:]] for r in rows[1:]} == fig
    leader = client_for("leadership")
    rows = list(csv.reader(io.StringIO(leader.get("/reports/csv/register/").content.decode())))
    assert {r[0]: r[1:] for r in rows[1:]}["Held"] == ["0", "c"]
    assert AuditEvent.objects.filter(action="reports.csv_download", object_id="register").count() == 2
    ranged = analyst.get("/reports/csv/returned/", {"start": "2025-06-01"})
    assert 'filename="returned-2025-06-01.csv"' in ranged["Content-Disposition"]
    assert len(list(csv.reader(io.StringIO(ranged.content.decode())))) == 2  # header and stage 2


def test_bad_input_is_refused_clearly_and_changes_nothing(world, client_for):
    client = client_for("analyst")
    before = AuditEvent.objects.count()
    html = client.get("/reports/", {"start": "2025-06-01", "end": "2025-01-01"}).content.decode()
    assert "error-summary" in html and "The end of the range is before its start." in html
    html = client.get("/reports/", {"start": "not-a-date"}).content.decode()
    assert "error-summary" in html and "Enter a valid date." in html
    response = client.get("/reports/csv/register/", {"start": "2025-06-01", "end": "2025-01-01"})
    assert response.status_code == 400 and "before its start" in response.content.decode()
    assert client.get("/reports/csv/nonsense/").status_code == 404
    for params in ({"figure": "nonsense"}, {"figure": "held_time", "bin": "99"}, {"figure": "held_time", "bin": "x"},
                   {"figure": "by_branch", "value": "1", "group": "spies"}, {"figure": "aftercare", "kind": "x"},
                   {"figure": "status_changes", "month": "2025-13", "status": "returned"},
                   {"figure": "status_changes", "month": "2025-05", "status": "flying"},
                   {"figure": "exchange_group", "exchange": "999999", "group": "returned_as_listed"}):
        response = client.get("/reports/persons/", params)
        assert response.status_code == 400, params
        assert "error-summary" in response.content.decode()
    assert AuditEvent.objects.count() == before  # nothing recorded for refused requests


def test_drill_down_lists_exactly_the_persons_counted_and_is_audited(world, client_for):
    client = client_for("analyst")
    p = world["persons"]
    branch0 = world["branches"][0]
    response = client.get("/reports/persons/", {"figure": "by_branch", "value": branch0.pk, "group": "held"})
    assert response.status_code == 200
    listed = {x.pk for x in response.context["page"].object_list}
    expected = {x.pk for x in persons() if x.side == "ours" and x.branch_id == branch0.pk
                and x.current_status in HELD}
    assert listed == expected and len(listed) == table(selectors.by_branch(Range()))[branch0.name][1]
    event = AuditEvent.objects.filter(action="reports.persons_view").latest("id")
    assert sorted(event.details["persons"]) == sorted(listed)
    assert event.actor_id == client.user.pk
    # the held-time bin and the exchange group lead to the same persons as their counts
    fig = selectors.captivity_held(Range())
    for i, row in enumerate(fig.rows):
        response = client.get("/reports/persons/", {"figure": "held_time", "bin": i})
        assert response.context["total"] == row.cells[0]
    stage1 = world["stages"][0]
    response = client.get("/reports/persons/", {"figure": "exchange_group", "exchange": stage1.pk,
                                                "group": "listed_not_returned"})
    assert [x.pk for x in response.context["page"].object_list] == [p["not_back"].pk]
    response = client.get("/reports/persons/", {"figure": "returned", "exchange": stage1.pk})
    assert response.context["total"] == 6
    # a month of status changes: the persons with a live event of that status in that month
    response = client.get("/reports/persons/", {"figure": "status_changes", "month": "2024-04",
                                                "status": "returned"})
    assert response.context["total"] == 0  # the corrected "returned" does not count
    response = client.get("/reports/persons/", {"figure": "status_changes", "month": "2025-05",
                                                "status": "returned"})
    assert {x.pk for x in response.context["page"].object_list} == {p[f"ret{i}"].pk for i in range(6)}
    response = client.get("/reports/persons/", {"figure": "payments", "exchange": "none"})
    assert [x.pk for x in response.context["page"].object_list] == [p["released"].pk]


@pytest.mark.parametrize("role, dashboard, persons_list", [
    ("analyst", 200, 200), ("negotiator", 200, 200), ("administrator", 200, 403), ("leadership", 200, 403),
    ("registrar", 403, 403), ("finance_officer", 403, 403), ("case_worker", 403, 403),
])
def test_permissions_of_the_dashboard_and_the_drill_downs(world, client_for, role, dashboard, persons_list):
    client = client_for(role)
    assert client.get("/reports/").status_code == dashboard
    response = client.get("/reports/persons/", {"figure": "held_time", "bin": 4})
    assert response.status_code == persons_list
    if persons_list == 403:
        assert not AuditEvent.objects.filter(action="reports.persons_view").exists()
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ('href="/reports/"' in html) is (dashboard == 200)


def test_anonymous_is_sent_to_login(client):
    for path in ("/reports/", "/reports/persons/?figure=held_time&bin=1", "/reports/csv/register/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_leadership_has_no_person_pages(world, client_for):
    client = client_for("leadership")
    person = world["persons"]["held0"]
    assert client.get("/persons/").status_code == 403
    assert client.get(f"/persons/{person.pk}/").status_code == 403
