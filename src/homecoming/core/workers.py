"""Background-task workers: their heartbeat, and a supervisor that keeps them running.

``homecoming task_worker`` is django-tasks-db's ``db_worker`` with a heartbeat: a thread writes
the worker's row (:class:`~homecoming.core.models.WorkerBeat`) every ``BEAT_SECONDS`` through its
own database connection. ``/healthz`` reports the workers heard from within ``ALIVE_SECONDS``.
(On SQLite one long import holds the only write lock, so its worker's beats wait meanwhile; the
worker can then look silent for as long as that transaction lasts.)

:class:`Supervisor` is what ``homecoming serve`` runs beside gunicorn: it starts the task
worker, starts it again when it dies (killed, out of memory), and every ``RECOVER_SECONDS`` closes
the imports whose worker died (``intake.services.recover_interrupted``) so that they can be retried.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import threading
import time
from collections.abc import Callable

from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone

from homecoming.common.workers import worker_name

BEAT_SECONDS = 10
ALIVE_SECONDS = 60
RECOVER_SECONDS = 20
log = logging.getLogger("homecoming.workers")


def beat(name: str | None = None, started_at: dt.datetime | None = None) -> None:
    from .models import WorkerBeat

    now = timezone.now()
    WorkerBeat.objects.update_or_create(name=name or worker_name(),
                                        defaults={"beat_at": now}, create_defaults={"beat_at": now,
                                                                                    "started_at": started_at or now})


def forget(name: str | None = None) -> None:
    from .models import WorkerBeat

    WorkerBeat.objects.filter(name=name or worker_name()).delete()


def alive_workers() -> int:
    from .models import WorkerBeat

    return WorkerBeat.objects.filter(beat_at__gte=timezone.now() - dt.timedelta(seconds=ALIVE_SECONDS)).count()


class Heartbeat(threading.Thread):
    """Beats every ``interval`` seconds until stopped; a failed beat (a locked or unreachable
    database) is tried again at the next one."""

    def __init__(self, interval: float = BEAT_SECONDS):
        super().__init__(name="homecoming-heartbeat", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()
        self.name_ = worker_name()
        self.started = timezone.now()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    close_old_connections()
                    beat(self.name_, self.started)
                except DatabaseError:
                    log.warning("worker heartbeat not written (the database is busy or unreachable)")
                self.stopped.wait(self.interval)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()


class Supervisor:
    """Keeps child processes running: ``commands`` maps a name to its command line. ``tick``
    (called every ``tick_seconds`` by :meth:`poll`) does periodic work, such as closing imports
    whose worker died."""

    def __init__(self, commands: dict[str, list[str]], *, tick: Callable[[], object] | None = None,
                 tick_seconds: float = RECOVER_SECONDS, restart_delay: float = 1.0):
        self.commands = commands
        self.children: dict[str, subprocess.Popen] = {}
        self.tick, self.tick_seconds = tick, tick_seconds
        self.restart_delay = restart_delay
        self.restarts: dict[str, int] = dict.fromkeys(commands, 0)
        self._last_tick = 0.0

    def start(self) -> None:
        for name in self.commands:
            self._spawn(name)

    def _spawn(self, name: str) -> None:
        self.children[name] = subprocess.Popen(self.commands[name])  # noqa: S603 - our own commands

    def poll(self) -> list[str]:
        """Start again every child that ended; run the tick when it is due. Returns the names
        started again."""
        restarted = []
        for name, child in list(self.children.items()):
            code = child.poll()
            if code is None:
                continue
            self.restarts[name] += 1
            log.error("%s (pid %s) ended with %s; starting it again (restart %s)", name, child.pid, code,
                      self.restarts[name])
            time.sleep(min(self.restart_delay * self.restarts[name], 30))  # a worker that dies at once: slower
            self._spawn(name)
            restarted.append(name)
        if self.tick is not None and time.monotonic() - self._last_tick >= self.tick_seconds:
            self._last_tick = time.monotonic()
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the supervisor must go on supervising
                log.exception("periodic work of the supervisor failed")
        return restarted

    def stop(self, timeout: float = 15) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        for child in self.children.values():
            try:
                child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                child.kill()
