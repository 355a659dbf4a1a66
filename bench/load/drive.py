"""The load generator: locust as a library, in its own process (it patches the standard library
with gevent), against a server already running on loopback.

    LOAD_TARGETS=targets.json python -m bench.load.drive http://127.0.0.1:8765 OUT.json \
        --steps 10,20,40 --warmup 10 --seconds 30 [--stop-p95 300]

For each step (a number of staff users; the families are a fixed number beside them): start or
add users, let them settle for ``--warmup`` seconds, reset the statistics, measure ``--seconds``.
Steps stop after the first one whose staff p95 passes ``--stop-p95`` ms (but not before
``--min-steps`` steps, unless the p95 passes 2 s). Writes one JSON file.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from urllib.parse import urlsplit


def _figures(entry, seconds: float) -> dict:
    n = entry.num_requests
    return {
        "requests": n, "failures": entry.num_failures, "rps": round(n / seconds, 1),
        "p50": entry.get_response_time_percentile(0.5) if n else None,
        "p95": entry.get_response_time_percentile(0.95) if n else None,
        "p99": entry.get_response_time_percentile(0.99) if n else None,
        "max": round(entry.max_response_time) if n else None,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("out")
    parser.add_argument("--steps", default="10,20,40")
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--stop-p95", type=float, default=300)
    parser.add_argument("--min-steps", type=int, default=3, help="steps run even past --stop-p95 (below 2 s)")
    args = parser.parse_args(argv)
    if urlsplit(args.host).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load test drives loopback only")

    import gevent
    from locust import events
    from locust.env import Environment
    from locust.stats import StatsEntry

    from .users import Family, Staff

    env = Environment(user_classes=[Staff, Family], host=args.host, events=events)
    runner = env.create_local_runner()
    errors: dict[str, int] = {}

    def on_request(name, exception=None, **kwargs):
        if exception is not None:
            key = f"{name}: {str(exception)[:80]}"
            errors[key] = errors.get(key, 0) + 1

    env.events.request.add_listener(on_request)
    families = Family.fixed_count
    steps = []
    for users in [int(s) for s in args.steps.split(",") if s.strip()]:
        runner.start(users + families, spawn_rate=max(10, users))
        gevent.sleep(args.warmup)
        env.stats.reset_all()
        errors.clear()
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        gevent.sleep(args.seconds)
        seconds = time.perf_counter() - started
        kinds = {}
        staff = StatsEntry(env.stats, "staff", "")
        family = StatsEntry(env.stats, "family", "")
        for (name, _method), entry in sorted(env.stats.entries.items()):
            kinds[name] = _figures(entry, seconds)
            (staff if name.startswith("staff") else family).extend(entry)
        step = {"staff_users": users, "families": families, "seconds": round(seconds, 1),
                "staff": _figures(staff, seconds), "family": _figures(family, seconds), "kinds": kinds,
                "errors": dict(errors), "loadavg": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
        steps.append(step)
        s, f = step["staff"], step["family"]
        print(f"  {users:4d} staff users: staff {s['rps']:6.1f} req/s p50 {s['p50']} p95 {s['p95']} p99 {s['p99']} ms,"
              f" {s['failures']} errors; family {f['rps']:5.1f} req/s p95 {f['p95']} ms, {f['failures']} errors",
              flush=True)
        if s["p95"] is not None and (s["p95"] > 2000 or s["p95"] > args.stop_p95 and len(steps) >= args.min_steps):
            break
    runner.quit()
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump({"steps": steps}, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
