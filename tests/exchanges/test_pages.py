"""The pages: permissions per role, the rule editor's check before saving, the whole flow by form posts."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.exchanges import services
from homecoming.exchanges.models import Category, Communique, Exchange, ListEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def negotiator_client(client, negotiator):
    client.force_login(negotiator)
    client.cookies["homecoming_language"] = "en"  # assertions below read English messages
    return client


@pytest.mark.parametrize(("role", "status"), [("negotiator", 200), ("registrar", 403), ("analyst", 403),
                                              ("medical_officer", 403), ("case_worker", 403),
                                              ("finance_officer", 403), ("administrator", 403)])
def test_pages_per_role(client_for, agreement, categories, negotiator, role, status):
    exchange = services.create_exchange(negotiator, agreement.pk)
    c = client_for(role)
    for url in (reverse("exchanges:agreement_list"), reverse("exchanges:agreement_detail", args=[agreement.pk]),
                reverse("exchanges:category_pool", args=[categories[0].pk]),
                reverse("exchanges:exchange_detail", args=[exchange.pk]),
                reverse("exchanges:category_edit", args=[categories[0].pk])):
        assert c.get(url).status_code == status, url
    response = c.post(reverse("exchanges:agreement_create"), {"title": "x", "date": "2025-06-02"})
    assert response.status_code == status if status == 403 else response.status_code == 302


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("exchanges:agreement_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_rule_editor_checks_and_shows_the_result_before_saving(negotiator_client, agreement, make_person):
    make_person("Молодий", "Іван", birth_date=dt.date(2002, 1, 1))
    make_person("Старший", "Іван", birth_date=dt.date(2000, 6, 1))
    url = reverse("exchanges:category_create", args=[agreement.pk])
    data = {"name_uk": "до 25", "name_en": "under 25", "trade_rule": "n_for_n", "ratio_receive": 1,
            "ratio_hand_over": 1, "rule": json.dumps({"≤": [{"age_on": "2025-06-09"}, 24]})}
    response = negotiator_client.post(url, {**data, "check": "1"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Молодий" in text and "Старший" in text and "must be ≤ 24" in text
    assert agreement.categories.count() == 2  # nothing saved by a check
    assert AuditEvent.objects.filter(action="category.preview").exists()
    response = negotiator_client.post(url, {**data, "save": "1"})
    assert response.status_code == 302
    assert agreement.categories.count() == 3


@pytest.mark.parametrize(("rule", "message"), [
    ("{not json", "not valid JSON"),
    (json.dumps({"≤": [{"age_on": "2025-02-30"}, 24]}), "$[&quot;≤&quot;][0].age_on"),
    (json.dumps({"=": [{"field": "colour"}, "red"]}), "Unknown field"),
])
def test_rule_editor_refuses_bad_rules_and_saves_nothing(negotiator_client, agreement, rule, message):
    url = reverse("exchanges:category_create", args=[agreement.pk])
    response = negotiator_client.post(url, {"name_uk": "x", "name_en": "x", "trade_rule": "all_for_all",
                                            "ratio_receive": 1, "ratio_hand_over": 1, "rule": rule, "save": "1"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Category.objects.count() == 2


def test_whole_flow_by_forms(negotiator_client, negotiator, agreement, categories, make_person):
    serious, _ = categories
    ours = make_person("Петренко", "Олександр", patronymic="Миколайович", birth_date=dt.date(1990, 5, 17),
                       medical_category="seriously_wounded", incident_date=dt.date(2022, 5, 17),
                       history=[("missing", dt.date(2022, 5, 17)), ("captivity_confirmed", dt.date(2022, 8, 1))])
    enemy = make_person("Иванов", "Иван", side="enemy", medical_category="seriously_ill")
    response = negotiator_client.post(reverse("exchanges:agreement_detail", args=[agreement.pk]),
                                      {"planned_date": "2025-06-12"})
    exchange = Exchange.objects.get()
    assert response.status_code == 302
    pool_url = reverse("exchanges:category_pool", args=[serious.pk]) + f"?side=ours&stage={exchange.pk}"
    assert "Петренко" in negotiator_client.get(pool_url).content.decode()
    add = reverse("exchanges:exchange_add", args=[exchange.pk])
    negotiator_client.post(add, {"category": serious.pk, "person": [ours.pk]})
    negotiator_client.post(add, {"category": serious.pk, "side": "enemy", "all": "1"})
    assert ListEntry.objects.count() == 2
    page = negotiator_client.get(reverse("exchanges:exchange_detail", args=[exchange.pk])).content.decode()
    assert "Петренко" in page and "Иванов" in page
    csv_file = io.BytesIO("full_name;birth_date\nПЕТРЕНКО Александр Николаевич;17.05.1990\n".encode())
    csv_file.name = "theirs.csv"
    negotiator_client.post(reverse("exchanges:counter_list", args=[exchange.pk]), {"file": csv_file})
    assert ListEntry.objects.get(person=ours).state == "confirmed"
    entry = ListEntry.objects.get(person=enemy)
    negotiator_client.post(reverse("exchanges:entry_state", args=[entry.pk]), {"state": "confirmed"})
    status = reverse("exchanges:exchange_status", args=[exchange.pk])
    negotiator_client.post(status, {"status": "lists_sent"})
    negotiator_client.post(status, {"status": "lists_agreed"})
    # the entries were typed today, the exchange was on 12 June 2025: refused, then an exception
    refused = negotiator_client.post(status, {"status": "carried_out", "carried_out_on": "2025-06-12"})
    assert refused.status_code == 409 and "persons were put on the lists after 2025-06-12" in refused.content.decode()
    exchange.refresh_from_db()
    assert exchange.status == "lists_agreed"
    negotiator_client.post(status, {"status": "carried_out", "carried_out_on": "2025-06-12",
                                    "exception_reason": "Typed from the paper list afterwards"})
    negotiator_client.post(reverse("exchanges:crossings", args=[exchange.pk]), {"all_confirmed": "1"})
    reconcile = reverse("exchanges:reconcile", args=[exchange.pk])
    preview = negotiator_client.get(reconcile).content.decode()
    assert "Петренко" in preview and "Иванов" in preview  # every name, per outcome
    response = negotiator_client.post(reconcile)  # no fingerprint: a forged or stale click
    assert response.status_code == 409
    exchange.refresh_from_db()
    assert exchange.status == "carried_out"
    fingerprint = re.search(r'name="confirm" value="(\w+)"', preview).group(1)
    response = negotiator_client.post(reconcile, {"confirm": fingerprint})
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.status == "reconciled"
    report = negotiator_client.get(reverse("exchanges:report", args=[exchange.pk])).content.decode()
    assert "Петренко" in report
    url = reverse("exchanges:communique", args=[exchange.pk])
    text = negotiator_client.get(url).content.decode()
    assert "1 defender returned home" in text and "повернувся 1 захисник" in text
    fingerprint = re.search(r'name="confirm" value="(\w+)"', text).group(1)
    negotiator_client.post(url, {"confirm": fingerprint})  # without ticking that both texts were read
    assert not Communique.objects.filter(exchange=exchange).exists()
    negotiator_client.post(url, {"confirm": fingerprint, "read": "yes"})
    assert Communique.objects.filter(exchange=exchange).exists()


def test_counter_list_upload_errors_name_the_row(negotiator_client, negotiator, agreement):
    exchange = services.create_exchange(negotiator, agreement.pk)
    bad = io.BytesIO(b"surname,given\nA,B\n")
    bad.name = "x.csv"
    response = negotiator_client.post(reverse("exchanges:counter_list", args=[exchange.pk]), {"file": bad},
                                      follow=True)
    assert "Row 1 (the header)" in response.content.decode()
    bad = io.BytesIO(b"last_name,first_name\nA,B,C\n")
    bad.name = "x.csv"
    response = negotiator_client.post(reverse("exchanges:counter_list", args=[exchange.pk]), {"file": bad},
                                      follow=True)
    assert "Row 2 has 3 columns" in response.content.decode()


def test_a_typo_in_a_rule_is_explained_in_the_pages_language(client, negotiator, agreement):
    """Issue 19: a typo in a rule showed the parser's English ("Expecting ',' delimiter") on a
    Ukrainian page."""
    client.force_login(negotiator)
    url = reverse("exchanges:category_create", args=[agreement.pk])
    data = {"name_uk": "Тест", "name_en": "Test", "rule": '{"and": [1 2]}', "trade_rule": "all_for_all",
            "ratio_receive": 1, "ratio_hand_over": 1, "editor": "json", "save": "1"}
    client.cookies["homecoming_language"] = "uk"
    page = client.post(url, data).content.decode()
    assert "бракує коми" in page and "Expecting" not in page
    client.cookies["homecoming_language"] = "en"
    assert "a comma is missing" in client.post(url, data).content.decode()
    assert Category.objects.count() == 2
