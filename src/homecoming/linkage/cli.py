"""``homecoming link`` and ``homecoming dedupe`` on CSV files.

``homecoming link --registry REGISTRY.csv --list LIST.csv --out MATCHES.csv [--explain]``
writes ``list_id,registry_id,score,decision,match_weight,rank,list_duplicates``
(+ ``explanation``): one row per list row with its best candidate (``registry_id``
empty when the decision is ``none``), then one ``review`` row per other candidate a
reviewer should see, best first.  ``score`` is the posterior probability that the
registry record is the list row's person.

``homecoming dedupe --registry REGISTRY.csv --out CLUSTERS.csv [--explain]`` writes
``cluster_id,record_id,other_id,score,decision`` (+ ``explanation``): one row per pair
of records that are the same person (``match``; ``cluster_id`` is the smallest id of
the connected group) or that a person should compare (``review``).

Exit codes: 0 done, 2 bad input (message on stderr naming file, row and column; no
output file is written).
"""

from __future__ import annotations

import argparse
import sys

from .csvio import InputError, read_records, write_atomic
from .index import Candidate, LinkageIndex, _no_gc

__all__ = ["main"]


def _explain(c: Candidate, reason: str = "") -> str:
    parts = [f"{f.field} {f.level} {f.weight:+.1f} ({f.list_value or '-'} | {f.registry_value or '-'})"
             for f in c.explanation]
    taken = (f"automatically matched to list row {', '.join(c.taken_by)} on far stronger evidence. "
             if c.taken_by else "")
    return (reason + ". " if reason else "") + taken + "; ".join(parts)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="homecoming", description="Link lists to the register.")
    sub = p.add_subparsers(dest="command", required=True)
    lk = sub.add_parser("link", help="match a list against the register")
    lk.add_argument("--registry", required=True, metavar="REGISTRY.csv")
    lk.add_argument("--list", required=True, metavar="LIST.csv", dest="list_path")
    lk.add_argument("--out", required=True, metavar="MATCHES.csv")
    lk.add_argument("--explain", action="store_true", help="add an explanation column")
    dd = sub.add_parser("dedupe", help="find records of one register that are the same person")
    dd.add_argument("--registry", required=True, metavar="REGISTRY.csv")
    dd.add_argument("--out", required=True, metavar="CLUSTERS.csv")
    dd.add_argument("--explain", action="store_true", help="add an explanation column")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; ``argv`` is e.g. ``["link", "--registry", "r.csv", ...]``."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        with _no_gc():  # reading 10^5 rows makes as many objects and no cycles
            if args.command == "link":
                return _link(args)
            return _dedupe(args)
    except InputError as exc:
        print(f"homecoming {args.command}: {exc}", file=sys.stderr)
        return 2


def _link(args: argparse.Namespace) -> int:
    registry = read_records(args.registry)
    rows = read_records(args.list_path)
    idx = LinkageIndex(registry)
    results = idx.link(rows, explain=args.explain)
    header = ["list_id", "registry_id", "score", "decision", "match_weight", "rank", "list_duplicates"]
    if args.explain:
        header.append("explanation")

    def out_rows():
        for r in results:
            dups = ";".join(r.list_duplicates)
            if not r.candidates:
                row = [r.row_id, "", "0", "none", "", "", dups]
                if args.explain:
                    row.append(r.reason)
                yield row
                continue
            for rank, c in enumerate(r.candidates, start=1):
                dec = r.decision if rank == 1 else "review"
                row = [r.row_id, c.registry_id if dec != "none" else "", f"{c.probability:.6f}", dec,
                       f"{c.match_weight:.2f}", str(rank), dups]
                if args.explain:
                    row.append(_explain(c, r.reason if rank == 1 else ""))
                yield row

    write_atomic(args.out, header, out_rows)
    n = {d: sum(1 for r in results if r.decision == d) for d in ("match", "review", "none")}
    print(f"{len(rows)} list rows against {len(registry)} register records: "
          f"{n['match']} match, {n['review']} review, {n['none']} none -> {args.out}", file=sys.stderr)
    return 0


def _dedupe(args: argparse.Namespace) -> int:
    registry = read_records(args.registry)
    idx = LinkageIndex(registry)
    clusters, pairs = idx.dedupe(explain=args.explain)
    cluster_of = {i: c.cluster_id for c in clusters for i in c.ids}
    header = ["cluster_id", "record_id", "other_id", "score", "decision"]
    if args.explain:
        header.append("explanation")

    def out_rows():
        for a, b, p, dec, ex in pairs:
            row = [cluster_of.get(a, "") if dec == "match" else "", a, b, f"{p:.6f}", dec]
            if args.explain:
                row.append("; ".join(f"{f.field} {f.level} {f.weight:+.1f} ({f.list_value or '-'} | "
                                     f"{f.registry_value or '-'})" for f in ex))
            yield row

    write_atomic(args.out, header, out_rows)
    print(f"{len(registry)} records: {len(clusters)} clusters of the same person, "
          f"{sum(1 for p in pairs if p[3] == 'review')} pairs to review -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
