"""``homecoming serve``: the application under gunicorn, plus one background-task worker.

Static files are served by whitenoise from the collected ``var/static``. The worker runs the
database task queue (imports, linkage runs, notifications); more workers can run on other
machines against the same PostgreSQL with ``homecoming db_worker``.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the application with gunicorn and run a background-task worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        # Worker processes, not threads, carry the load: a page is CPU in Python, and threads of one
        # process take turns under the interpreter lock. Measured with bench.load on 2 cores (30
        # staff users): 2 workers x 4 threads served 59 requests/s at p95 560 ms, 3 x 2 86 at 280 ms,
        # 5 x 1 83 at 350 ms. Two threads per worker keep a slow client from holding a process.
        parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                            help="gunicorn worker processes (default: 2 x cores + 1)")
        parser.add_argument("--threads", type=int, default=2, help="threads per worker process")
        parser.add_argument("--no-task-worker", action="store_true")

    def handle(self, *args, bind, workers, threads, no_task_worker, **options):
        bin_dir = Path(sys.executable).parent
        children = []
        if not no_task_worker:
            children.append(subprocess.Popen([str(bin_dir / "homecoming"), "db_worker"]))  # noqa: S603
        gunicorn = subprocess.Popen(  # noqa: S603
            [
                str(bin_dir / "gunicorn"),
                "homecoming.wsgi:application",
                "--bind", bind,
                "--workers", str(workers),
                "--threads", str(threads),
                "--worker-class", "gthread",
                "--access-logfile", "-",
                "--graceful-timeout", "10",
                "--preload",  # load the application (and its name tables) once, then fork
            ]
        )
        children.append(gunicorn)

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        code = gunicorn.wait()
        stop(None, None)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if code not in (0, -signal.SIGINT, -signal.SIGTERM):
            raise SystemExit(code)
