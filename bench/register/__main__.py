"""Register benchmark.

    python -m bench.register [--persons 100000] [--queries 200] [--write-docs]

For SQLite (a scratch file) and, when DATABASE_URL points to PostgreSQL, for a scratch database
beside it (``<name>_bench_register``, created and dropped here; the database in DATABASE_URL
itself is never touched): migrate, time ``homecoming demo-data --persons N`` (wall time of the
command), then run 200 varied name searches (Ukrainian, Russian, Latin; full names, swapped
order, capitals, surname + initial) with the register search and with a plain ``icontains``
search, and print p50/p95 and how many queries found their person. ``--write-docs`` replaces
the ``## Register`` section of docs/benchmarks.md with the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import postgres_scratch, write_docs_section

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(args, env, capture=False):
    return subprocess.run(args, env=env, check=True, cwd=ROOT, text=True,
                          capture_output=capture)


def bench_one(label: str, database_url: str, persons: int, queries: int, var_dir: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "HOMECOMING_VAR_DIR": var_dir}
    env.pop("HOMECOMING_TESTING", None)
    homecoming = str(BIN / "homecoming")
    load_before = os.getloadavg()[0]
    _run([homecoming, "migrate", "--noinput", "-v", "0"], env)
    start = time.perf_counter()
    out = _run([homecoming, "demo-data", "--persons", str(persons), "--seed", "2025"], env, capture=True)
    load_s = time.perf_counter() - start
    print(f"[{label}] {out.stdout.strip()} (wall {load_s:.1f} s)")
    again = time.perf_counter()
    _run([homecoming, "demo-data", "--persons", str(persons), "--seed", "2025"], env, capture=True)
    rerun_s = time.perf_counter() - again
    res = _run([sys.executable, "-m", "bench.register.worker", str(queries)], env, capture=True)
    data = json.loads(res.stdout.strip().splitlines()[-1])
    data.update({"label": label, "load_s": round(load_s, 1), "rerun_s": round(rerun_s, 1),
                 "loadavg": [load_before, os.getloadavg()[0]]})
    return data




def table(results: list[dict], persons: int) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}; "
        f"{persons:,} synthetic persons; {results[0]['queries'] if results else 0} name queries "
        "(in equal parts, 8 forms: Ukrainian surname + name, "
        "lower-case surname + initial, name patronymic surname; Russian surname + name, RUSSIAN NAME PATRONYMIC "
        "SURNAME; Latin KMU 2010 name surname, Latin from Russian (BGN), LATIN SURNAME + INITIAL). "
        "Time per query = count + first page of 50, as the register page does.",
        "",
        "| database | demo-data wall time | re-run (idempotent) | search | p50 ms | p95 ms | max ms | "
        "found | uk / ru / latin found | median hits |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    loads = ", ".join(f"{r['label']} {r['loadavg'][0]:.1f}–{r['loadavg'][1]:.1f}" for r in results if "loadavg" in r)
    if loads:
        lines[0] += f" Load average (1 min) at start and end of each run: {loads} (other work shared the machine)."
    for r in results:
        for name, title in (("keys", "register (search keys)"), ("icontains", "plain icontains")):
            m = r[name]
            fs = m["found_by_script"]
            split = " / ".join(f"{fs.get(s, [0, 0])[0]}/{fs.get(s, [0, 0])[1]}" for s in ("uk", "ru", "latin"))
            load = f"{r['load_s']} s" if name == "keys" else ""
            rerun = f"{r['rerun_s']} s" if name == "keys" else ""
            lines.append(f"| {r['label']} | {load} | {rerun} | {title} | {m['p50_ms']} | {m['p95_ms']} | "
                         f"{m['max_ms']} | {m['found']}/{r['queries']} | {split} | {m['median_results']} |")
    return "\n".join(lines)


def write_docs(text: str) -> None:
    write_docs_section("Register", "`python -m bench.register --write-docs` (bench/register/).", text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.register")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-register-") as tmp:
        results.append(bench_one("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args.persons, args.queries, tmp))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")) and not args.sqlite_only:
            scratch, drop = postgres_scratch(url, "bench_register")
            try:
                results.append(bench_one("PostgreSQL", scratch, args.persons, args.queries, tmp))
            finally:
                drop()
    text = table(results, args.persons)
    print(text)
    for r in results:
        print(f"[{r['label']}] examples: {r['examples']}")
    if args.write_docs:
        write_docs(text)
    ok = all(r["keys"]["p95_ms"] < 100 and r["load_s"] < 60 for r in results)
    print("targets (p95 < 100 ms, demo-data < 60 s):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
