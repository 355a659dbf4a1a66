"""No N+1: the number of SQL queries of each list page is the same with 3 rows as with 30.

Each test builds its rows through the services, opens the page once to warm up (session, role
caches), counts the queries of the page with a few rows, adds many more rows, counts again:
the two counts must be equal, and under a ceiling (so a new per-page query is noticed too).
The load test (bench/load) found the pages these tests guard; speed itself is measured there.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 30
SURNAMES = ["Петренко", "Коваленко", "Бондаренко", "Шевченко", "Ткаченко", "Кравченко", "Олійник", "Мельник",
            "Шевчук", "Поліщук"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def assert_flat(client, url: str, add, ceiling: int) -> None:
    """``add(n)`` adds n rows that ``url`` shows; its query count must not change with them."""
    add(FEW)
    client.get(url)
    few = queries_of(client, url)
    add(MANY - FEW)
    many = queries_of(client, url)
    assert few == many, f"{url}: {few} queries with {FEW} rows, {many} with {MANY}"
    assert many <= ceiling, f"{url}: {many} queries, more than {ceiling}"


@pytest.fixture
def registrar(make_user):
    return make_user("registrar")


@pytest.fixture
def new_persons(registrar):
    from homecoming.registry import services

    made = []

    def _add(n: int, *, last: str | None = None, status: str = "missing", **fields):
        for _ in range(n):
            i = len(made)
            person = services.create_person(registrar, {
                "last_name": last or SURNAMES[i % len(SURNAMES)], "first_name": "Олександр",
                "patronymic": "Миколайович", "birth_date": dt.date(1990, 1, 1) + dt.timedelta(days=37 * i),
                "sex": "male", **fields,
            }, initial_event={"status": status, "effective_date": dt.date(2023, 5, 1),
                              "source_kind": "family_application", "source_reference": f"application {i}"})
            made.append(person)
        return made

    return _add


def test_register_list_and_search(client_for, new_persons):
    c = client_for("registrar")
    # 14 + the 5 of the audit event that records who saw which rows (savepoint, head lock, insert,
    # head update, release): the same 5 on every audited list below
    assert_flat(c, reverse("registry:person_list"), lambda n: new_persons(n), ceiling=19)


def test_register_search_by_name(client_for, new_persons):
    c = client_for("registrar")
    assert_flat(c, reverse("registry:person_list") + "?q=Петренко",
                lambda n: new_persons(n, last="Петренко"), ceiling=19)


def test_person_page_with_many_events_and_names(client_for, new_persons, registrar):
    from homecoming.registry import services

    person = new_persons(1)[0]

    def add(n):
        for i in range(n):
            services.add_status_event(registrar, person.pk, status="captivity_confirmed",
                                      effective_date=dt.date(2023, 6, 1) + dt.timedelta(days=i),
                                      source_kind="unit_report", source_reference=f"report {i}")
            services.add_alternative_name(registrar, person.pk, last_name=f"Петренко{chr(1072 + i % 30)}",
                                          first_name="Олександр", script="uk")

    assert_flat(client_for("registrar"), reverse("registry:person_detail", args=[person.pk]), add, ceiling=18)


def test_incoming_list_review_queue(client_for, new_persons, make_user):
    from homecoming.intake import services
    from homecoming.intake.models import IncomingList

    persons = new_persons(MANY)
    analyst = make_user("analyst")
    made = {"n": 0}

    def add(n):
        # Each call imports a new list; the page of the newest list shows all its rows.
        made["n"] += n
        lines = ["ФИО;Дата рождения"] + [f"{p.last_name.upper()} Александр Николаевич;"
                                         f"{p.birth_date.strftime('%d.%m.%Y')}" for p in persons[:made["n"]]]
        job = services.stage_upload(analyst, content="\n".join(lines).encode(), filename=f"list{made['n']}.csv",
                                    kind="list", source_kind="other_side_list", source_reference=f"list {n}",
                                    list_date="2025-06-10")
        services.start_import(analyst, job.pk, only_valid=True)

    c = client_for("analyst")
    add(FEW)
    url = reverse("intake:list_review", args=[IncomingList.objects.latest("pk").pk]) + "?show=all"
    c.get(url)
    few = queries_of(c, url)
    add(MANY - FEW)
    url = reverse("intake:list_review", args=[IncomingList.objects.latest("pk").pk]) + "?show=all"
    many = queries_of(c, url)
    assert few == many <= 17, (few, many)
    assert queries_of(c, reverse("intake:list_index")) <= 11


def test_inquiry_list(client_for, make_user):
    from homecoming.families import services
    from homecoming.families.models import FiledVia

    registrar = make_user("registrar")

    def add(n):
        for i in range(n):
            services.file_inquiry(registrar, {
                "last_name": SURNAMES[i % len(SURNAMES)], "first_name": "Олександр", "inquirer_name": "Олена",
                "relation": "mother", "phone": f"+38044{i:07d}", "language": "uk", "consent": True,
            }, via=FiledVia.STAFF)

    assert_flat(client_for("registrar"), reverse("families:inquiry_list") + "?state=all", add, ceiling=16)


def test_agreements_and_a_stage_with_many_entries(client_for, make_user, new_persons):
    from homecoming.exchanges import services

    negotiator = make_user("negotiator")
    agreement = services.create_agreement(negotiator, {"title": "Istanbul, 2 June 2025", "date": "2025-06-02",
                                                       "place": "Istanbul", "parties": "Ukraine; Russian Federation"})
    category = services.create_category(negotiator, agreement.pk, {
        "name_uk": "усі", "name_en": "all", "rule": {"=": [{"field": "side"}, "ours"]},
        "trade_rule": "all_for_all"})
    stage = services.create_exchange(negotiator, agreement.pk)
    persons = new_persons(MANY, status="captivity_confirmed")
    on_list = {"n": 0}

    def add_entries(n):
        ids = [p.pk for p in persons[on_list["n"]:on_list["n"] + n]]
        on_list["n"] += n
        services.add_entries(negotiator, stage.pk, category.pk, ids, require_eligible=False)

    c = client_for("negotiator")
    assert_flat(c, reverse("exchanges:exchange_detail", args=[stage.pk]), add_entries, ceiling=21)

    def add_agreements(n):
        for i in range(n):
            services.create_agreement(negotiator, {"title": f"Agreement {i}", "date": "2025-05-16",
                                                   "place": "Istanbul", "parties": "Ukraine; Russian Federation"})

    assert_flat(c, reverse("exchanges:agreement_list"), add_agreements, ceiling=12)


def test_audit_log(client_for):
    from homecoming.audit.services import record

    def add(n):
        for i in range(n):
            record("test", "test.event", object_type="thing", object_id=i, details={"i": i})

    assert_flat(client_for("administrator"), reverse("audit:event_list"), add, ceiling=15)


def test_start_page_does_not_grow_with_the_register(client_for, new_persons):
    assert_flat(client_for("registrar", "analyst", "negotiator"), reverse("home"), lambda n: new_persons(n),
                ceiling=8)


def test_register_filter_lists_are_read_without_server_side_cursors(client_for, new_persons):
    """Branches, directions and operations fill the filter form with one plain query each (no
    DECLARE ... CURSOR on PostgreSQL: three round trips for a dozen rows), and are all offered."""
    from homecoming.registry.models import Branch

    new_persons(1)
    c = client_for("registrar")
    with CaptureQueriesContext(connection) as ctx:
        html = c.get(reverse("registry:person_list")).content.decode()
    assert not [q["sql"] for q in ctx.captured_queries if "DECLARE" in q["sql"]]
    assert Branch.objects.exists()
    for branch in Branch.objects.all():
        assert f'<option value="{branch.pk}">' in html
