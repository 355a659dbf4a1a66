"""What learning from reviewers' decisions does (docs/linkage.md, "Learning from reviewers'
decisions"): reviewers are simulated on one list (every automatic match and every review row
decided by the truth: the right candidate confirmed, every other rejected), the model is
learnt from their decisions (homecoming.linkage.learning, as ``homecoming linkage-learn``
does), and another list, of another seed, is linked with the built-in and with the learnt model.

    python -m bench.linkage.learn                         # generate2.py, learn on seed 7, test on seed 11
    python -m bench.linkage.learn --generator 1 --train-seed 11 --test-seed 7
"""

from __future__ import annotations

import argparse
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for p in (ROOT, os.path.join(ROOT, "src")):
    if p not in sys.path:
        sys.path.insert(0, p)

from bench.linkage.metrics import BUCKETS  # noqa: E402
from homecoming.linkage import LinkageIndex  # noqa: E402
from homecoming.linkage.csvio import read_table  # noqa: E402
from homecoming.linkage.learning import Label, learn, params_with  # noqa: E402
from homecoming.linkage.model import Params  # noqa: E402


def _data(generator: int, seed: int, work: str, n_reg: int, n_list: int) -> dict:
    out = os.path.join(work, f"learn-g{generator}-s{seed}")
    paths = {k: os.path.join(out, f"{k}.csv") for k in ("registry", "list", "truth")}
    if not all(os.path.exists(p) for p in paths.values()):
        if generator == 1:
            from bench.linkage.generate import generate

            generate(out, n_reg, n_list, seed)
        else:
            from bench.linkage.generate2 import generate2

            generate2(out, n_reg, n_list, seed)
    return paths


def _link(paths: dict, params: Params):
    reg = read_table(paths["registry"]).records
    rows = read_table(paths["list"]).records
    with open(paths["truth"], encoding="utf-8") as f:
        truth = {r["list_id"]: (r["registry_id"], r.get("findable") == "1") for r in csv.DictReader(f)}
    return LinkageIndex(reg, params).link(rows, explain=True), truth


def reviewers(results, truth) -> list[Label]:
    """Every automatic match and every review row decided by the truth."""
    labels = []
    for res in results:
        if res.decision not in ("match", "review"):
            continue
        t = truth[res.row_id][0]
        for i, c in enumerate(res.candidates):
            labels.append(Label({f.field: f.level for f in c.explanation}, c.probability, i == 0,
                                bool(t) and c.registry_id == t))
    return labels


def measure(results, truth) -> dict:
    n = len(results)
    findable = [r for r in results if truth[r.row_id][0] and truth[r.row_id][1]]
    true_rows = [r for r in results if truth[r.row_id][0]]
    cal = [[0, 0] for _ in BUCKETS]
    for r in results:
        if r.candidates:
            p = r.candidates[0].probability
            for i, (lo, hi) in enumerate(BUCKETS):
                if lo <= p < hi:
                    cal[i][0] += 1
                    cal[i][1] += r.candidates[0].registry_id == truth[r.row_id][0]
    return {
        "wrong": sum(r.decision == "match" and r.candidates[0].registry_id != truth[r.row_id][0] for r in results),
        "findable_auto": sum(r.decision == "match" and r.candidates[0].registry_id == truth[r.row_id][0]
                             for r in findable) / max(len(findable), 1),
        "right_shown": sum(truth[r.row_id][0] in {c.registry_id for c in r.candidates} for r in true_rows)
        / max(len(true_rows), 1),
        "review": sum(r.decision == "review" for r in results) / n,
        "calibration": cal,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default=os.path.join(HERE, ".work"))
    ap.add_argument("--generator", type=int, default=2, choices=(1, 2))
    ap.add_argument("--train-seed", type=int, default=7)
    ap.add_argument("--test-seed", type=int, default=11)
    ap.add_argument("--register-size", type=int, default=50_000)
    ap.add_argument("--list-size", type=int, default=3_000)
    ap.add_argument("--min-count", type=int, default=30)
    a = ap.parse_args(argv)
    work = os.path.abspath(a.workdir)
    train = _data(a.generator, a.train_seed, work, a.register_size, a.list_size)
    test = _data(a.generator, a.test_seed, work, a.register_size, a.list_size)
    labels = reviewers(*_link(train, Params()))
    learnt = learn(Params(), labels, min_count=a.min_count)
    c = learnt.counts
    print(f"generate{'' if a.generator == 1 else '2'}.py: learnt on seed {a.train_seed} from {c['labels']} decided "
          f"candidates ({c['confirmed']} confirmed, {c['rejected']} rejected); weights moved: "
          f"{', '.join(c['updated']) or 'none'}")
    for fld, lv in learnt.m.items():
        moved = {k: f"{Params().m[fld][k]:.3f} -> {v:.3f}" for k, v in lv.items()
                 if abs(v - Params().m[fld][k]) > 1e-4}
        if moved:
            print(f"  {fld}: {moved}")
    for note in learnt.notes:
        print(f"  {note}")
    before = measure(*_link(test, Params()))
    after = measure(*_link(test, params_with(learnt.m, learnt.thresholds)))
    print(f"\nlinked seed {a.test_seed}:\n")
    print("| model | wrong automatic | findable matched automatically | right person in match/review | review |")
    print("| --- | --- | --- | --- | --- |")
    for name, m in (("built-in", before), ("learnt", after)):
        print(f"| {name} | {m['wrong']} | {100 * m['findable_auto']:.2f}% | {100 * m['right_shown']:.2f}% | "
              f"{100 * m['review']:.2f}% |")
    print("\n| probability | built-in rows | right | learnt rows | right |\n| --- | --- | --- | --- | --- |")
    for (lo, hi), (bn, br), (an, ar) in zip(BUCKETS, before["calibration"], after["calibration"], strict=True):
        print(f"| {lo:g}–{min(hi, 1):g} | {bn} | {100 * br / bn if bn else 0:.1f}% | {an} | "
              f"{100 * ar / an if an else 0:.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
