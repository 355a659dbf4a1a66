"""Fixtures for remains: a forensic expert, a registrar, persons, a transfer and remains, all made
through the services (synthetic data only)."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.registry import services as registry_services
from homecoming.remains import services


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def registrar(make_user):
    return make_user("registrar")


@pytest.fixture
def expert(make_user):
    return make_user("forensic_expert")


@pytest.fixture
def make_person(registrar):
    def _make(last="Тестенко", first="Арсеній", patronymic="Вигаданович", *, status="missing",
              status_date=dt.date(2023, 5, 1), **fields):
        data = {"last_name": last, "first_name": first, "patronymic": patronymic, **fields}
        initial = None
        if status:
            initial = {"status": status, "effective_date": status_date, "source_kind": "unit_report",
                       "source_reference": "synthetic unit report"}
        return registry_services.create_person(registrar, data, initial_event=initial)

    return _make


@pytest.fixture
def transfer(expert):
    return services.record_transfer(expert, received_on=dt.date(2025, 6, 14), place="Synthetic crossing",
                                    declared_count=3, received_count=3, documents="3 synthetic lists")


@pytest.fixture
def remains(expert, transfer):
    return services.record_remains(expert, transfer.pk, other_side_label="Б-17", sex="male", age_min=25,
                                   age_max=35, height_min_cm=175, height_max_cm=185, hair="brown",
                                   declared_place="Synthetic village", declared_date=dt.date(2025, 3, 1))
