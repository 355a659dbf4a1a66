"""Deduplication of one register: every pair found by blocking is scored once and decided
by the same rules as a list row; ``match`` pairs join records into clusters (connected
components)."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

from .blocking import Block
from .decision import MATCH, rule
from .explain import explain as explain_pair
from .results import Cluster, DedupePair

if TYPE_CHECKING:
    from .index import LinkageIndex

__all__ = ["dedupe_pairs", "clusters_of"]

LOG2 = math.log2


def dedupe_pairs(index: LinkageIndex, explain: bool) -> dict[tuple[str, str], tuple[float, str, list]]:
    """Every ``match`` or ``review`` pair of the register: ``(id_a, id_b)`` with
    ``id_a < id_b`` -> ``(probability, decision, explanation)``.  Its probability uses the
    prior ``dedupe_prior / len(index)`` (the chance that two given records are one
    person); pairs below ``dedupe_review_floor`` are left out."""
    scorer = index.scorer
    scorer.refresh()
    # registrars typed both sides: no scanner's misreadings, and a pair matched here is merged
    # into one cluster without a list to compete in (the misread level is for the other side's
    # lists); it also spares making misreadings of every register name
    scorer.misread = False
    try:
        return _pairs(index, explain)
    finally:
        scorer.misread = True


def _pairs(index: LinkageIndex, explain: bool) -> dict[tuple[str, str], tuple[float, str, list]]:
    scorer = index.scorer
    params = index.params
    n = max(len(index), 2)
    lam = params.dedupe_prior / n
    log_odds = LOG2(lam / (1 - lam))
    fl = params.dedupe_review_floor
    floor = LOG2(fl / (1 - fl)) - log_odds
    shared = _shared_identifiers(index)
    pairs: dict[tuple[str, str], tuple[float, str, list]] = {}
    by_slot = index.blocking.by_slot
    seen: set[tuple[int, int]] = set()
    for i, p in enumerate(by_slot):
        if p is None:
            continue
        rid = p.id
        asym = p.first.initial_only or not p.first.key
        for j in index.blocking.candidates(p, params.rare_surname_block, rid, wide=False):
            if j < i and not asym:
                continue
            sk = (i, j) if i < j else (j, i)
            if sk in seen:
                continue
            c = by_slot[j]
            w, lv, sw, pv, cv = scorer.compare(p, c)  # type: ignore[arg-type]
            if w < floor:
                continue
            seen.add(sk)
            cid = c.id  # type: ignore[union-attr]
            lo = log_odds + w
            prob = 1 / (1 + 2 ** -lo) if lo > -60 else 0.0
            dec, _ = rule(params, prob, lv, rid in shared and cid in shared)
            ex = explain_pair(scorer, pv, cv, lv, sw) if explain else []
            pairs[(rid, cid) if rid < cid else (cid, rid)] = (round(prob, 6), dec, ex)
    return pairs


def _shared_identifiers(index: LinkageIndex) -> set[str]:
    """Ids of records whose service or tax number more than two records carry."""
    ident: dict[tuple, list[str]] = defaultdict(list)
    for rid, p in index.records.items():
        if p.service_number:
            ident[(Block.SERVICE, p.service_number)].append(rid)
        if p.tax_number:
            ident[(Block.TAX, p.tax_number)].append(rid)
    return {x for ids in ident.values() if len(ids) > 2 for x in ids}


def clusters_of(pairs: dict[tuple[str, str], tuple[float, str, list]]) -> tuple[list[Cluster], list[DedupePair]]:
    """Clusters joined by ``match`` pairs (union-find, the smallest id the root), and every
    pair as a flat tuple, matches first, then by falling probability."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for (a, b), (_, dec, _) in pairs.items():
        if dec == MATCH:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in {x for ab in pairs for x in ab}:
        groups[find(x)].append(x)
    by_root: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for (a, b), (pr, dec, _) in pairs.items():
        if dec == MATCH:
            by_root[find(a)].append((a, b, pr))
    clusters = []
    for root, ids in sorted(groups.items()):
        if len(ids) < 2:
            continue
        ids.sort()
        clusters.append(Cluster(ids[0], ids, sorted(by_root[root])))
    flat = sorted(((a, b, pr, dec, ex) for (a, b), (pr, dec, ex) in pairs.items()),
                  key=lambda t: (t[3] != MATCH, -t[2], t[0], t[1]))
    return clusters, flat
