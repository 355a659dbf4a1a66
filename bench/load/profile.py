"""Profile of each request kind of the load test, in one process (no server), on the same database.

    LOAD_TARGETS=targets.json python -m bench.load.profile OUT_DIR [--requests 20]

For each kind: the median time of ``--requests`` requests through Django's test client (wall
time, and the CPU time of this process, which other work on the machine inflates less), timed
without the profiler; then as many requests again under pyinstrument, for their SQL queries
per request (min-max) and a profile; the text of each profile is written to
OUT_DIR/profile-<kind>.txt and its heaviest lines printed.
One JSON line at the end: {kind: {"ms": median, "queries": [min, max], "top": [...]}}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")
    import django

    django.setup()


def urls(targets: dict, rng: random.Random) -> dict:
    lists = targets["lists"] or [[0, 1]]
    return {
        "search by name": lambda: f"/persons/?q={rng.choice(targets['queries'])}",
        "person page": lambda: f"/persons/{rng.choice(targets['persons'])}/",
        "review queue": lambda: (lambda pk, pages: f"/intake/lists/{pk}/?show=review&page={rng.randint(1, pages)}")(
            *rng.choice(lists)),
        "start page": lambda: "/",
        "exchange stage": lambda: f"/exchanges/stages/{rng.choice(targets['stages'])}/",
        "agreement": lambda: f"/exchanges/agreements/{rng.choice(targets['agreements'])}/",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--only", default="")
    args = parser.parse_args(argv)
    _setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from .prepare import USERNAME

    targets = json.load(open(os.environ["LOAD_TARGETS"], encoding="utf-8"))  # noqa: SIM115
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=USERNAME),
                       backend="homecoming.accounts.access.AccessBackend")
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for kind, make_url in urls(targets, random.Random(7)).items():
        if args.only and args.only not in kind:
            continue
        client.get(make_url())  # warm caches and templates
        times, cpu, queries = [], [], []
        # Timed without the profiler (its sampling doubled the CPU time of a request), then the
        # same number of requests again under the profiler, for the profile alone.
        for _ in range(args.requests):
            url = make_url()
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{kind}: {url} answered {response.status_code}")
        profiler = Profiler(interval=0.0005)
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as ctx:
                profiler.start()
                client.get(make_url())
                profiler.stop()
            queries.append(len(ctx.captured_queries))
        text = profiler.output_text(unicode=True, color=False)
        (out / f"profile-{kind.replace(' ', '-')}.txt").write_text(text, encoding="utf-8")
        slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
        results[kind] = {"ms": round(statistics.median(times), 1), "cpu_ms": round(statistics.median(cpu), 1),
                         "queries": [min(queries), max(queries)],
                         "slowest_sql": [(q["time"], q["sql"][:300]) for q in slowest]}
        print(f"{kind:16s} median {results[kind]['ms']:7.1f} ms ({results[kind]['cpu_ms']:.1f} ms CPU in Python), "
              f"{min(queries)}-{max(queries)} queries", flush=True)
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
