"""Confirm-all of a large review queue, before and after issue 19, on SQLite and (when
DATABASE_URL points to PostgreSQL) on PostgreSQL.

    python -m bench.operations [--rows 1000] [--write-docs] [--sqlite-only]

Before: one request confirmed every automatic match (issue 19 measured "Confirm all 943" at
43.8 s). After: the request starts a background operation and answers; a worker does the work
in chunks of 50 rows, each its own transaction. Each database is a scratch one (a SQLite file; a
PostgreSQL database ``<name>_bench_operations``, made and dropped here). Prints a table;
``--write-docs`` replaces the ``## Background work`` section of docs/benchmarks.md. Exits 1 when
the request that starts the work takes 1 s or more (the issue's target for every staff request).
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
TARGET_S = 1.0


def run_one(label: str, database_url: str, rows: int, var_dir: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "HOMECOMING_VAR_DIR": var_dir,
           "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"}
    env.pop("HOMECOMING_TESTING", None)
    out = subprocess.run([sys.executable, "-m", "bench.operations.worker", str(rows)], env=env, cwd=ROOT,
                         text=True, capture_output=True)
    if out.returncode:
        sys.exit(f"[{label}] the benchmark failed:\n{out.stderr[-3000:]}")
    result = {"label": label, **json.loads(out.stdout.strip().splitlines()[-1])}
    print(f"[{label}] {result}", flush=True)
    return result


def table(results: list[dict]) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other work), Python "
        f"{platform.python_version()}; load average (1 min) {os.getloadavg()[0]:.1f} at the end. Times in "
        "seconds, one run each.",
        "",
        "| database | automatic matches (before / after) | before: the one request | "
        "after: the request that starts it | after: the worker's work (chunks of 50) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in results:
        accepted = " / ".join(map(str, r["accepted"]))
        lines.append(f"| {r['label']} | {accepted} | {r['before_request_s']} | {r['after_request_s']} | "
                     f"{r['after_work_s']} ({r['chunks']} chunks) |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.operations")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run_one("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args.rows, tmp))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgres") and not args.sqlite_only:
            scratch, drop = postgres_scratch(url, "bench_operations")
            try:
                results.append(run_one("PostgreSQL", scratch, args.rows, tmp))
            finally:
                drop()
    text = table(results)
    print(text)
    if args.write_docs:
        write_docs_section(
            "Background work",
            "`python -m bench.operations --write-docs` (issue 19; `make bench BENCH=operations`): confirm-all "
            f"of a review queue of {args.rows} Russian renderings against a register of {4 * args.rows} "
            "synthetic persons. *Before*: the request did every acceptance (`services.accept_automatic`, "
            "what the view called until issue 19). *After*: the request (through the whole middleware stack, "
            "signed in) starts the operation and queues its task; the worker then confirms the rows in "
            "chunks of 50, each chunk one transaction with its progress. Every acceptance is still an ordinary "
            "decision (a status event and an audit event per row), so the total work is about the same; what "
            "changes is that no request waits for it, the page shows its progress, and it can be stopped.",
            text)
    slow = [r for r in results if r["after_request_s"] >= TARGET_S]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
