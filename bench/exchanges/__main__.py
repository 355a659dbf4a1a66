"""Exchanges benchmark.

    python -m bench.exchanges [--persons 100000] [--returnees 1000] [--write-docs] [--sqlite-only]

For SQLite (a scratch file) and, when DATABASE_URL points to PostgreSQL, a scratch database beside
it (``<name>_bench_exchanges``, created and dropped here): migrate, load the demo register, then
(worker.py) time the pools of the two Istanbul categories against the naive way and an ORM filter,
and the reconciliation of ``--returnees`` returnees (wall and CPU time, beside the machine's load)
against a naive per-person loop, in the same run.
``--write-docs`` replaces the ``## Exchanges`` section of docs/benchmarks.md.
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


def bench_one(label: str, database_url: str, persons: int, returnees: int, var_dir: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "HOMECOMING_VAR_DIR": var_dir}
    env.pop("HOMECOMING_TESTING", None)
    subprocess.run([str(BIN / "homecoming"), "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    res = subprocess.run([sys.executable, "-m", "bench.exchanges.worker", str(persons), str(returnees)], env=env,
                         check=True, cwd=ROOT, text=True, capture_output=True)
    data = json.loads(res.stdout.strip().splitlines()[-1])
    data["label"] = label
    return data




def table(results: list[dict], persons: int, returnees: int, load: tuple[float, float] | None = None) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}; "
        f"register of {persons:,} synthetic persons (demo-data, seed 2025). Best of 3 runs (naive: 1 run).",
        "",
    ]
    if load is not None:
        lines += [
            f"Machine load: 1-minute load average {load[0]:.1f} when the run started and {load[1]:.1f} when it "
            f"ended, on {os.cpu_count()} cores shared with other work: wall times are stretched by it (by up to "
            "the load divided by the cores), CPU times hardly.",
            "",
        ]
    lines += [
        "Pools (both sides; *pool* = the persons in the pool statuses, *all* = every person of the register "
        "evaluated): ours = Python over a `values()` query of the rule's columns, each distinct combination "
        "evaluated once, with eligible and just outside; naive = every Person object loaded and evaluated "
        "with reasons; ORM = hand-translated filter, eligible count only (no reasons, no just outside).",
        "",
        "| database | category | scope | persons evaluated | eligible | just outside | ours s | naive s | ORM s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        for p in r["pools"]:
            lines.append(f"| {r['label']} | {p['category']} | {p['scope']} | {p['considered']:,} | {p['eligible']:,} "
                         f"| {p['just_outside']:,} | {p['both_s']} | {p['naive_s']} | {p['orm_s']} |")
    lines += [
        "",
        f"Reconciliation of {returnees:,} returnees (with every receiver connected: aftercare opens the cases "
        "with their tasks, payments notes the returns, families notifies, each in bulk through "
        "`persons_returned` / `status_events_added` and `record_many()` for the audit; *exchanges only* = the "
        "same with the receivers of `persons_returned` and `person_returned` disconnected). Naive = per-entry "
        "`save()`, a status event per person through `add_status_event`, each its own transaction. One run "
        "each. *CPU* = CPU time of the benchmark's process (Python and, for SQLite, the database); "
        "*server CPU* = CPU time of the PostgreSQL backend serving it. Wall time is stretched by whatever "
        "else runs on the machine; CPU time much less so. *load* = the machine's 1-minute load average "
        "just before the reconciliation.",
        "",
        "| database | ours (one transaction) s | ours CPU s | ours server CPU s | exchanges only s | "
        "exchanges only CPU s | naive per-person loop s | adding the persons to the lists s | load |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        x = r["reconcile"]
        server = x.get("ours_server_cpu_s")
        lines.append(f"| {r['label']} | {x['ours_s']} | {x.get('ours_cpu_s', '—')} | "
                     f"{'—' if server is None else server} | {x.get('exchanges_only_s', '—')} | "
                     f"{x.get('exchanges_only_cpu_s', '—')} | {x['naive_s']} | {x['add_entries_s']} | "
                     f"{x['load'][0] if x.get('load') else '—'} |")
    return "\n".join(lines)


def write_docs(text: str) -> None:
    write_docs_section("Exchanges", "`python -m bench.exchanges --write-docs` (bench/exchanges/).", text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.exchanges")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--returnees", type=int, default=1000)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    results = []
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-exchanges-") as tmp:
        results.append(bench_one("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args.persons, args.returnees, tmp))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")) and not args.sqlite_only:
            scratch, drop = postgres_scratch(url, "bench_exchanges")
            try:
                results.append(bench_one("PostgreSQL", scratch, args.persons, args.returnees, tmp))
            finally:
                drop()
    text = table(results, args.persons, args.returnees, (load_start, os.getloadavg()[0]))
    print(text)
    if args.write_docs:
        write_docs(text)
    pools_ok = all(p["both_s"] < 1 for r in results for p in r["pools"])
    rec_ok = all(r["reconcile"]["ours_s"] < 5 for r in results)
    print(f"targets: pools < 1 s {'met' if pools_ok else 'NOT met'}; reconciliation < 5 s "
          f"{'met' if rec_ok else 'NOT met'}")
    return 0 if pools_ok and rec_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
