"""``homecoming serve``: gunicorn times out requests that run too long, a dead task worker is
started again, the supervisor closes imports whose worker died, and /healthz reports workers."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone

from homecoming.core.management.commands.serve import gunicorn_args
from homecoming.core.models import WorkerBeat
from homecoming.core.workers import Supervisor, beat

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - a local test server
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
        return type(exc).__name__


def test_serve_runs_sync_workers_with_a_request_timeout():
    args = gunicorn_args("127.0.0.1:8000", 5, 60)
    assert args[args.index("--worker-class") + 1] == "sync"  # gthread has no request timeout
    assert args[args.index("--timeout") + 1] == "60"
    assert "--threads" not in args  # more than one thread would switch gunicorn to gthread


def test_a_request_that_runs_too_long_is_cut_off_and_the_server_goes_on():
    """The same gunicorn command line, on a tiny application whose /slow never ends in time: the
    stuck worker is replaced after the timeout and the next request is served."""
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    args = gunicorn_args(f"127.0.0.1:{port}", 1, 2, app="tests.core.slow_wsgi:app")
    proc = subprocess.Popen([str(gunicorn), *args], cwd=ROOT, stdout=subprocess.DEVNULL,  # noqa: S603
                            stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        for _ in range(100):
            if _get(f"http://127.0.0.1:{port}/fast", 2) == 200:
                break
            time.sleep(0.1)
        started = time.monotonic()
        slow = _get(f"http://127.0.0.1:{port}/slow", 30)
        assert slow != 200  # cut off: the worker running it was killed, not left to run 60 s
        assert time.monotonic() - started < 30
        assert _get(f"http://127.0.0.1:{port}/fast", 10) == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def test_the_supervisor_starts_a_dead_worker_again_and_does_its_periodic_work():
    ticks = []
    supervisor = Supervisor({"task worker": [sys.executable, "-c", "import time; time.sleep(60)"]},
                            tick=lambda: ticks.append(1), tick_seconds=0, restart_delay=0)
    supervisor.start()
    try:
        first = supervisor.children["task worker"]
        assert supervisor.poll() == [] and ticks == [1]
        first.kill()
        first.wait()
        assert supervisor.poll() == ["task worker"]
        second = supervisor.children["task worker"]
        assert second.pid != first.pid and second.poll() is None
        assert supervisor.restarts["task worker"] == 1 and len(ticks) == 2
    finally:
        supervisor.stop()


@pytest.mark.django_db
def test_healthz_reports_the_workers(client, settings):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok",
                                             "workers": {"alive": 0, "waiting_tasks": 0}}
    beat("host-a:1")
    beat("host-b:2")
    WorkerBeat.objects.filter(name="host-b:2").update(beat_at=timezone.now() - dt.timedelta(minutes=5))
    assert client.get("/healthz").json()["workers"] == {"alive": 1, "waiting_tasks": 0}


@pytest.mark.django_db
def test_healthz_says_degraded_when_tasks_wait_and_no_worker_is_alive(client, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from homecoming.intake.tasks import check_file

    result = check_file.enqueue(1)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - dt.timedelta(minutes=5))
    data = client.get("/healthz").json()
    assert data["status"] == "degraded" and data["workers"] == {"alive": 0, "waiting_tasks": 1}
    beat()
    assert client.get("/healthz").json()["status"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_reports_itself_alive(tmp_path):
    """``homecoming task_worker`` writes its heartbeat while it runs (and removes it when stopped)."""
    from tests.crash import ChildDatabase

    db = ChildDatabase(tmp_path)
    child = db.homecoming("task_worker", "--no-startup-delay")
    try:
        for _ in range(150):
            if db.query("SELECT count(*) FROM core_workerbeat")[0][0]:
                break
            time.sleep(0.2)
        rows = db.query("SELECT name FROM core_workerbeat")
        assert rows and rows[0][0].endswith(f":{child.pid}")
    finally:
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=30)
