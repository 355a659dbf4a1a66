"""``homecoming serve``: the application under gunicorn, plus one background-task worker beside it.

Static files are served by whitenoise from the collected ``var/static``. The task worker
(``homecoming task_worker``: imports, linkage runs, notifications) is supervised: when it dies it
is started again, and every 20 s the imports whose worker died are closed so that they can be
retried (homecoming.core.workers). More workers can run on other machines against the same
PostgreSQL with ``homecoming task_worker``.

gunicorn runs *sync* workers with ``--timeout``: a request that runs longer than that has its
worker process killed and replaced (the client gets an error, the server keeps its capacity).
gunicorn's threaded workers (gthread) have no such limit: a thread stuck in one request stays
stuck, which is how ten small hostile workbooks once took the login page down.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


def gunicorn_args(bind: str, workers: int, timeout: int, app: str = "homecoming.wsgi:application") -> list[str]:
    """The gunicorn command line (without the program): sync workers that are killed and replaced
    when one request runs longer than ``timeout`` seconds."""
    return [
        app,
        "--bind", bind,
        "--workers", str(workers),
        "--worker-class", "sync",
        "--timeout", str(timeout),
        "--graceful-timeout", "10",
        "--access-logfile", "-",
        "--preload",  # load the application (and its name tables) once, then fork
    ]


class Command(BaseCommand):
    help = "Serve the application with gunicorn and run a supervised background-task worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        # Worker processes carry the load: a page is CPU in Python. Measured with bench.load on 2
        # cores (30 staff users): 5 processes of 1 thread served 83 requests/s at p95 350 ms, 3 x 2
        # threads 86 at 280 ms, 2 x 4 59 at 560 ms. One thread per process keeps the request timeout
        # (sync workers); behind the documented proxy a slow client does not hold a process.
        parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                            help="gunicorn worker processes (default: 2 x cores + 1)")
        parser.add_argument("--timeout", type=int, default=int(getattr(settings, "REQUEST_TIMEOUT", 60)),
                            help="seconds a request may run before its worker is replaced (default: "
                                 "REQUEST_TIMEOUT, 60)")
        parser.add_argument("--no-task-worker", action="store_true")

    def handle(self, *args, bind, workers, timeout, no_task_worker, **options):
        from homecoming.core.workers import Supervisor
        from homecoming.intake.services import recover_interrupted
        from homecoming.operations.services import recover_all

        def tick():  # imports and background operations whose worker died are closed as interrupted
            recover_interrupted()
            recover_all()

        bin_dir = Path(sys.executable).parent
        supervisor = Supervisor({} if no_task_worker else {"task worker": [str(bin_dir / "homecoming"),
                                                                           "task_worker"]},
                                tick=tick)
        supervisor.start()
        gunicorn = subprocess.Popen([str(bin_dir / "gunicorn"), *gunicorn_args(bind, workers, timeout)])  # noqa: S603
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)
            if gunicorn.poll() is None:
                gunicorn.terminate()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while gunicorn.poll() is None:
            if not stopping:
                supervisor.poll()
            time.sleep(1)
        code = gunicorn.wait()
        supervisor.stop()
        if code not in (0, -signal.SIGINT, -signal.SIGTERM):
            raise SystemExit(code)
