"""Crawler: every staff page of the 100,000-person demo, as each role reaches it, timed.

    python -m bench.crawl [--persons 100000] [--quick] [--write-docs] [--fresh] [--only sqlite|postgresql]

1. Two databases side by side: SQLite (var/bench-crawl/) and, when DATABASE_URL names a
   PostgreSQL server, a scratch database beside it (``<name>_bench_crawl``). Both are kept between
   runs (the demo of 100,000 persons takes minutes to load); ``--fresh`` starts them anew.
2. ``homecoming migrate``, collectstatic and ``homecoming demo --persons N --seed 2025`` (idempotent).
3. bench.crawl.walk signs in as every demo account and follows every link from the start page
   (at most 2 URLs per URL name and role, each requested 3 times, the median kept).

Targets (issue 19): every staff page under 1 s, p95 under 300 ms. The run exits 1 when a target
is missed or a page offers a link that does not answer 200, so the table says what to fix first.
``--quick`` (10,000 persons, one request per page) checks the harness, not the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import postgres_scratch, write_docs_section

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PAGE_MS, P95_MS = 1000, 300


def _pg(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def _env(database: str, var_dir: Path, url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["HOMECOMING_VAR_DIR"] = str(var_dir)
    env["PYTHONPATH"] = str(ROOT)
    if url:
        env["DATABASE_URL"] = url
    return env


def run_one(database: str, url: str | None, var_dir: Path, persons: int, walk_args: list[str]) -> dict:
    env = _env(database, var_dir, url)
    var_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([BIN / "homecoming", "migrate", "--noinput"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([BIN / "homecoming", "collectstatic", "--noinput", "--verbosity", "0"], env=env, cwd=ROOT,
                   check=True)
    subprocess.run([BIN / "homecoming", "demo", "--persons", str(persons), "--seed", "2025"], env=env, cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    print(f"{database}: demo ready in {time.perf_counter() - started:.0f} s", flush=True)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run([sys.executable, "-m", "bench.crawl.walk", out.name, *walk_args], env=env, cwd=ROOT,
                       check=True)
        result = json.loads(Path(out.name).read_text())
    result["database"] = database
    return result


def summary(result: dict) -> dict:
    times = sorted(p["ms"] for p in result["pages"])
    if not times:
        return {"pages": 0, "p50": None, "p95": None, "max": None, "over_page": 0, "over_p95": 0}
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return {"pages": len(times), "p50": statistics.median(times), "p95": p95, "max": times[-1],
            "over_page": sum(t >= PAGE_MS for t in times), "over_p95": sum(t >= P95_MS for t in times)}


def slowest(result: dict, n: int = 15) -> list[dict]:
    """The slowest page of each URL name, slowest first."""
    worst: dict[str, dict] = {}
    for page in result["pages"]:
        if page["name"] not in worst or page["ms"] > worst[page["name"]]["ms"]:
            worst[page["name"]] = page
    return sorted(worst.values(), key=lambda p: -p["ms"])[:n]


def report(results: list[dict], persons: int) -> str:
    lines = [f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python "
             f"{platform.python_version()}; the demo register of {persons:,} synthetic persons (seed 2025) and "
             f"the demo scenario. Each demo account (one per role) starts at its start page and follows every "
             f"link its pages show (downloads aside), at most 2 URLs of one URL name per role; each page is "
             f"requested 3 times in-process (Django's test client, no network) and its median kept. Targets: "
             f"every page under {PAGE_MS} ms, p95 under {P95_MS} ms.", "",
             "| database | pages | p50 ms | p95 ms | slowest ms | pages ≥ 1 s | pages ≥ 300 ms | broken links |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        s = summary(r)
        lines.append(f"| {r['database']} | {s['pages']} | {s['p50']:.0f} | {s['p95']:.0f} | {s['max']:.0f} | "
                     f"{s['over_page']} | {s['over_p95']} | {len(r['broken'])} |")
    for r in results:
        lines += ["", f"Slowest pages on {r['database']} (the slowest URL of each URL name):", "",
                  "| page (URL name) | role | URL | median ms | first request ms | SQL queries |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for p in slowest(r):
            lines.append(f"| `{p['name']}` | {p['role']} | `{p['path']}` | {p['ms']:.0f} | {p['cold_ms']:.0f} | "
                         f"{p['queries']} |")
        if r["broken"]:
            lines += ["", "Links that did not answer 200:", ""]
            lines += [f"- {b['role']}: `{b['path']}` ({b['name']}) answered {b['status']}" for b in r["broken"][:20]]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args(argv)
    persons = args.persons or (10_000 if args.quick else 100_000)
    walk_args = ["--repeat", "1"] if args.quick else []
    results = []
    if args.only != "postgresql":
        var_dir = ROOT / "var" / f"bench-crawl-{persons}"
        if args.fresh and var_dir.exists():
            for f in var_dir.glob("homecoming.sqlite3*"):
                f.unlink()
        results.append(run_one("SQLite", None, var_dir, persons, walk_args))
    url = os.environ.get("DATABASE_URL", "")
    if args.only != "sqlite" and _pg(url):
        scratch, _drop = postgres_scratch(url, f"bench_crawl_{persons}", keep=True, fresh=args.fresh)
        results.append(run_one("PostgreSQL", scratch, ROOT / "var" / "bench-crawl-pg", persons, walk_args))
    elif args.only != "sqlite":
        print("PostgreSQL: DATABASE_URL names no PostgreSQL server; the crawl runs on SQLite only.")
    text = report(results, persons)
    print(text)
    if args.write_docs and not args.quick:
        write_docs_section("Every staff page (crawler)", "`python -m bench.crawl` (issue 19).", text)
    missed = [r["database"] for r in results
              if summary(r)["over_page"] or (summary(r)["p95"] or 0) >= P95_MS or r["broken"]]
    if missed and not args.quick:
        print(f"Targets missed or broken links on: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
