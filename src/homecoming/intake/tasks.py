"""Background tasks (django-tasks; the database backend in production, immediate in tests)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django_tasks import task


@task()
def import_file(job_id: int, user_id: int | None) -> str:
    """Run a queued import as the user who confirmed it."""
    from .services import run_import

    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    job = run_import(job_id, actor)
    return job.state


@task()
def check_file(job_id: int) -> str:
    """Read and check an uploaded file (never in the web request)."""
    from .services import check_job

    return check_job(job_id).state
