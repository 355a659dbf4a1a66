import pytest

from tests.returnees import *  # noqa: F403  (returnee fixtures shared with the aftercare tests)


@pytest.fixture
def initial_data():
    """Transactional tests start from an emptied database: put the migrations' data back."""
    import importlib

    from django.apps import apps

    importlib.import_module("homecoming.aftercare.migrations.0002_plan_template").forwards(apps, None)
    importlib.import_module("homecoming.payments.migrations.0002_initial_rules").forwards(apps, None)
