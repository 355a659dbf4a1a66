"""List consistency: a list names each person once.

After every row is decided on its own, the list as a whole is looked at: rows that are the
same person are flagged (:func:`flag_list_duplicates`), a review row far ahead of its
runner-up and named by no other row is matched (:func:`match_by_the_list`), and a review
candidate that another row took on far stronger evidence is shown last
(:func:`demote_taken`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import NamedTuple

from .blocking import Block
from .compare import compare_dates, compare_identifiers, compare_names
from .dates import STRONG_DATE_LEVELS
from .decision import MATCH, NONE, REVIEW
from .listmodel import Scored
from .model import Params
from .records import Prepared
from .results import Candidate, RowResult

__all__ = ["Evidence", "flag_list_duplicates", "match_by_the_list", "demote_taken"]

_GOOD = ("same", "close")


class Evidence(NamedTuple):
    """What a row's decision rested on: its two best candidates (``top``) and the
    probability of the best under the fixed model (``rule_p``; ``None`` without one)."""

    top: list[Scored]
    rule_p: float | None


def flag_list_duplicates(prepared: list[Prepared], results: list[RowResult]) -> None:
    """Rows matched to the same record, and rows that agree with each other strongly
    (matched or not), are flagged in each other's ``list_duplicates``."""
    by_target: dict[str, list[int]] = defaultdict(list)
    for i, res in enumerate(results):
        if res.decision == MATCH:
            by_target[res.candidates[0].registry_id].append(i)
    dup: dict[int, set[int]] = defaultdict(set)
    for idxs in by_target.values():
        for i in idxs:
            dup[i] |= set(idxs) - {i}
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, p in enumerate(prepared):
        for k in p.last.keys:
            for fi in p.first.initials or ("?",):
                blocks[(Block.SURNAME_INITIAL, k, fi)].append(i)
        if p.service_number:
            blocks[(Block.SERVICE, p.service_number)].append(i)
    seen: set[tuple[int, int]] = set()
    for idxs in blocks.values():
        if len(idxs) < 2 or len(idxs) > 500:
            continue
        for a_i, a in enumerate(idxs):
            for b in idxs[a_i + 1:]:
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                if _same_person(prepared[a], prepared[b]):
                    dup[a].add(b)
                    dup[b].add(a)
    for i, others in dup.items():
        results[i].list_duplicates = sorted(prepared[j].id for j in others)


def _same_person(x: Prepared, y: Prepared) -> bool:
    ls = compare_identifiers(x.service_number, y.service_number)
    ll, lf = compare_names(x.last, y.last), compare_names(x.first, y.first)
    lp = compare_names(x.patronymic, y.patronymic)
    ld = compare_dates(x.birth_date, y.birth_date)
    return ls == "same" or (ls != "differ" and ll in _GOOD and lf in ("same", "close", "initial")
                            and lp != "differ" and ld in STRONG_DATE_LEVELS)


def match_by_the_list(params: Params, results: list[RowResult], evidence: list[Evidence]) -> None:
    """A list names each person once: a review row whose best candidate is far ahead of
    every other candidate and named by no other row of the list is matched, when its
    evidence alone falls just short.  Only with names in full (surname and first name
    ``same`` or ``close``, patronymic not different: never an initial), the same date of
    birth (never a date one digit or one day away: that is how a namesake from outside the
    register looks, and two of them slipped through on the benchmark lists when it was
    allowed), no identifier against it, the fixed model's probability at least
    ``list_match_floor``, at least ``list_margin`` bits more evidence than the runner-up,
    and no runner-up with the same surname and a near date (a twin, or a namesake born
    days apart: the twin guard).  ``list_match_floor = None`` switches it off."""
    if params.list_match_floor is None:
        return
    named: Counter = Counter()
    for res in results:
        for c in {c.registry_id for c in res.candidates}:
            named[c] += 1
    for res, (top, rule_p) in zip(results, evidence, strict=True):
        if res.decision != REVIEW or not top or rule_p is None or res.list_duplicates:
            continue
        best = top[0]
        p = min(best.probability, rule_p)
        if not _alone_ahead(params, best, top[1] if len(top) > 1 else None, p, named[best.id]):
            continue
        if not res.candidates or res.candidates[0].registry_id != best.id:
            continue
        res.decision = MATCH
        res.candidates = res.candidates[:1]
        res.candidates[0].decision = MATCH
        res.reason = (f"names and date of birth ({best.levels.birth_date}) agree, probability {p:.4f}; far ahead of "
                      "any other candidate, and no other row of the list names this person")


def _alone_ahead(params: Params, best: Scored, second: Scored | None, p: float, named: int) -> bool:
    ll, lf, lp, ld, ls, lt = best.levels
    if not (ld == "exact" and ll in _GOOD and lf in _GOOD and lp != "differ" and "differ" not in (ls, lt)):
        return False
    if p < params.list_match_floor or named != 1:  # type: ignore[operator]
        return False
    return second is None or not (best.weight - second.weight < params.list_margin
                                  or (second.levels.last in _GOOD and second.levels.birth_date in STRONG_DATE_LEVELS))


def demote_taken(params: Params, results: list[RowResult], id_shared: list[set[str]]) -> None:
    """A list names each person once (rows that are the same person are flagged in
    ``list_duplicates``).  A review candidate that another row of the list matched
    automatically, with at least ``taken_margin`` bits more evidence than this row
    has for it, is most likely not this row's person: it is marked ``taken_by``
    that row and shown after the others; a row whose every candidate is taken goes
    to ``none`` (its reason names the rows that took them).  A row with another
    candidate stays in review even if that one alone is below ``row_review_floor``:
    measured on FEBRL 4, conditioning the floor on "none of the taken" sent 8 rows
    whose only shown true candidate was that weak to ``none``.  Never for a candidate that shares an
    identifier with the row or for rows flagged as the same person.  It changes no
    automatic match and no probability."""
    margin = params.taken_margin
    if margin is None:
        return
    auto: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for res in results:
        if res.decision == MATCH:
            auto[res.candidates[0].registry_id].append((res.row_id, res.candidates[0].match_weight))
    if not auto:
        return
    for res, shared in zip(results, id_shared, strict=True):
        if res.decision != REVIEW:
            continue
        dups = set(res.list_duplicates)
        kept: list[Candidate] = []
        taken: list[Candidate] = []
        for c in res.candidates:
            by = [rid for rid, w in auto.get(c.registry_id, ())
                  if rid != res.row_id and rid not in dups and w - c.match_weight >= margin]
            if by and c.registry_id not in shared:
                c.taken_by = sorted(by)
                taken.append(c)
            else:
                kept.append(c)
        if not taken:
            continue
        if kept:
            res.candidates = kept + taken
        else:
            res.decision = NONE
            res.candidates = []
            rows = sorted({x for c in taken for x in c.taken_by})
            res.reason = ("every candidate is another row's automatic match, on far stronger evidence "
                          f"(rows: {', '.join(rows)})")
