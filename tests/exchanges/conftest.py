"""Fixtures for exchanges: a small register made through the register's services, an agreement
with the two Istanbul categories, and a negotiator."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.exchanges import services
from homecoming.registry import services as registry

SERIOUS = {"in": [{"field": "medical_category"}, ["seriously_wounded", "seriously_ill"]]}
UNDER_25 = {"≤": [{"age_on": "2025-06-09"}, 24]}


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def registrar(make_user):
    return make_user("registrar")


@pytest.fixture
def negotiator(make_user):
    return make_user("negotiator")


@pytest.fixture
def make_person(registrar):
    """make_person(last, first, side="ours", history=[("missing", date), ...], **fields)."""
    counter = {"n": 0}

    def _make(last="Петренко", first="Олександр", *, side="ours", history=None, **fields):
        counter["n"] += 1
        if history is None:
            history = [("captivity_confirmed", dt.date(2023, 1, 10))] if side == "ours" else [
                ("held", dt.date(2024, 3, 1))]
        data = {"last_name": last, "first_name": first, "side": side, "sex": "male", **fields}
        for key in ("birth_date", "incident_date"):
            if isinstance(data.get(key), dt.date):
                data[key] = data[key].isoformat()
        person = registry.create_person(registrar, data)
        for status, day in history:
            registry.add_status_event(registrar, person.pk, status=status, effective_date=day,
                                      source_kind="unit_report", source_reference=f"report {counter['n']}")
        person.refresh_from_db()
        return person

    return _make


@pytest.fixture
def agreement(negotiator):
    a = services.create_agreement(negotiator, {"title": "Istanbul, 2 June 2025", "date": "2025-06-02",
                                               "place": "Istanbul", "parties": "Ukraine; Russian Federation",
                                               "mediator": "Türkiye"})
    services.create_category(negotiator, a.pk, {"name_uk": "тяжкопоранені та тяжкохворі",
                                                "name_en": "seriously wounded and seriously ill",
                                                "rule": SERIOUS, "trade_rule": "all_for_all"})
    services.create_category(negotiator, a.pk, {"name_uk": "до 25 років", "name_en": "under 25",
                                                "rule": UNDER_25, "trade_rule": "n_for_n"})
    return a


@pytest.fixture
def categories(agreement):
    serious, young = agreement.categories.order_by("position")
    return serious, young
