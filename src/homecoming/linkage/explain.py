"""Explanations: a pair's comparison as rows a reviewer reads (field, level, bits of
evidence, both values and what the level means), Splink's waterfall."""

from __future__ import annotations

from .listmodel import EM_KEYS, em_keys
from .records import Prepared
from .results import FieldComparison
from .scoring import Levels, Scorer

__all__ = ["explain"]

DATE_NOTES = {
    "exact": "same date",
    "swap": "day and month swapped",
    "typo": "one digit differs (or two adjacent digits transposed)",
    "near": "one day, month or year apart",
    "month": "agree to the month (one date not full)",
    "year": "agree on the year (one date known only to the year)",
    "differ": "different dates",
    "missing": "not known on one side",
}
NAME_NOTES = {
    "same": "same name (after normalisation, transliteration or Ukrainian/Russian equivalence)",
    "close": "a typo away",
    "misread": "one misreading away (a letter a scanner or clerk confuses, or the other gender's ending)",
    "initial": "initial consistent with the name",
    "differ": "different names",
    "missing": "not known on one side",
}
ID_NOTES = {"same": "identical", "close": "one character differs", "differ": "different",
            "missing": "not known on one side"}


def explain(scorer: Scorer, r: Prepared, c: Prepared, levels: Levels, swapped: bool,
            delta: list[float] | None = None) -> list[FieldComparison]:
    """The explanation of one pair; with ``delta`` (what the list taught) the weights are
    those the posterior used."""
    ll, lf, lp, ld, ls, lt = levels
    rl, rf = (r.first, r.last) if swapped else (r.last, r.first)
    adj = dict.fromkeys(("last_name", "first_name", "patronymic", "birth_date"), 0.0)
    if delta is not None:
        for k in em_keys(r, c, levels, swapped):
            adj[EM_KEYS[k][0]] = delta[k]

    def name(fld: str, lvl: str, a, b, note: str = "") -> FieldComparison:
        w = round(scorer.name_weight(fld, lvl, a, b) + adj[fld], 2)
        return FieldComparison(fld, lvl, w, a.text, b.text, NAME_NOTES[lvl] + note)

    out = [
        name("last_name", ll, rl, c.last, " (first and last name swapped)" if swapped else ""),
        name("first_name", lf, rf, c.first),
        name("patronymic", lp, r.patronymic, c.patronymic),
        FieldComparison("birth_date", ld, round(scorer.date_weight(ld, r.birth_date, c.birth_date)
                                                + adj["birth_date"], 2),
                        str(r.birth_date or ""), str(c.birth_date or ""), DATE_NOTES[ld]),
    ]
    for fld, lvl, a, b in (("service_number", ls, r.service_number, c.service_number),
                           ("tax_number", lt, r.tax_number, c.tax_number)):
        if lvl == "missing" and not a and not b:
            continue
        out.append(FieldComparison(fld, lvl, round(scorer.id_weight(fld, lvl), 2), a, b, ID_NOTES[lvl]))
    return out
