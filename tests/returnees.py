"""Shared by the aftercare and payments tests (their conftests import it).

Returnees made the way the system makes them: register services, then the exchanges app's
``persons_returned`` and ``person_returned`` signals (as its reconciliation sends them)."""

from __future__ import annotations

import datetime as dt

import pytest


class FakeExchange:
    """Stands for an ``exchanges.Exchange``: the receivers read only ``pk`` and ``str()``."""

    def __init__(self, pk=7, label="Istanbul 2025 · 2"):
        self.pk, self.label = pk, label

    def __str__(self):
        return self.label


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


def letters(n: int) -> str:
    """A number written in letters (a name holds no digits): 1 -> "б", 12 -> "бв"."""
    return "".join("абвгґдежзи"[int(d)] for d in str(n))


@pytest.fixture
def make_returnee(registrar, negotiator):
    """make_returnee(captured=..., returned=..., signal=True) -> a person whose register history
    is missing (captured) -> returned; with ``signal`` the signals of a reconciliation are sent
    (``persons_returned`` with this one person, then ``person_returned``)."""
    from homecoming.exchanges.signals import person_returned, persons_returned
    from homecoming.registry import services

    counter = {"n": 0}

    def _make(last="Тестовий", first=None, *, captured=dt.date(2022, 4, 15), returned=dt.date(2024, 5, 31),
              status="returned", signal=True, exchange=None):
        counter["n"] += 1
        person = services.create_person(
            registrar, {"last_name": last, "first_name": first or f"Синтетичний{letters(counter['n'])}",
                        "incident_date": captured},
            initial_event={"status": "missing", "effective_date": captured, "source_kind": "unit_report"})
        services.add_status_event(registrar, person.pk, status=status, effective_date=returned,
                                  source_kind="exchange_record")
        person.refresh_from_db()
        if signal and status == "returned":
            exchange = exchange or FakeExchange()
            persons_returned.send(sender=FakeExchange, returns=[(person, returned)], exchange=exchange,
                                  actor=negotiator)
            person_returned.send(sender=FakeExchange, person=person, exchange=exchange, returned_on=returned,
                                 actor=negotiator)
        return person

    return _make


@pytest.fixture
def client_for(client_for):
    """The project's client_for, reading pages in English (the default language is Ukrainian)."""

    def _client(*roles, **fields):
        client = client_for(*roles, **fields)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _client
