"""Fixtures for the audit viewer's tests: a person made through the register's services."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_person(make_user):
    from homecoming.registry import services

    registrar = make_user("registrar")

    def _make(last="Тестовенко", first="Вигадан"):
        return services.create_person(registrar, {"last_name": last, "first_name": first})

    return _make
