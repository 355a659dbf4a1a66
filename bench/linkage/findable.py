"""Findable rows the engine did not match automatically, grouped by the reason it gave, and
every wrong automatic match (docs/linkage.md, section 2, "misread").

    python -m bench.linkage --no-splink --no-febrl --no-dedupe --seed 7   # makes the lists
    python -m bench.linkage.findable --data synthetic2 [--show 10]

Links ``bench/linkage/.work/DATA`` in process and prints, per reason (numbers blanked, so that
"probability 0.998 below ..." rows fall together), how many findable rows it holds and the
first ``--show`` of them: the row as written, the person in the register, the levels.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for p in (ROOT, os.path.join(ROOT, "src")):
    if p not in sys.path:
        sys.path.insert(0, p)

from homecoming.linkage import LinkageIndex  # noqa: E402
from homecoming.linkage.csvio import read_table  # noqa: E402


def _text(r) -> str:
    return " | ".join(str(x or "") for x in (r.last_name, r.first_name, r.patronymic, r.full_name, r.birth_date,
                                             r.service_number))


def report(work: str, show: int) -> list[str]:
    reg = read_table(os.path.join(work, "registry.csv")).records
    rows = read_table(os.path.join(work, "list.csv")).records
    with open(os.path.join(work, "truth.csv"), encoding="utf-8") as f:
        truth = {r["list_id"]: (r["registry_id"], r.get("findable") == "1") for r in csv.DictReader(f)}
    results = LinkageIndex(reg).link(rows, explain=True)
    by_row, by_reg = {r.id: r for r in rows}, {r.id: r for r in reg}
    groups: dict[str, list] = defaultdict(list)
    wrong = []
    for res in results:
        t, findable = truth[res.row_id]
        if res.decision == "match" and res.candidates[0].registry_id != t:
            wrong.append(res)
        if not (t and findable) or (res.decision == "match" and res.candidates[0].registry_id == t):
            continue
        groups[re.sub(r"[0-9.]+", "#", res.reason)].append(res)
    n_f = sum(1 for t, f in truth.values() if t and f)
    out = [f"{n_f} findable rows, {n_f - sum(map(len, groups.values()))} matched automatically to their person"]
    for reason, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        out.append(f"\n{len(items)}: {reason}")
        for res in items[:show]:
            t = truth[res.row_id][0]
            c = next((c for c in res.candidates if c.registry_id == t), None)
            out.append(f"  {res.row_id} {res.decision}: {_text(by_row[res.row_id])}")
            out.append(f"    person {t}: {_text(by_reg[t])}")
            out.append(f"    {c.explain_text() if c else 'not among the candidates'}")
    out.append(f"\nwrong automatic matches: {len(wrong)}")
    for res in wrong:
        t = truth[res.row_id][0]
        out.append(f"  {res.row_id} -> {res.candidates[0].registry_id} (truth {t or 'not in the register'}): "
                   f"{_text(by_row[res.row_id])}; {res.reason}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default=os.path.join(HERE, ".work"))
    ap.add_argument("--data", default="synthetic2", help="synthetic, synthetic2 or febrl4")
    ap.add_argument("--show", type=int, default=10)
    a = ap.parse_args(argv)
    print("\n".join(report(os.path.join(os.path.abspath(a.workdir), a.data), a.show)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
