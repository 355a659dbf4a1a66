"""Load test: the application as `make run` serves it, on PostgreSQL, under a stepped load.

    python -m bench.load [--quick] [--write-docs] [--database-url URL] [--keep] [--port 8765]

1. A PostgreSQL database: ``--database-url`` as given (kept), or a scratch one beside
   DATABASE_URL (``<name>_bench_load``, dropped at the end unless ``--keep``); DATABASE_URL itself
   is never touched. Without PostgreSQL the benchmark says so and is skipped.
2. ``homecoming migrate``, ``homecoming demo --persons 100000 --seed 2025`` (the demo accounts
   and scenario; idempotent; a database that already has a register keeps it unless --persons
   is given), collectstatic, then bench.load.prepare (a load-test account and
   its sessions, an incoming list from the other side, fresh family inquiries, samples).
3. ``homecoming serve --bind 127.0.0.1:PORT`` (gunicorn, gthread, 2 x cores + 1 workers of 2
   threads as ``make run``; ``--workers``/``--threads`` to compare; and the task worker) with
   bench.load.settings (the project's settings plus the simulated-address
   middleware for the family portal).
4. bench.load.drive (locust): staff users in steps (5, 10, 20, 30, ... until the staff p95 passes
   300 ms) beside 4 families; throughput and p50/p95/p99 per request kind and step.
5. bench.load.profile: each request kind in one process, its median time, its SQL queries and a
   pyinstrument profile (var/bench-load/profile-*.txt).

Targets (2 cores): 200 requests/s of the staff mix at p95 < 200 ms; the family portal at
p95 < 100 ms while it runs; no error. ``--quick`` (two short steps, 10,000 persons when the
database is new) checks the harness, not the targets. Every server process is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import postgres_scratch, write_docs_section

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STAFF_RPS, STAFF_P95, FAMILY_P95, KNEE_P95 = 200, 200, 100, 300
FULL_STEPS = "5,10,15,20,25,30,40,60,80,100,120,150"
QUICK_STEPS = "5,10"


def _pg(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))




def _run(args, env, capture=False):
    return subprocess.run(args, env=env, check=True, cwd=ROOT, text=True, capture_output=capture)


def _wait_ready(port: int, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {server.returncode}) before answering")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not answer /healthz in time")


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM to `homecoming serve` (it stops gunicorn and the task worker), then to the whole
    process group it leads if anything is left."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=30)
    try:
        os.killpg(server.pid, signal.SIGTERM)
        time.sleep(1)
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def verdict(steps: list[dict]) -> dict:
    """The best step (most staff requests/s at p95 < 200 ms), the targets, the knee."""
    good = [s for s in steps if s["staff"]["p95"] is not None and s["staff"]["p95"] < STAFF_P95]
    best = max(good, key=lambda s: s["staff"]["rps"]) if good else None
    knee = next((s for s in steps if s["staff"]["p95"] is not None and s["staff"]["p95"] > KNEE_P95), None)
    upto = [s for s in steps if best is None or s["staff_users"] <= best["staff_users"]]
    return {
        "best": best, "knee": knee,
        "staff_met": best is not None and best["staff"]["rps"] >= STAFF_RPS,
        "family_met": bool(upto) and all(s["family"]["p95"] is not None and s["family"]["p95"] < FAMILY_P95
                                         for s in upto),
        "errors": sum(s["staff"]["failures"] + s["family"]["failures"] for s in steps),
    }


def _ms(v) -> str:
    return "—" if v is None else f"{v:.0f}"


def report(run: dict) -> str:
    steps, v, prof = run["steps"], run["verdict"], run["profile"]
    la = run["loadavg"]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared by the server, PostgreSQL and the load "
        f"generator, Python {platform.python_version()}; PostgreSQL {run['pg_version']}; "
        f"{run['persons']:,} synthetic persons (demo-data seed 2025 + the demo scenario). Server: `homecoming serve` "
        f"(gunicorn, {run.get('workers', 2)} workers x {run.get('threads', 4)} threads, plus the task worker) "
        f"on 127.0.0.1. Load average (1 min) when the "
        f"load began {la[0]:.2f} (after this benchmark's own set-up), at the end {la[1]:.2f} (with its own server "
        f"and load generator)" + ("; other work shared the machine." if max(la) > 1.5 else "."),
        "",
        f"Staff users wait 0.1-0.3 s between requests (mix: search by name 3, person page 3, review queue 2, start "
        f"page 1, exchange pages 1); beside them {steps[0]['families'] if steps else 0} families look up the portal "
        f"every 0.5-1.5 s (70 % unknown reference, 20 % wrong code, 10 % right code), each from its own address. "
        f"Each step: {run['warmup']:.0f} s to settle, {run['seconds']:.0f} s measured. Times in ms.",
        "",
        "| staff users | staff req/s | staff p50 | p95 | p99 | family req/s | family p50 | p95 | p99 | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in steps:
        st, fa = s["staff"], s["family"]
        lines.append(f"| {s['staff_users']} | {st['rps']} | {_ms(st['p50'])} | {_ms(st['p95'])} | {_ms(st['p99'])} | "
                     f"{fa['rps']} | {_ms(fa['p50'])} | {_ms(fa['p95'])} | {_ms(fa['p99'])} | "
                     f"{st['failures'] + fa['failures']} |")
    shown = v["best"] or (steps[0] if steps else None)
    if shown:
        lines += ["", f"Per request kind at {shown['staff_users']} staff users "
                      f"({'the most staff requests/s at p95 < 200 ms' if v['best'] else 'the first step'}):", "",
                  "| request kind | req/s | p50 | p95 | p99 | max | errors |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for name, k in shown["kinds"].items():
            if k["requests"]:
                lines.append(f"| {name} | {k['rps']} | {_ms(k['p50'])} | {_ms(k['p95'])} | {_ms(k['p99'])} | "
                             f"{_ms(k['max'])} | {k['failures']} |")
    knee = v["knee"]
    lines += ["", "Load at which the staff p95 passes 300 ms: " + (
        f"{knee['staff_users']} staff users ({knee['staff']['rps']} req/s, p95 {_ms(knee['staff']['p95'])} ms)."
        if knee else f"not reached up to {steps[-1]['staff_users'] if steps else 0} staff users.")]
    best = v["best"]
    lines += ["", "Targets: " + "; ".join([
        f"staff mix ≥ {STAFF_RPS} req/s at p95 < {STAFF_P95} ms: " + (
            f"{'met' if v['staff_met'] else 'NOT met'} (best {best['staff']['rps']} req/s at p95 "
            f"{_ms(best['staff']['p95'])} ms)" if best else "NOT met (no step under 200 ms)"),
        f"family portal p95 < {FAMILY_P95} ms under that load: {'met' if v['family_met'] else 'NOT met'}"
        " (at every step up to it; the family columns show the steps past it)",
        "no error: " + ("met" if v["errors"] == 0 else f"NOT met ({v['errors']} errors)"),
    ]) + "."]
    if prof:
        lines += ["", "Each kind alone, in one process (bench.load.profile: Django's test client, no server, no "
                      "concurrency), median of the profiled requests and SQL queries per request:", "",
                  "| request kind | median ms | CPU ms (Python) | queries |", "| --- | --- | --- | --- |"]
        for name, p in prof.items():
            q = p["queries"]
            count = q[0] if q[0] == q[1] else f"{q[0]}-{q[1]}"
            lines.append(f"| {name} | {p['ms']} | {p.get('cpu_ms', '—')} | {count} |")
    return "\n".join(lines)


FINDINGS = """What the load test and the profiles found, and what was changed (issue 11):

