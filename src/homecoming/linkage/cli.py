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

Reading is tolerant (``--strict`` for the reading before it): the separator, the encoding
(UTF-8 with or without BOM, Windows-1251) and dates in other formats are understood, an
impossible date is kept for what it still says (year and month), a row without a name is
linked on what it has; each such list row says so in the ``notes`` column, and stderr counts
them.  What makes a file unreadable as a list still stops the run.

Exit codes: 0 done, 2 bad input (message on stderr naming file, row and column; no
output file is written).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from .csvio import InputError, Table, read_table, write_atomic
from .index import LinkageIndex, no_gc
from .results import Candidate

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
    lk.add_argument("--strict", action="store_true",
                    help="stop at the first bad cell (a date that is not a date, a row without a name) and read "
                         "only UTF-8, comma-separated files with these column names")
    dd = sub.add_parser("dedupe", help="find records of one register that are the same person")
    dd.add_argument("--registry", required=True, metavar="REGISTRY.csv")
    dd.add_argument("--out", required=True, metavar="CLUSTERS.csv")
    dd.add_argument("--explain", action="store_true", help="add an explanation column")
    dd.add_argument("--strict", action="store_true", help="as for link")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; ``argv`` is e.g. ``["link", "--registry", "r.csv", ...]``."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        with no_gc():  # reading 10^5 rows makes as many objects and no cycles
            if args.command == "link":
                return _link(args)
            return _dedupe(args)
    except InputError as exc:
        print(f"homecoming {args.command}: {exc}", file=sys.stderr)
        return 2


def _read(path: str, strict: bool, notes_column: bool = False) -> Table:
    """Read one input and say on stderr how, and how many of its rows were read with notes."""
    table = read_table(path, strict=strict)
    if table.how:
        print(f"{path}: read as {table.how}", file=sys.stderr)
    if table.notes:
        kinds = Counter("no name" if n.startswith("no name") else "date of birth"
                        for ns in table.notes.values() for n in ns)
        print(f"{path}: {len(table.notes)} of {len(table.records)} rows read with notes ("
              + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + ")"
              + ("; see the notes column" if notes_column else ""), file=sys.stderr)
    return table


def _link(args: argparse.Namespace) -> int:
    registry = _read(args.registry, args.strict).records
    table = _read(args.list_path, args.strict, notes_column=True)
    rows, notes = table.records, table.notes
    idx = LinkageIndex(registry)
    results = idx.link(rows, explain=args.explain)
    header = ["list_id", "registry_id", "score", "decision", "match_weight", "rank", "list_duplicates"]
    if not args.strict:
        header.append("notes")
    if args.explain:
        header.append("explanation")

    def out_rows():
        for r in results:
            dups = ";".join(r.list_duplicates)
            note = ["; ".join(notes.get(r.row_id, ()))] if not args.strict else []
            if not r.candidates:
                row = [r.row_id, "", "0", "none", "", "", dups, *note]
                if args.explain:
                    row.append(r.reason)
                yield row
                continue
            for rank, c in enumerate(r.candidates, start=1):
                dec = r.decision if rank == 1 else "review"
                row = [r.row_id, c.registry_id if dec != "none" else "", f"{c.probability:.6f}", dec,
                       f"{c.match_weight:.2f}", str(rank), dups, *(note if rank == 1 else [""] * len(note))]
                if args.explain:
                    row.append(_explain(c, r.reason if rank == 1 else ""))
                yield row

    write_atomic(args.out, header, out_rows)
    n = {d: sum(1 for r in results if r.decision == d) for d in ("match", "review", "none")}
    print(f"{len(rows)} list rows against {len(registry)} register records: "
          f"{n['match']} match, {n['review']} review, {n['none']} none -> {args.out}", file=sys.stderr)
    return 0


def _dedupe(args: argparse.Namespace) -> int:
    registry = _read(args.registry, args.strict).records
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
