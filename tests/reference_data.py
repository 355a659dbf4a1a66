"""The migrations' reference data, for tests that start from an emptied database."""

from __future__ import annotations


def restore_reference_data() -> None:
    """Put the migrations' reference data back (branches, directions, ranks, plan templates,
    payment rules; each loader is idempotent). A transactional (browser) test may start from a
    database an earlier transactional test emptied; whatever builds on the reference lists there
    (the demo, a report's world) calls this first."""
    import importlib

    from django.apps import apps

    importlib.import_module("homecoming.registry.migrations.0002_reference_data").load(apps, None)
    importlib.import_module("homecoming.aftercare.migrations.0002_plan_template").forwards(apps, None)
    importlib.import_module("homecoming.payments.migrations.0002_initial_rules").forwards(apps, None)
