"""``homecoming task_worker``: django-tasks-db's ``db_worker`` with a heartbeat, so that
``/healthz`` can say whether background work (imports, notifications) is being done."""

import contextlib

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from homecoming.core.workers import Heartbeat, forget


class Command(DbWorkerCommand):
    help = "Run a background-task worker that reports itself alive (see /healthz)."

    def handle(self, *args, **options):
        heartbeat = Heartbeat()
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
            with contextlib.suppress(Exception):  # stopping anyway; the row goes stale by itself
                forget(heartbeat.name_)
