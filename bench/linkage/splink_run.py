"""The same linkage with Splink 5 on DuckDB, writing MATCHES.csv in the same format.

Run as ``python -m bench.linkage.splink_run --registry R.csv --list L.csv --out M.csv``.

A sensible Splink set-up for this data, as its documentation recommends:

- names prepared as Splink users would: full names parsed (with Homecoming's parser,
  so that both engines see the same parts), every Cyrillic name transliterated into
  Latin by one table (Russian ICAO, Ukrainian letters mapped), lower case;
- comparisons: Jaro-Winkler levels on last name and first name with term-frequency
  adjustments, on patronymic; a custom date-of-birth comparison (exact, one or two
  Damerau-Levenshtein edits, same year); service number exact;
- blocking for predictions: last name; date of birth; service number; first name with
  birth year; first 3 letters of last name with first letter of first name;
- training: probability two random records match from deterministic rules, u by
  random sampling, m by expectation maximisation on two blocking rules;
- decisions per list row: ``match`` when the best candidate has probability >= 0.99
  and the runner-up < 0.5; ``review`` for candidates with probability >= 0.05;
  ``none`` otherwise.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import sys
from collections import defaultdict

MATCH_P = 0.99
REVIEW_P = 0.05


def _prepare(path: str) -> list[dict]:
    from homecoming.linkage.csvio import read_table
    from homecoming.linkage.records import normalize_identifier
    from homecoming.names import normalize_key, parse_full_name, transliterate

    def lat(x: str) -> str | None:
        x = normalize_key(x or "").strip(".")
        if not x:
            return None
        return transliterate(x, "icao").lower()

    out = []
    for r in read_table(path).records:  # the same reading as `homecoming link` (tolerant)
        last, first, pat = r.last_name, r.first_name, r.patronymic
        if not (last or first) and r.full_name:
            p = parse_full_name(r.full_name)
            last, first, pat = p.last_name, p.first_name, p.patronymic
        d = r.birth_date
        out.append({
            "id": r.id,
            "last_name": lat(last),
            "first_name": lat(first),
            "patronymic": lat(pat),
            "dob": str(d) if d is not None and d.is_full else None,
            "birth_year": str(d.year) if d is not None else None,
            "service_number": normalize_identifier(r.service_number) or None,
        })
    return out


def run(registry: str, list_path: str, out: str) -> None:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    reg, lst = _prepare(registry), _prepare(list_path)
    db = DuckDBAPI()
    sdf_reg = db.register(reg, dataset_display_name="registry")
    sdf_lst = db.register(lst, dataset_display_name="list")
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.CustomLevel("birth_year_l IS NULL OR birth_year_r IS NULL").configure(is_null_level=True),
            cll.CustomLevel("dob_l = dob_r", "exact"),
            cll.CustomLevel("damerau_levenshtein(dob_l, dob_r) <= 1", "one edit"),
            cll.CustomLevel("damerau_levenshtein(dob_l, dob_r) <= 2", "two edits"),
            cll.CustomLevel("birth_year_l = birth_year_r", "same year"),
            cll.ElseLevel(),
        ],
    )
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="id",
        comparisons=[
            cl.JaroWinklerAtThresholds("last_name", [0.97, 0.9]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("first_name", [0.97, 0.9]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("patronymic", [0.97, 0.9]),
            dob,
            cl.ExactMatch("service_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("last_name"),
            block_on("dob"),
            block_on("service_number"),
            block_on("first_name", "birth_year"),
            block_on("substr(last_name, 1, 3)", "substr(first_name, 1, 1)"),
        ],
        retain_matching_columns=False,
    )
    linker = Linker([sdf_reg, sdf_lst], settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("service_number"), block_on("last_name", "first_name", "dob")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("last_name"))
    pred = linker.inference.predict(threshold_match_probability=REVIEW_P / 10)
    rows = pred.as_duckdbpyrelation().fetchall()
    cols = pred.as_duckdbpyrelation().columns
    i_l, i_r = cols.index("id_l"), cols.index("id_r")
    i_p, i_sl = cols.index("match_probability"), cols.index("source_dataset_l")
    cands: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for r in rows:
        if r[i_sl] == "list":
            lid, rid = r[i_l], r[i_r]
        else:
            lid, rid = r[i_r], r[i_l]
        cands[lid].append((float(r[i_p]), rid))
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["list_id", "registry_id", "score", "decision"])
        for row in lst:
            cs = sorted(cands.get(row["id"], []), reverse=True)
            cs = [c for c in cs if c[0] >= REVIEW_P]
            if not cs:
                w.writerow([row["id"], "", "0", "none"])
                continue
            best = cs[0]
            dec = "match" if best[0] >= MATCH_P and (len(cs) < 2 or cs[1][0] < 0.5) else "review"
            w.writerow([row["id"], best[1], f"{best[0]:.6f}", dec])
            for p, rid in cs[1:]:
                w.writerow([row["id"], rid, f"{p:.6f}", "review"])
    os.replace(tmp, out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry", required=True)
    ap.add_argument("--list", required=True, dest="list_path")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    run(a.registry, a.list_path, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