* **Family portal**: every look-up ran Argon2, the password hasher (about 100 MB and, on this machine,
  0.1-0.8 s of CPU per check), so a few look-ups a second took a core. A code is 16 random characters
  (about 79 bits): it needs no slow hash. Codes now have their own salted PBKDF2-SHA256 hasher with
  2,000 iterations (2-3 ms); hashes made before still verify and are replaced after the next right
  code.
* **Person page**: answered 500 for every person with a status event without an author: fixed.
* **Every page** read the account's permissions and groups (three queries) and wrote the session
  (BEGIN, UPDATE, COMMIT) with each request. Permissions and roles are now kept per process and
  per *access version* of the account, a column raised in the same transaction as any change of
  its groups or permissions (accounts/access.py; a revoked role stops at the next request in every
  process), and the idle-session clock is written once a minute. The start page went from 8
  queries to 2 and from 5.9 to 2.6 ms of CPU.
* **Templates**: form widgets are rendered by Jinja2 (Django's own widget templates; a select drew
  each option through an include), the review queue's evidence rows (some 300 per page) and the
  register's 50 rows per page are drawn in Python with ``format_html_join``, and the register's
  filter form keeps its reference lists for a minute per process. Median CPU per request, measured
  alone before and after (same database, same requests): search 26.8 -> 19.8 ms, review queue 35.8
  -> 28.6, exchange stage 23.6 -> 17.4, agreement 10.9 -> 7.7, start page 5.9 -> 2.6; person page
  about the same (15-17).
