"""``make bench``: every benchmark, one after the other, each printing its table.

Each benchmark compares Homecoming with the best alternative in the same run and, with
``--write-docs``, rewrites its own section of docs/benchmarks.md. PostgreSQL runs are included
when ``DATABASE_URL`` points at a server (``make bench`` sets it to the local one when it is up).
The run exits non-zero when any benchmark fails or misses a target it asserts.
"""

from __future__ import annotations

import subprocess
import sys
import time

BENCHMARKS = [
    ("linkage", ["bench.linkage", "--write-docs"]),
    ("register", ["bench.register", "--write-docs"]),
    ("intake", ["bench.intake", "--write-docs"]),
    ("xlsx", ["bench.xlsx", "--write-docs"]),
    ("exchanges", ["bench.exchanges", "--write-docs"]),
    ("operations", ["bench.operations", "--write-docs"]),
    ("reports", ["bench.reports", "--write-docs"]),
    ("remains", ["bench.remains", "--write-docs"]),
    ("audit", ["bench.audit"]),  # prints its table; docs/benchmarks.md, "Audit log", by hand
    ("crawl", ["bench.crawl", "--write-docs"]),
    ("load", ["bench.load", "--write-docs"]),  # last: it takes the whole machine for minutes
]


def main(argv: list[str]) -> int:
    wanted = set(argv) or {name for name, _ in BENCHMARKS}
    unknown = wanted - {name for name, _ in BENCHMARKS}
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    failed = []
    for name, module in BENCHMARKS:
        if name not in wanted:
            continue
        print(f"\n=== bench {name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", *module])  # noqa: S603
        print(f"=== bench {name}: exit {code} in {time.perf_counter() - started:.0f} s ===", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"\nFAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
