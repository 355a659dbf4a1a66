"""Intake benchmark: importing 100,000 persons from a file, against the best simple alternative,
in one run, on SQLite and (when DATABASE_URL points to PostgreSQL) on PostgreSQL.

    python -m bench.intake [--rows 100000] [--list-rows 10000] [--write-docs] [--sqlite-only]

For each database (a scratch SQLite file; a scratch PostgreSQL database ``<name>_bench_intake``
created and dropped here, the database in DATABASE_URL itself is never touched): migrate, then

1. the alternative (bench/intake/worker.py ``plain``): csv.DictReader + bulk_create, no checks;
2. ``homecoming import persons.csv --kind persons`` (the real command, wall time): a Windows-1251,
   semicolon file with Ukrainian headers, detected, checked row by row, duplicates looked up,
   persons, search keys, first status events and one audit event written in one transaction;
3. the same command again on the same file (recognised by its SHA-256, nothing written);
4. ``homecoming import list.csv --kind list``: the other side's list of LIST_ROWS Russian
   renderings linked against the 100,000 register persons.

Prints a table; ``--write-docs`` replaces the ``## Intake`` section of docs/benchmarks.md.
Exits 1 when the 100,000-row import takes 60 s or more.
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
TARGET_S = 60.0


def _run(args, env, capture=True, check=True):
    return subprocess.run(args, env=env, check=check, cwd=ROOT, text=True, capture_output=capture)


def _timed(args, env, check=True):
    start = time.perf_counter()
    res = _run(args, env, check=check)
    return time.perf_counter() - start, res


def bench_one(label: str, database_url: str, files: str, var_dir: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "HOMECOMING_VAR_DIR": var_dir}
    env.pop("HOMECOMING_TESTING", None)
    homecoming = str(BIN / "homecoming")
    worker = [sys.executable, "-m", "bench.intake.worker"]
    _run([homecoming, "migrate", "--noinput", "-v", "0"], env)
    plain = json.loads(_run(worker + ["plain", f"{files}/plain.csv"], env).stdout.strip().splitlines()[-1])
    _run(worker + ["clear"], env)
    ours_s, out = _timed([homecoming, "import", f"{files}/persons.csv", "--kind", "persons", "--source",
                          "benchmark", "--date", "2025-06-01", "--no-progress", "--encoding", "cp1251"], env)
    print(f"[{label}] {out.stdout.strip().splitlines()[-1]} ({ours_s:.1f} s; alternative {plain['seconds']} s)")
    counts = json.loads(_run(worker + ["counts"], env).stdout.strip().splitlines()[-1])
    again_s, again = _timed([homecoming, "import", f"{files}/persons.csv", "--kind", "persons", "--source",
                             "benchmark", "--no-progress", "--encoding", "cp1251"], env, check=False)
    assert again.returncode != 0, again.stdout
    assert json.loads(_run(worker + ["counts"], env).stdout.strip().splitlines()[-1]) == counts
    list_s = 0.0
    if os.path.getsize(f"{files}/list.csv") > 40:  # --list-rows 0: the header only
        list_s, out = _timed([homecoming, "import", f"{files}/list.csv", "--kind", "list", "--source",
                              "benchmark", "--date", "2025-06-07", "--no-progress", "--encoding", "cp1251"], env)
        print(f"[{label}] {out.stdout.strip().splitlines()[-1]} ({list_s:.1f} s)")
    after = json.loads(_run(worker + ["counts"], env).stdout.strip().splitlines()[-1])
    return {"label": label, "plain_s": plain["seconds"], "ours_s": round(ours_s, 1), "again_s": round(again_s, 1),
            "list_s": round(list_s, 1), "counts": counts, "list": after}




def table(results: list[dict], rows: int, list_rows: int) -> str:
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other work), Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the end of the run. "
        f"{rows:,} synthetic persons in a Windows-1251, semicolon-separated CSV "
        "with Ukrainian headers and DD.MM.YYYY dates; the alternative reads the same rows from a UTF-8, "
        "comma-separated file with its own field names (csv.DictReader + bulk_create, batches of 2,000: no "
        "detection, no checks, no duplicate look-up, no search keys, no status history, no audit). "
        "Wall times of the real `homecoming import` command (Django start-up included).",
        "",
        "| database | alternative (no checks) | `homecoming import` persons | written | same file again | "
        f"list of {list_rows:,} Russian renderings, linked against the register | automatic / review |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        c, lst = r["counts"], r["list"]
        lines.append(
            f"| {r['label']} | {r['plain_s']} s | {r['ours_s']} s | {c['persons']:,} persons, {c['keys']:,} search "
            f"keys, {c['events']:,} status events, {c['bulk_audit']} audit event | {r['again_s']} s (refused, "
            f"nothing written) | {r['list_s']} s | {lst['matches']:,} / {lst['review']:,} |")
    return "\n".join(lines)


def write_docs(text: str) -> None:
    write_docs_section("Intake", "`python -m bench.intake --write-docs` (bench/intake/).", text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.intake")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--list-rows", type=int, default=10_000)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/gen.sqlite3", "HOMECOMING_VAR_DIR": tmp}
        _run([sys.executable, "-m", "bench.intake.worker", "generate", tmp, str(args.rows), str(args.list_rows)], env)
        results.append(bench_one("SQLite", f"sqlite:///{tmp}/bench.sqlite3", tmp, tmp))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")) and not args.sqlite_only:
            scratch, drop = postgres_scratch(url, "bench_intake")
            try:
                results.append(bench_one("PostgreSQL", scratch, tmp, tmp))
            finally:
                drop()
    text = table(results, args.rows, args.list_rows)
    print(text)
    if args.write_docs:
        write_docs(text)
    ok = all(r["ours_s"] < TARGET_S for r in results)
    print(f"target ({args.rows:,} rows imported in under {TARGET_S:.0f} s):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
