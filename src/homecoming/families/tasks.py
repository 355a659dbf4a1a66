"""Background work of the families app (django-tasks; the immediate backend in tests)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_notification(notification_id: int) -> str:
    from .services import deliver_notification as deliver

    return deliver(notification_id)
