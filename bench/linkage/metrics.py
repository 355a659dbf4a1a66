"""Decision-quality metrics of a MATCHES.csv against truth.csv."""

from __future__ import annotations

import csv
from collections import defaultdict


def evaluate(matches_csv: str, truth_csv: str) -> dict:
    """Shares over the list rows:

    - ``wrong_auto``: rows automatically matched to a wrong person (or matched when the
      person is not in the register), over all rows;
    - ``findable_auto``: findable true rows matched automatically to the right person,
      over findable rows;
    - ``right_in_match_or_review``: true rows whose person is among the ``match`` or
      ``review`` candidates, over true rows;
    - ``review``: rows whose decision is ``review``, over all rows.
    """
    truth = {}
    with open(truth_csv, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            truth[r["list_id"]] = (r["registry_id"], r.get("findable", "0") == "1")
    decision: dict[str, str] = {}
    best: dict[str, str] = {}
    shown: dict[str, set[str]] = defaultdict(set)
    with open(matches_csv, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            lid = r["list_id"]
            if lid not in decision:
                decision[lid] = r["decision"]
                best[lid] = r["registry_id"]
            if r["decision"] in ("match", "review") and r["registry_id"]:
                shown[lid].add(r["registry_id"])
    n = len(truth)
    wrong = sum(1 for lid, (t, _) in truth.items() if decision.get(lid) == "match" and best.get(lid) != t)
    findable = [lid for lid, (t, f) in truth.items() if t and f]
    f_ok = sum(1 for lid in findable if decision.get(lid) == "match" and best.get(lid) == truth[lid][0])
    true_rows = [lid for lid, (t, _) in truth.items() if t]
    found = sum(1 for lid in true_rows if truth[lid][0] in shown.get(lid, ()))
    review = sum(1 for lid in truth if decision.get(lid) == "review")
    missing = sum(1 for lid in truth if lid not in decision)
    return {
        "rows": n,
        "wrong_auto": wrong / n,
        "wrong_auto_rows": wrong,
        "findable_rows": len(findable),
        "findable_auto": f_ok / max(len(findable), 1),
        "right_in_match_or_review": found / max(len(true_rows), 1),
        "review": review / n,
        "rows_missing_from_output": missing,
    }


#: probability buckets of the calibration (reliability) tables
BUCKETS = ((0.05, 0.5), (0.5, 0.9), (0.9, 0.99), (0.99, 0.999), (0.999, 1.0000001))


def calibration(matches_csv: str, truth_csv: str) -> list[tuple[str, int, float | None]]:
    """Reliability of the best candidates' probabilities: per bucket of probability, how many
    rows had their best candidate there and the share of those that are the right person (a
    row of somebody the register does not hold is never right).  Probabilities that mean what
    they say have shares inside their bucket."""
    truth = {}
    with open(truth_csv, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            truth[r["list_id"]] = r["registry_id"]
    counts = [[0, 0] for _ in BUCKETS]
    seen: set[str] = set()
    with open(matches_csv, encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["list_id"] in seen:  # the first row of a list row is its best candidate
                continue
            seen.add(r["list_id"])
            if not r["registry_id"]:
                continue
            p = float(r["score"])
            for i, (lo, hi) in enumerate(BUCKETS):
                if lo <= p < hi:
                    counts[i][0] += 1
                    counts[i][1] += truth.get(r["list_id"]) == r["registry_id"]
                    break
    return [(f"{lo:g}–{min(hi, 1):g}", n, (ok / n if n else None)) for (lo, hi), (n, ok) in zip(BUCKETS, counts,
                                                                                             strict=True)]
