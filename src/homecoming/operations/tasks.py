"""The one task of every background operation (django-tasks; immediate backend in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_operation(operation_id: int) -> str:
    from .runner import run

    return run(operation_id)
