"""Decisions: ``match`` (safe to accept automatically), ``review`` or ``none``, and why.

The rules look at the levels as well as the probability: a probability alone would let
names outweigh a missing date of birth, and namesakes are common."""

from __future__ import annotations

from collections.abc import Sequence

from .dates import STRONG_DATE_LEVELS
from .explain import explain
from .listmodel import Scored
from .model import Params
from .records import Prepared
from .results import Candidate
from .scoring import Scorer

__all__ = ["MATCH", "REVIEW", "NONE", "rule", "decide"]

MATCH, REVIEW, NONE = "match", "review", "none"
_GOOD = ("same", "close")
_AGREE = ("same", "close", "misread")


def rule(params: Params, p: float, levels: Sequence[str], twin: bool = False,
         names_only: bool = False) -> tuple[str, str]:
    """The decision rules for one candidate with posterior ``p`` and comparison
    ``levels`` (last, first, patronymic, date, service number, tax number):
    ``("match", why)`` or ``("review", why)``.

    1. An identifier that agrees decides, unless another record shares it, the
       names contradict it (neither last nor first name agrees), or another
       identifier differs.
    2. An identifier that differs is never a match.
    3. Otherwise a match needs a discriminating date of birth (both full, equal or a
       typical error away), last name same or a typo away, first name same, a typo
       away or a consistent initial (or, with an exact date, one of last and first
       name missing and the other the same), patronymic not different, and ``p`` at least
       ``match_threshold`` (exact date) or ``match_threshold_date_error``.
    4. Names alone are enough only when ``names_only`` is allowed (linking a list
       against a register of at least ``names_only_min_register`` records, whose
       name frequencies are measured): surname, first name and patronymic all the
       same, both dates known to the year and agreeing as far as known, and ``p`` at
       least ``match_threshold_names_only``.  Otherwise names alone are never
       enough: namesakes are common."""
    ll, lf, lp, ld, ls, lt = levels
    if ls == "same" or lt == "same":
        return _identifier_rule(ll, lf, ls, lt, twin)
    if ls == "differ" or lt == "differ":
        return REVIEW, "identifier differs"
    if ld not in STRONG_DATE_LEVELS:
        if (names_only and ld in ("year", "month") and ll == lf == lp == "same"
                and p >= params.match_threshold_names_only):
            return MATCH, (f"surname, first name and patronymic the same, year of birth agrees; "
                           f"no likely namesake (probability {p:.5f})")
        return REVIEW, ("names only: without a full date of birth or an identifier, "
                        "a namesake cannot be ruled out")
    # a misreading counts as agreeing (the probability carries its weaker weight)
    names_ok = ll in _AGREE and lf in (*_AGREE, "initial")
    # one name part missing: the other must be the same and the date exact
    one_missing = ld == "exact" and ((ll == "same" and lf == "missing") or (lf == "same" and ll == "missing"))
    if not (names_ok or one_missing) or lp == "differ":
        return REVIEW, "date of birth agrees but the names disagree"
    thr = params.match_threshold if ld == "exact" else params.match_threshold_date_error
    if p < thr:
        return REVIEW, f"probability {p:.3f} below the automatic threshold {thr}"
    return MATCH, f"names and date of birth ({ld}) agree; probability {p:.4f}"


def _identifier_rule(ll: str, lf: str, ls: str, lt: str, twin: bool) -> tuple[str, str]:
    if twin:
        return REVIEW, "identifier shared by more than one register record"
    if ll not in _AGREE and lf not in _AGREE:
        return REVIEW, "identifier agrees but the names do not"
    if ls == "differ" or lt == "differ":
        return REVIEW, "one identifier agrees, another differs"
    return MATCH, "identifier agrees and the names are consistent"


def decide(scorer: Scorer, r: Prepared, scored: list[Scored], log_prior: float, explain_: bool,
           delta: list[float] | None = None, rule_p: float | None = None) -> tuple[str, list[Candidate], str]:
    """The decision for one row from its candidates, best first; the candidates a
    reviewer should see; and why.  ``rule_p``: the probability the automatic-match rule
    sees for the best candidate (default: its probability in ``scored``); with it, names
    alone may match against a large register."""
    prm = scorer.params
    if not scored:
        return NONE, [], "no candidate shares a name key, a date of birth or an identifier"
    best = scored[0]
    lv = best.levels
    twin = (lv.service == "same" and any(o.levels.service == "same" for o in scored[1:])) or (
        lv.tax == "same" and any(o.levels.tax == "same" for o in scored[1:]))
    names_only = rule_p is not None and len(scorer.recs) >= prm.names_only_min_register
    decision, reason = rule(prm, best.probability if rule_p is None else min(best.probability, rule_p), lv, twin,
                            names_only)
    cands = []
    id_shown = False
    for i, s in enumerate(scored):
        same_id = s.levels.shares_identifier
        # a shared identifier is always shown, however the names disagree
        if s.probability < prm.review_threshold and not same_id:
            continue
        id_shown |= same_id
        c = Candidate(s.id, round(s.probability, 6), round(log_prior + s.weight, 2),
                      MATCH if (i == 0 and decision == MATCH) else REVIEW)
        if explain_:
            c.explanation = explain(scorer, s.row or r, s.cand or scorer.recs[s.id], s.levels, s.swapped, delta)
        cands.append(c)
    total = sum(c.probability for c in cands)
    if decision != MATCH and (not cands or (total < prm.row_review_floor and not id_shown)):
        return NONE, [], f"no candidate is probable enough to show (together {total:.3g})"
    return decision, cands, reason
