"""The linkage core before and after a refactoring: the same answers, at the same speed.

    python -m bench.linkage.same [--base d15b151] [--repeats 5] [--dedupe-size 20000] [--write-docs]

The package ``homecoming.linkage`` as it was at commit ``--base`` is written from git into
a scratch directory under another name, so that both run in one process on the same data:
the benchmark's lists (generate.py's and generate2.py's, register 50,000 x list 3,000) and
a register for deduplication.  Every row's decision, reason, list duplicates, every
candidate's probability, weight, decision and explanation, and every dedupe pair and
cluster must be equal (floats compared exactly); so must what both readers make of the
files.  Then ``link`` is timed through each version's own command line, the two in turn
(old, new, old, new ...), as whole processes: medians and the ratio new/old, pair by pair.
A refactoring that changes nothing should stay within 5%.  Exits 1 if an answer differs;
``--write-docs`` rewrites the section "Linkage core before and after" of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for p in (ROOT, os.path.join(ROOT, "src")):
    if p not in sys.path:
        sys.path.insert(0, p)

from bench.linkage.generate import generate, generate_register  # noqa: E402
from bench.linkage.generate2 import generate2  # noqa: E402
from bench.linkage.run import timed  # noqa: E402

OLD = "hc_linkage_old"


def materialise(base: str, into: str) -> str:
    """Write ``src/homecoming/linkage`` at commit ``base`` into ``into/hc_linkage_old``."""
    pkg = os.path.join(into, OLD)
    os.makedirs(pkg, exist_ok=True)
    names = subprocess.run(["git", "ls-tree", "--name-only", f"{base}:src/homecoming/linkage"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split()
    for name in names:
        if name.endswith(".py"):
            text = subprocess.run(["git", "show", f"{base}:src/homecoming/linkage/{name}"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout
            with open(os.path.join(pkg, name), "w", encoding="utf-8") as f:
                f.write(text)
    return into


def _link_answers(mod, registry, rows) -> list[dict]:
    return [r.to_dict() for r in mod.LinkageIndex(registry).link(rows, explain=True)]


def _dedupe_answers(mod, registry) -> tuple[list, list]:
    clusters, pairs = mod.LinkageIndex(registry).dedupe(explain=True)
    return ([(c.cluster_id, c.ids, c.pairs) for c in clusters],
            [(a, b, p, d, [(f.field, f.level, f.weight, f.list_value, f.registry_value, f.note) for f in ex])
             for a, b, p, d, ex in pairs])


def _records(table) -> list[tuple]:
    return [(r.id, r.last_name, r.first_name, r.patronymic, r.full_name, str(r.birth_date), r.service_number,
             r.tax_number, r.aliases) for r in table.records]


def _first_difference(a: list, b: list) -> str:
    if len(a) != len(b):
        return f"{len(a)} answers against {len(b)}"
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x != y:
            return f"answer {i}: {x!r}\n  against {y!r}"
    return ""


def compare(old, new, old_csv, new_csv, lists: dict[str, dict], dedupe_path: str) -> list[str]:
    """Every answer of both versions; a line per list, and what differs."""
    lines, bad = [], []
    for name, paths in lists.items():
        tables = [(csvio.read_table(paths["registry"]), csvio.read_table(paths["list"]))
                  for csvio in (old_csv, new_csv)]
        for i in (0, 1):
            diff = _first_difference(_records(tables[0][i]), _records(tables[1][i]))
            if diff or tables[0][i].notes != tables[1][i].notes or tables[0][i].how != tables[1][i].how:
                bad.append(f"{name}: the readers differ: {diff}")
        # each version on what its own reader made (a date of one is not equal to the other's)
        reg, rows = tables[1][0].records, tables[1][1].records
        a, b = _link_answers(old, tables[0][0].records, tables[0][1].records), _link_answers(new, reg, rows)
        diff = _first_difference(a, b)
        if diff:
            bad.append(f"{name}: link differs: {diff}")
        decisions = {d: sum(1 for r in b if r["decision"] == d) for d in ("match", "review", "none")}
        cands = sum(len(r["candidates"]) for r in b)
        lines.append(f"| {name}: link | {len(rows):,} rows, {decisions['match']} match / {decisions['review']} "
                     f"review / {decisions['none']} none, {cands:,} candidates | {'same' if not diff else 'DIFFERS'} |")
    reg = new_csv.read_table(dedupe_path).records
    a, b = _dedupe_answers(old, old_csv.read_table(dedupe_path).records), _dedupe_answers(new, reg)
    diff = _first_difference(a[0], b[0]) or _first_difference(a[1], b[1])
    if diff:
        bad.append(f"dedupe differs: {diff}")
    lines.append(f"| dedupe, register {len(reg):,} | {len(b[0]):,} clusters, {len(b[1]):,} pairs | "
                 f"{'same' if not diff else 'DIFFERS'} |")
    return lines + bad


def time_both(old_dir: str, paths: dict, repeats: int, work: str) -> list[str]:
    """``link`` through both command lines in turn; medians and the new/old ratio."""
    args = ["link", "--registry", paths["registry"], "--list", paths["list"], "--out"]
    env_old = os.pathsep.join([old_dir, os.path.join(ROOT, "src")])
    old_cmd = ["env", f"PYTHONPATH={env_old}", sys.executable, "-m", f"{OLD}.cli", *args,
               os.path.join(work, "old.csv")]
    new_cmd = [sys.executable, "-m", "homecoming.linkage.cli", *args, os.path.join(work, "new.csv")]
    olds, news = [], []
    for _ in range(repeats + 1):  # the first pair warms the file cache and is not counted
        for cmd, out in ((old_cmd, olds), (new_cmd, news)):
            secs, _, rc, err, cpu = timed(cmd)
            if rc != 0:
                raise SystemExit(f"{' '.join(cmd)} failed ({rc}): {err}")
            out.append((secs, cpu))
    olds, news = olds[1:], news[1:]
    ratios = [n[1] / o[1] for o, n in zip(olds, news, strict=True)]
    with open(os.path.join(work, "old.csv"), "rb") as f1, open(os.path.join(work, "new.csv"), "rb") as f2:
        same_out = f1.read() == f2.read()
    return [f"| wall s, median of {repeats} | {statistics.median(s for s, _ in olds):.2f} | "
            f"{statistics.median(s for s, _ in news):.2f} |",
            f"| CPU s, median of {repeats} | {statistics.median(c for _, c in olds):.2f} | "
            f"{statistics.median(c for _, c in news):.2f} |",
            f"| CPU ratio new/old pair by pair: median (min-max) | {statistics.median(ratios):.3f} "
            f"({min(ratios):.3f}-{max(ratios):.3f}) | |",
            f"| output files byte for byte | {'same' if same_out else 'DIFFER'} | |"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="d15b151", help="the commit of the version before")
    ap.add_argument("--workdir", default=os.path.join(ROOT, "bench", "linkage", ".work"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--register-size", type=int, default=50_000)
    ap.add_argument("--list-size", type=int, default=3_000)
    ap.add_argument("--dedupe-size", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=5, help="timed pairs of runs (0: compare only)")
    ap.add_argument("--write-docs", action="store_true", help="rewrite this benchmark's section of docs/benchmarks.md")
    a = ap.parse_args(argv)
    work = os.path.abspath(a.workdir)
    os.makedirs(work, exist_ok=True)
    lists = {"generate.py": generate(os.path.join(work, "synthetic"), a.register_size, a.list_size, a.seed),
             "generate2.py": generate2(os.path.join(work, "synthetic2"), a.register_size, a.list_size, a.seed)}
    dedupe_path = os.path.join(work, f"dedupe-{a.dedupe_size}.csv")
    generate_register(dedupe_path, a.dedupe_size, truth_path=os.path.join(work, f"dedupe-{a.dedupe_size}-truth.csv"))
    with tempfile.TemporaryDirectory(prefix="linkage-old-") as old_dir:
        materialise(a.base, old_dir)
        sys.path.insert(0, old_dir)
        old, old_csv = importlib.import_module(OLD), importlib.import_module(f"{OLD}.csvio")
        import homecoming.linkage as new
        import homecoming.linkage.csvio as new_csv

        load0 = os.getloadavg()[0]
        out = [f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}; "
               f"seed {a.seed}.", "", f"Answers of {a.base} (old) and of the working tree (new):", "",
               "| input | answers | old = new |", "| --- | --- | --- |"]
        lines = compare(old, new, old_csv, new_csv, lists, dedupe_path)
        out += [x for x in lines if x.startswith("|")]
        bad = [x for x in lines if not x.startswith("|")]
        if a.repeats:
            out += ["", f"`homecoming link` (generate.py's register {a.register_size:,} x list {a.list_size:,}), "
                    "old and new in turn, whole processes (wait4 rusage):", "", "| figure | old | new |",
                    "| --- | --- | --- |", *time_both(old_dir, lists["generate.py"], a.repeats, work)]
        out += ["", f"Load average (1 min) at the start and the end: {load0:.1f}, {os.getloadavg()[0]:.1f}."]
    text = "\n".join(out)
    print(text)
    for x in bad:
        print(x, file=sys.stderr)
    if a.write_docs and not bad:
        from bench.common import write_docs_section

        write_docs_section("Linkage core before and after", "`python -m bench.linkage.same --write-docs` "
                           "(bench/linkage/same.py): the linkage core of commit `--base` against the working tree, "
                           "the same answers at the same speed.", text)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
