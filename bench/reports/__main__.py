"""Reports benchmark: the dashboard over a large register.

    python -m bench.reports [--persons 100000] [--exchanges 100] [--per-exchange 50] [--write-docs]
                            [--sqlite-only]

For SQLite (a scratch file) and, when DATABASE_URL points to PostgreSQL, a scratch database beside
it (``<name>_bench_reports``, created and dropped here): migrate, load the demo register, write the
exchanges and what follows them in bulk, then (worker.py) time the dashboard page against a naive
dashboard (Python loops over the objects per figure) in the same run. Target: the page in under
500 ms on both databases. ``--write-docs`` replaces the ``## Reports`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import postgres_scratch, write_docs_section

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TARGET_MS = 500


def bench_one(label: str, database_url: str, args, var_dir: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "HOMECOMING_VAR_DIR": var_dir}
    env.pop("HOMECOMING_TESTING", None)
    subprocess.run([str(BIN / "homecoming"), "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    # the page is rendered as in production: static files through their manifest
    subprocess.run([str(BIN / "homecoming"), "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    load = os.getloadavg()[0]
    res = subprocess.run([sys.executable, "-m", "bench.reports.worker", str(args.persons), str(args.exchanges),
                          str(args.per_exchange)], env=env, check=True, cwd=ROOT, text=True, capture_output=True)
    data = json.loads(res.stdout.strip().splitlines()[-1])
    data["label"] = label
    data["load"] = f"{load:.1f}–{os.getloadavg()[0]:.1f}"
    return data




def table(results: list[dict], args) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}; "
        f"register of {args.persons:,} synthetic persons (demo-data, seed 2025) and {args.exchanges} reconciled "
        f"exchanges of up to {args.per_exchange} returnees each, written in bulk with an aftercare case and four "
        "tasks, an entitlement and a due per returnee (a third approved, a third of those paid). "
        "Best of 3 runs (naive: 1 run).",
        "",
        "*Page* = GET /reports/ through Django's test client (12 figures, their SVG charts and tables, the "
        "template), after one warm-up request; *analyst* with drill-down links, *leadership* with small "
        "numbers suppressed. *Figures* = the 12 figures' queries alone (all dates; and for 2024 only). "
        "*Naive* = the same figures counted with Python loops over the objects (persons with their reference "
        "data, status events, crossings, tasks, dues). Load average (1 min) at the start and end of each run.",
        "",
        "| database | persons | returnees | queries per page | page, analyst ms | page, leadership ms | "
        "figures ms | figures, 2024 ms | naive ms | page bytes | load |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(f"| {r['label']} | {r['persons']:,} | {r['returned']:,} | {r['queries']} | {r['analyst_ms']} | "
                     f"{r['leadership_ms']} | {r['figures_ms']} | {r['ranged_ms']} | {r['naive_ms']:,} | "
                     f"{r['page_bytes']:,} | {r['load']} |")
    return "\n".join(lines)


def write_docs(text: str) -> None:
    write_docs_section("Reports", "`python -m bench.reports --write-docs` (bench/reports/).", text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--exchanges", type=int, default=100)
    parser.add_argument("--per-exchange", type=int, default=50)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        results.append(bench_one("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args, tmp))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")) and not args.sqlite_only:
            scratch, drop = postgres_scratch(url, "bench_reports")
            try:
                results.append(bench_one("PostgreSQL", scratch, args, tmp))
            finally:
                drop()
    text = table(results, args)
    print(text)
    if args.write_docs:
        write_docs(text)
    ok = all(max(r["analyst_ms"], r["leadership_ms"]) < TARGET_MS for r in results)
    print(f"target: dashboard page < {TARGET_MS} ms {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
