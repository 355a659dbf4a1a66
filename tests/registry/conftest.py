"""Fixtures for the register: users by role and persons made through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.registry import services


@pytest.fixture
def registrar(make_user):
    return make_user("registrar")


@pytest.fixture
def make_person(registrar):
    """make_person(last, first, patronymic="", **fields) -> a person created by a registrar,
    with a first "missing" event unless ``status=None``."""

    def _make(last="Петренко", first="Олександр", patronymic="Миколайович", *, status="missing",
              status_date=dt.date(2023, 5, 1), actor=None, **fields):
        data = {"last_name": last, "first_name": first, "patronymic": patronymic, **fields}
        initial = None
        if status:
            initial = {"status": status, "effective_date": status_date, "source_kind": "family_application",
                       "source_reference": "application 1"}
        return services.create_person(actor or registrar, data, initial_event=initial)

    return _make


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are read in English here (requests choose their own language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
