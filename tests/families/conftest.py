"""Fixtures for families: persons and inquiries made through the services (synthetic data only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from homecoming.families import services as family_services
from homecoming.registry import services as registry_services


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FAMILIES_HOTLINE = "+380 00 000 0000"
    mail.outbox = []


@pytest.fixture
def registrar(make_user):
    return make_user("registrar")


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


def inquiry_data(**overrides) -> dict:
    data = {
        "last_name": "Тестенко", "first_name": "Арсеній", "patronymic": "Вигаданович", "birth_date": "1995",
        "service_number": "", "unit": "", "incident_date": "2023-04-20", "incident_place": "",
        "circumstances": "", "inquirer_name": "Олена Тестенко", "relation": "mother", "phone": "+380501112233",
        "email": "family@example.org", "language": "en", "consent": True,
    }
    data.update(overrides)
    return data


@pytest.fixture
def file_inquiry(db):
    """file_inquiry(**overrides) -> Filed(inquiry, secret, emailed), filed by a family on the portal."""

    def _file(**overrides):
        return family_services.file_inquiry(None, inquiry_data(**overrides))

    return _file


@pytest.fixture
def add_event(registrar, django_capture_on_commit_callbacks):
    """add_event(person, status): add a status event and run what waits for the commit."""

    def _add(person, status, date=dt.date(2024, 1, 10), **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return registry_services.add_status_event(registrar, person.pk, status=status, effective_date=date,
                                                      source_kind="other_side_list",
                                                      source_reference="SECRET-LIST-7 colony Olenivka",
                                                      note="held in building 4", **kwargs)

    return _add


@pytest.fixture
def linked(file_inquiry, make_person, registrar):
    """(person, filed): an inquiry linked to a person of the register; no message sent yet."""
    person = make_person()
    filed = file_inquiry()
    family_services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    mail.outbox = []
    return person, filed