* **Server processes**: a page is CPU in Python, and threads of one process take turns under the
  interpreter lock. At 30 staff users, 2 workers x 4 threads served 59 req/s at p95 560 ms, 3 x 2
  served 86 at 280 ms, 5 x 1 83 at 350 ms (one run each, same machine). `homecoming serve` (and so
  `make run`) now starts 2 x cores + 1 workers of 2 threads.
* **Queries**: tests/core/test_query_counts.py asserts that every list page runs the same number of
  queries with 3 and with 30 rows, under a ceiling: no N+1. No query of any kind takes more than a
  few milliseconds at 100,000 persons.
* **Earlier profiles overstated CPU**: bench.load.profile timed requests under pyinstrument, which
  about doubled their CPU time (the review queue showed 77 ms; alone it takes about 30). It now
  times them without the profiler, and profiles a second batch.

**Why 200 requests/s at p95 < 200 ms is not reached on 2 cores.** At saturation the two cores
went to gunicorn (130 % of a core), PostgreSQL (32 %) and locust (7 %): about 22 ms of server
CPU, 5 ms of database CPU and 1 ms of load generator per staff request. 200 requests/s on 2 cores
leaves 10 ms for all three. The staff mix now averages about 18 ms of Python per request (search
and review pages draw 50 rows or 20 cards with their evidence, the person page its whole history,
each read is written to the audit chain), so the ceiling is about 70-85 requests/s here, and the
target needs either 5-6 cores for the web tier (it scales out: the processes share nothing but
PostgreSQL) or pages of a third of today's cost (a faster template engine for the heaviest pages,
which would mean a second base layout beside Django's)."""


