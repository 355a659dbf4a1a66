"""The exchanges API: the whole flow, permissions per role, errors that name the field, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from homecoming.audit.models import AuditEvent
from homecoming.exchanges.models import Agreement, Exchange, ListEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(make_user):
    def _api(role):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")  # the assertions read English reasons
        client.force_authenticate(make_user(role))
        return client

    return _api


def test_flow_through_the_api(api_as, make_person):
    api = api_as("negotiator")
    ours = make_person("Петренко", "Олександр", birth_date=dt.date(2003, 5, 17), incident_date=dt.date(2022, 5, 1),
                       history=[("missing", dt.date(2022, 5, 1)), ("captivity_confirmed", dt.date(2022, 7, 1))])
    enemy = make_person("Иванов", "Иван", side="enemy", birth_date=dt.date(2004, 1, 1))
    r = api.post("/api/v1/agreements/", {"title": "Istanbul", "date": "2025-06-02", "place": "Istanbul"},
                 format="json")
    assert r.status_code == 201, r.json()
    agreement = r.json()["id"]
    rule = {"≤": [{"age_on": "2025-06-09"}, 24]}
    r = api.post("/api/v1/rules/check/", {"rule": rule}, format="json")
    assert r.status_code == 200 and r.json()["ours"]["eligible_count"] == 1
    assert r.json()["ours"]["eligible"][0]["reasons"] == ["age 22 on 2025-06-09 (≤ 24)"]
    r = api.post(f"/api/v1/agreements/{agreement}/categories/",
                 {"name_uk": "до 25", "name_en": "under 25", "rule": rule, "trade_rule": "n_for_n"}, format="json")
    assert r.status_code == 201
    category = r.json()["id"]
    r = api.get(f"/api/v1/categories/{category}/pool/?side=enemy")
    assert r.json()["eligible_count"] == 1 and r.json()["results"][0]["person"] == enemy.pk
    r = api.post("/api/v1/exchanges/", {"agreement": agreement, "planned_date": "2025-06-12"}, format="json")
    assert r.status_code == 201
    exchange = r.json()["id"]
    r = api.post(f"/api/v1/exchanges/{exchange}/entries/", {"category": category, "persons": [ours.pk],
                                                            "effective_date": "2025-06-05"}, format="json")
    assert r.status_code == 201
    r = api.get(f"/api/v1/exchanges/{exchange}/")
    assert r.json()["balances"][0]["balanced"] is False
    api.post(f"/api/v1/exchanges/{exchange}/entries/", {"category": category, "persons": [enemy.pk],
                                                        "effective_date": "2025-06-05"}, format="json")
    assert api.get(f"/api/v1/exchanges/{exchange}/").json()["balances"][0]["balanced"] is True
    r = api.post(f"/api/v1/exchanges/{exchange}/counter-list/",
                 {"rows": [{"last_name": "Петренко", "first_name": "Александр", "birth_date": "17.05.2003"}]},
                 format="json")
    assert r.status_code == 200 and r.json()["confirmed"] == 1
    entry = ListEntry.objects.get(person=enemy)
    r = api.post(f"/api/v1/entries/{entry.pk}/state/", {"state": "returned"}, format="json")
    assert r.status_code == 400 and "state" in r.json()["errors"]
    api.post(f"/api/v1/entries/{entry.pk}/state/", {"state": "confirmed"}, format="json")
    for status in ("lists_sent", "lists_agreed"):
        assert api.post(f"/api/v1/exchanges/{exchange}/status/", {"status": status}, format="json").status_code == 200
    r = api.post(f"/api/v1/exchanges/{exchange}/status/", {"status": "carried_out"}, format="json")
    assert r.status_code == 400 and "carried_out_on" in r.json()["errors"]
    api.post(f"/api/v1/exchanges/{exchange}/status/", {"status": "carried_out", "carried_out_on": "2025-06-12"},
             format="json")
    r = api.post(f"/api/v1/exchanges/{exchange}/crossings/", {"all_confirmed": True}, format="json")
    assert sorted(r.json()["recorded"]) == sorted([ours.pk, enemy.pk])
    assert api.get(f"/api/v1/exchanges/{exchange}/communique?lang=en").status_code == 409
    r = api.post(f"/api/v1/exchanges/{exchange}/reconcile/")
    assert r.status_code == 200 and [x["person"] for x in r.json()["groups"]["considered_missing"]] == [ours.pk]
    assert api.post(f"/api/v1/exchanges/{exchange}/reconcile/").status_code == 409
    r = api.get(f"/api/v1/exchanges/{exchange}/communique?lang=en")
    assert r.status_code == 200 and "1 defender returned home" in r.json()["text"]
    assert "1 of those released had been considered missing." in r.json()["text"]
    r = api.get(f"/api/v1/exchanges/{exchange}/communique?lang=uk")
    assert "повернувся 1 захисник" in r.json()["text"] and r.json()["published"] is False
    assert api.get(f"/api/v1/exchanges/{exchange}/communique?lang=de").status_code == 400
    assert api.post(f"/api/v1/exchanges/{exchange}/communique/publish/").status_code == 201
    assert api.get(f"/api/v1/exchanges/{exchange}/communique?lang=uk").json()["published"] is True
    assert api.get(f"/api/v1/exchanges/{exchange}/report/").status_code == 200
    assert AuditEvent.objects.filter(action="exchange.report_view").exists()
    assert AuditEvent.objects.filter(action="category.pool_view").exists()


@pytest.mark.parametrize("role", ["registrar", "analyst", "medical_officer", "case_worker", "finance_officer",
                                  "administrator"])
def test_other_roles_get_403(api_as, role, negotiator):
    from homecoming.exchanges import services

    agreement = services.create_agreement(negotiator, {"title": "x", "date": "2025-06-02"})
    exchange = services.create_exchange(negotiator, agreement.pk)
    api = api_as(role)
    for url in ("/api/v1/agreements/", f"/api/v1/agreements/{agreement.pk}/", f"/api/v1/exchanges/{exchange.pk}/",
                f"/api/v1/exchanges/{exchange.pk}/entries/", f"/api/v1/exchanges/{exchange.pk}/communique?lang=uk"):
        assert api.get(url).status_code == 403, url
    assert api.post("/api/v1/agreements/", {"title": "y", "date": "2025-06-02"}, format="json").status_code == 403
    assert api.post(f"/api/v1/exchanges/{exchange.pk}/reconcile/").status_code == 403
    assert Agreement.objects.count() == 1


def test_anonymous_is_refused():
    assert APIClient().get("/api/v1/agreements/").status_code in (401, 403)


def test_bad_input_names_the_field_and_changes_nothing(api_as):
    api = api_as("negotiator")
    r = api.post("/api/v1/agreements/", {"title": "", "date": "02.06.2025"}, format="json")
    assert r.status_code == 400 and set(r.json()["errors"]) == {"title", "date"}
    r = api.post("/api/v1/agreements/", ["not", "an", "object"], format="json")
    assert r.status_code == 400
    r = api.post("/api/v1/rules/check/", {"rule": {"and": [{"≤": [{"age_on": "2025-06-09"}, "x"]}]}}, format="json")
    assert r.status_code == 400 and r.json()["errors"]["rule"][0].startswith('$.and[0]["≤"][1]')
    assert not Agreement.objects.exists() and not Exchange.objects.exists()
