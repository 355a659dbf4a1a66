"""The same linkage with Splink 5 on DuckDB, writing MATCHES.csv in the same format.

Run as ``python -m bench.linkage.splink_run --registry R.csv --list L.csv --out M.csv``
(``--weak`` for the configuration the benchmark used before issue 18).

A fair Splink set-up for this data (issue 18: the comparison must be against a competent
configuration, not a weak one):

- the same reading as ``homecoming link`` (tolerant CSV, the same full-name parser), so that
  both engines see the same parts;
- Ukrainian and Russian brought to one form through the same libraries: first names and
  patronymics to their Russian form by names-translator's dictionaries (Олександр,
  Александр → александр), then every Cyrillic name transliterated by one table (Russian
  ICAO, Ukrainian letters mapped), Latin lower-cased with its diacritics folded;
- comparisons with levels for what lists do: last name exact (term frequencies), Jaro-Winkler
  0.95 and 0.88, an initial, swapped with the first name; first name exact (term
  frequencies), Jaro-Winkler 0.92, an initial, swapped; patronymic exact, Jaro-Winkler 0.9,
  an initial; date of birth exact, day and month swapped, one digit or two adjacent digits
  transposed, within a year (two edits), same year; service number exact;
- blocking: last name; first letters of last and first name; date of birth; service number;
  first name with year of birth; last name against first name (swapped);
- training: u by random sampling, the prior from deterministic rules, m by expectation
  maximisation on two blocking rules;
- decisions chosen for precision: ``match`` when the best candidate has probability >= 0.999
  and the runner-up < 0.01 (the loosest that made no wrong match on generate.py's list, seed
  7: at 0.99 / 0.05 it matched 88% of the findable rows, but one of them wrongly);
  ``review`` for candidates with probability >= 0.05.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import sys
from collections import defaultdict

MATCH_P = 0.999
RUNNER_UP_P = 0.01
REVIEW_P = 0.05


def _prepare(path: str, weak: bool = False) -> list[dict]:
    from homecoming.linkage.csvio import read_table
    from homecoming.linkage.records import normalize_identifier
    from homecoming.names import normalize_key, parse_full_name, transliterate
    from homecoming.names.equivalence import equivalents
    from homecoming.names.normalize import fold_diacritics

    def one_form(x: str, kind: str | None) -> str:
        """A Cyrillic first name or patronymic as its Russian dictionary form (one of them,
        always the same), so that Олександр and Александр are one string."""
        if kind is None or weak or not any("\u0400" <= c <= "\u04ff" for c in x):
            return x
        forms = sorted(f for f in equivalents(x, kind) if not set(f) & set("іїєґ'"))
        return forms[0] if forms else x

    def lat(x: str, kind: str | None = None) -> str | None:
        x = normalize_key(x or "").strip(".")
        if not x:
            return None
        return fold_diacritics(transliterate(one_form(x, kind), "icao").lower())

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
            "first_name": lat(first, "first"),
            "patronymic": lat(pat, "patronymic"),
            "dob": str(d) if d is not None and d.is_full else None,
            "dob_swapped": f"{d.year:04d}-{d.day:02d}-{d.month:02d}" if d is not None and d.is_full else None,
            "birth_year": str(d.year) if d is not None else None,
            "service_number": normalize_identifier(r.service_number) or None,
        })
    return out


def _fair_settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def name(col: str, thresholds: list[float], tf: bool, other: str | None):
        levels = [cll.NullLevel(col), cll.ExactMatchLevel(col, term_frequency_adjustments=tf)]
        levels += [cll.JaroWinklerLevel(col, t) for t in thresholds]
        # rare levels keep a fixed m (EM on a list that never shows them drives m to 0, which Splink
        # refuses), as Splink's documentation advises for levels the training data barely holds
        levels.append(cll.CustomLevel(f"(length({col}_l) = 1 OR length({col}_r) = 1) AND "
                                      f"substr({col}_l, 1, 1) = substr({col}_r, 1, 1)", "initial")
                      .configure(m_probability=0.03, fix_m_probability=True))
        if other:
            levels.append(cll.CustomLevel(f"{col}_l = {other}_r AND {other}_l = {col}_r", "swapped")
                          .configure(m_probability=0.01, fix_m_probability=True))
        levels.append(cll.ElseLevel())
        return cl.CustomComparison(output_column_name=col, comparison_levels=levels)

    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.CustomLevel("birth_year_l IS NULL OR birth_year_r IS NULL").configure(is_null_level=True),
            cll.CustomLevel("dob_l = dob_r", "exact"),
            cll.CustomLevel("dob_l = dob_swapped_r", "day and month swapped")
            .configure(m_probability=0.01, fix_m_probability=True),
            cll.CustomLevel("damerau_levenshtein(dob_l, dob_r) <= 1", "one digit"),
            cll.CustomLevel("damerau_levenshtein(dob_l, dob_r) <= 2", "two digits"),
            cll.CustomLevel("birth_year_l = birth_year_r", "same year"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="id",
        comparisons=[
            name("last_name", [0.95, 0.88], True, "first_name"),
            name("first_name", [0.92], True, "last_name"),
            name("patronymic", [0.9], False, None),
            dob,
            cl.ExactMatch("service_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("last_name"),
            block_on("substr(last_name, 1, 3)", "substr(first_name, 1, 1)"),
            block_on("dob"),
            block_on("service_number"),
            block_on("first_name", "birth_year"),
            "l.last_name = r.first_name AND l.first_name = r.last_name",
        ],
        retain_matching_columns=False,
    )


def _weak_settings():
    """The benchmark's configuration before issue 18 (for comparison only)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

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
    return SettingsCreator(
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


def run(registry: str, list_path: str, out: str, weak: bool = False, match_p: float = MATCH_P,
        runner_up_p: float = RUNNER_UP_P) -> None:
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    reg, lst = _prepare(registry, weak), _prepare(list_path, weak)
    db = DuckDBAPI()
    sdf_reg = db.register(reg, dataset_display_name="registry")
    sdf_lst = db.register(lst, dataset_display_name="list")
    settings = _weak_settings() if weak else _fair_settings()
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
            dec = "match" if best[0] >= match_p and (len(cs) < 2 or cs[1][0] < runner_up_p) else "review"
            w.writerow([row["id"], best[1], f"{best[0]:.6f}", dec])
            for p, rid in cs[1:]:
                w.writerow([row["id"], rid, f"{p:.6f}", "review"])
    os.replace(tmp, out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry", required=True)
    ap.add_argument("--list", required=True, dest="list_path")
    ap.add_argument("--out", required=True)
    ap.add_argument("--weak", action="store_true", help="the configuration used before issue 18 (match at 0.99, "
                                                          "runner-up below 0.5)")
    ap.add_argument("--match-p", type=float, default=MATCH_P)
    ap.add_argument("--runner-up-p", type=float, default=RUNNER_UP_P)
    a = ap.parse_args(argv)
    if a.weak:
        a.match_p, a.runner_up_p = 0.99, 0.5
    run(a.registry, a.list_path, a.out, a.weak, a.match_p, a.runner_up_p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