def write_docs(text: str, command: str) -> None:
    intro = (f"`{command}`, or `DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME "
             f".venv/bin/python -m bench.load --write-docs` (a scratch database NAME_bench_load is made and dropped; "
             f"bench/load/; `--quick` checks the harness in a few minutes).")
    write_docs_section("Load", intro, text + "\n\n" + FINDINGS)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--steps", default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn worker processes (as make run: 2 x cores + 1)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (as make run: 2)")
    args = parser.parse_args(argv)
    persons = args.persons or (10_000 if args.quick else 100_000)
    steps = args.steps or (QUICK_STEPS if args.quick else FULL_STEPS)
    warmup, seconds = (3.0, 10.0) if args.quick else (10.0, args.seconds or 30.0)
    if args.seconds:
        seconds = args.seconds

    url, drop = args.database_url, (lambda: None)
    if not url:
        env_url = os.environ.get("DATABASE_URL", "")
        if not _pg(env_url):
            print("bench load: skipped (needs PostgreSQL: set DATABASE_URL to a server)")
            return 0
        url, drop = postgres_scratch(env_url, "bench_load", keep=args.keep, fresh=False)
    if not _pg(url):
        print("bench load: --database-url must be a PostgreSQL URL", file=sys.stderr)
        return 2
    var_dir = ROOT / "var" / "bench-load"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "HOMECOMING_VAR_DIR": str(var_dir),
           "DJANGO_SETTINGS_MODULE": "bench.load.settings", "LOAD_TARGETS": str(var_dir / "targets.json"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    env.pop("HOMECOMING_TESTING", None)
    homecoming = str(BIN / "homecoming")
    server = None
    try:
        started = time.perf_counter()
        _run([homecoming, "migrate", "--noinput", "-v", "0"], env)
        existing = int(_run([sys.executable, "-c", "import django; django.setup(); "
                             "from homecoming.registry.models import Person; print(Person.objects.count())"],
                            env, capture=True).stdout.split()[-1])
        if existing and args.persons is None:  # a database set up before: keep its register as it is
            _run([homecoming, "demo", "--accounts-only"], env, capture=True)
            _run([homecoming, "demo-scenario"], env, capture=True)
        else:
            _run([homecoming, "demo", "--persons", str(persons), "--seed", "2025"], env, capture=True)
        _run([homecoming, "collectstatic", "--noinput", "-v", "0"], env)
        print(_run([sys.executable, "-m", "bench.load.prepare", env["LOAD_TARGETS"]], env, capture=True)
              .stdout.strip())
        counted = _run([sys.executable, "-c", "import django; django.setup(); "
                        "from homecoming.registry.models import Person; from django.db import connection; "
                        "print(Person.objects.count()); print(connection.cursor().connection.info.server_version)"],
                       env, capture=True).stdout.split()
        print(f"set-up in {time.perf_counter() - started:.0f} s; serving on 127.0.0.1:{args.port}", flush=True)
        log = open(var_dir / "server.log", "w")  # noqa: SIM115
        server = subprocess.Popen([homecoming, "serve", "--bind", f"127.0.0.1:{args.port}", "--workers",
                                   str(args.workers), "--threads", str(args.threads)],
                                  env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        _wait_ready(args.port, server)
        load_start = os.getloadavg()[0]
        out = var_dir / "drive.json"
        _run([sys.executable, "-m", "bench.load.drive", f"http://127.0.0.1:{args.port}", str(out), "--steps", steps,
              "--warmup", str(warmup), "--seconds", str(seconds), "--stop-p95", str(KNEE_P95),
              "--min-steps", "1" if args.quick else "3"], env)
        load_end = os.getloadavg()[0]
        _stop(server)
        server = None
        profile = {}
        if not args.no_profile:
            res = _run([sys.executable, "-m", "bench.load.profile", str(var_dir), "--requests",
                        "5" if args.quick else "20"], env, capture=True)
            print("\n".join(res.stdout.strip().splitlines()[:-1]))
            profile = json.loads(res.stdout.strip().splitlines()[-1])
        run = {"steps": json.loads(out.read_text())["steps"], "profile": profile, "persons": int(counted[0]),
               "pg_version": f"{int(counted[1]) // 10000}", "loadavg": [load_start, load_end],
               "warmup": warmup, "seconds": seconds, "workers": args.workers, "threads": args.threads}
        run["verdict"] = verdict(run["steps"])
        (var_dir / "result.json").write_text(json.dumps(run, indent=1, default=str))
    finally:
        if server is not None:
            _stop(server)
        drop()
    text = report(run)
    print(text)
    if args.write_docs and not args.quick:
        write_docs(text, "make bench BENCH=load" if not args.database_url else "python -m bench.load --write-docs")
    v = run["verdict"]
    if args.quick:
        return 0 if v["errors"] == 0 else 1
    return 0 if v["staff_met"] and v["family_met"] and v["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
