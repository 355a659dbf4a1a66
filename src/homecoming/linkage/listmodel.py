"""The model of one list: every row is one of its candidates or nobody.

A row's blocked candidates (:class:`Pair`) become posterior probabilities
(:func:`posterior`, :class:`Scored`), with the share of the list that is in the register
as the prior.  How the list's source writes names and dates, and that share, are
re-estimated from the list itself by expectation maximisation (:func:`fit_list`), shrunk
towards the defaults so that a short list keeps them."""

from __future__ import annotations

import math
from typing import NamedTuple

from .dates import STRONG_DATE_LEVELS
from .model import Params
from .records import Prepared
from .scoring import Levels

__all__ = ["EM_LEVELS", "EM_KEYS", "EM_INDEX", "Pair", "Scored", "ListFit", "em_keys", "posterior", "fixed_p",
           "fit_list"]

LOG2 = math.log2
#: (field, level) pairs whose m is re-estimated from each list (:func:`fit_list`): how the
#: list's source writes names and dates.  Name levels only when both sides are written in
#: full, date levels only when both dates are full (initials and partial dates keep their
#: fixed m).
EM_LEVELS: dict[str, tuple[str, ...]] = {
    "last_name": ("same", "close", "misread", "differ"),
    "first_name": ("same", "close", "misread", "differ"),
    "patronymic": ("same", "close", "misread", "differ"),
    "birth_date": ("exact", "swap", "typo", "near", "differ"),
}
EM_KEYS: tuple[tuple[str, str], ...] = tuple((f, lvl) for f, lvls in EM_LEVELS.items() for lvl in lvls)
EM_INDEX: dict[tuple[str, str], int] = {k: i for i, k in enumerate(EM_KEYS)}
_EM_NAME_LEVELS = ("same", "close", "misread", "differ")


class Pair(NamedTuple):
    """A blocked candidate of one row: its summed ``weight``, ``id``, ``levels``, whether
    names were ``swapped``, the indexes into :data:`EM_KEYS` of its re-estimable levels
    (``em``), and the spellings compared (``row``, ``cand``)."""

    weight: float
    id: str
    levels: Levels
    swapped: bool
    em: tuple[int, ...]
    row: Prepared
    cand: Prepared


class Scored(NamedTuple):
    """A candidate with its posterior ``probability`` and the ``weight`` that gave it
    (fixed weight plus what the list taught); ``row``/``cand`` as in :class:`Pair`."""

    probability: float
    weight: float
    id: str
    levels: Levels
    swapped: bool
    row: Prepared | None = None
    cand: Prepared | None = None


class ListFit(NamedTuple):
    """What a list taught: bits to add per level of :data:`EM_KEYS`, and the share of its
    rows that are in the register."""

    delta: list[float]
    prior: float


_new = tuple.__new__  # see scoring._new


def em_keys(r: Prepared, c: Prepared, levels: Levels, swapped: bool) -> tuple[int, ...]:
    """Indexes into :data:`EM_KEYS` of this pair's re-estimable levels."""
    ll, lf, lp, ld = levels[:4]
    rl, rf = (r.first, r.last) if swapped else (r.last, r.first)
    out = []
    for fld, lvl, a, b in (("last_name", ll, rl, c.last), ("first_name", lf, rf, c.first),
                           ("patronymic", lp, r.patronymic, c.patronymic)):
        if lvl in _EM_NAME_LEVELS and not (a.initial_only or b.initial_only):
            out.append(EM_INDEX[(fld, lvl)])
    if ld in STRONG_DATE_LEVELS or (ld == "differ" and r.birth_date.is_full  # type: ignore[union-attr]
                                    and c.birth_date.is_full):  # type: ignore[union-attr]
        out.append(EM_INDEX[("birth_date", ld)])
    return tuple(out)


def posterior(pairs: list[Pair], prior: float, n: int, delta: list[float] | None = None
              ) -> tuple[list[Scored], float]:
    """The row's candidates best first, and the log2 prior odds, against a register of
    ``n``.  ``delta``: bits added per re-estimated level (:func:`fit_list`)."""
    n = max(n, 1)
    log_pi = LOG2(prior / n)
    log_out = LOG2(1 - prior)
    if not pairs:
        return [], log_pi - log_out
    ws = [p[0] + (sum(delta[k] for k in p[4]) if delta else 0.0) for p in pairs]
    # posterior: one of the candidates or nobody (log-sum-exp in base 2)
    top = max(max(ws) + log_pi, log_out)
    denom = 2 ** (log_out - top) + sum(2 ** (log_pi + w - top) for w in ws)
    res = [_new(Scored, (2 ** (log_pi + w - top) / denom, w, p[1], p[2], p[3], p[5], p[6]))
           for w, p in zip(ws, pairs, strict=True)]
    res.sort(key=lambda x: (-x[0], -x[1], x[2]))
    return res, log_pi - log_out


def fixed_p(pairs: list[Pair], cid: str, params: Params, n: int) -> float:
    """Probability of candidate ``cid`` under the fixed model (default m, prior
    ``prior_in_register``), whatever the list taught."""
    prior = params.prior_in_register
    log_pi = LOG2(prior / max(n, 1))
    log_out = LOG2(1 - prior)
    top = max(max(p[0] for p in pairs) + log_pi, log_out)
    mine = 0.0
    denom = 2 ** (log_out - top)
    for p in pairs:
        e = 2 ** (log_pi + p[0] - top)
        denom += e
        if p[1] == cid:
            mine = e
    return mine / denom


def fit_list(rows: list[list[Pair]], params: Params, n: int) -> ListFit:
    """Re-estimate, from the list being linked, how its source writes names and dates
    (m of the levels in :data:`EM_KEYS`) and the share of its rows that are in the
    register: expectation maximisation over the one-of-the-candidates-or-nobody model
    (E: each row's posterior over its candidates; M: level shares weighted by it).  Both
    are shrunk towards the defaults (``em_pseudo_pairs`` pseudo-pairs, ``em_pseudo_rows``
    pseudo-rows), so a short list keeps the defaults; the share in the register is kept
    within ``list_prior_bounds``."""
    delta = [0.0] * len(EM_KEYS)
    prior0 = params.prior_in_register
    prior = prior0
    if params.em_iterations <= 0 or not rows:
        return ListFit(delta, prior)
    # candidates far below the best of their row never matter: keep the rest
    live = []
    for pairs in rows:
        if pairs:
            best = max(p[0] for p in pairs)
            live.append([(p[0], p[4]) for p in pairs if p[0] > best - 20])
    lo, hi = params.list_prior_bounds
    for _ in range(params.em_iterations):
        cnt, mass = _expect(live, delta, prior, max(n, 1))
        new_prior = min(max((mass + params.em_pseudo_rows * prior0) / (len(rows) + params.em_pseudo_rows), lo), hi)
        new_delta = _maximise(cnt, params)
        change = max(abs(a - b) for a, b in zip(delta, new_delta, strict=True))
        delta, prior_change, prior = new_delta, abs(new_prior - prior), new_prior
        if change < 0.01 and prior_change < 1e-4:
            break
    return ListFit(delta, prior)


def _expect(live: list[list[tuple[float, tuple[int, ...]]]], delta: list[float], prior: float, n: int
            ) -> tuple[list[float], float]:
    """E step: the expected count of pairs at each level, and the expected number of rows
    that are in the register."""
    log_pi = LOG2(prior / n)
    log_out = LOG2(1 - prior)
    cnt = [0.0] * len(EM_KEYS)
    mass = 0.0
    for pairs in live:
        ws = [w + sum(delta[i] for i in keys) for w, keys in pairs]
        top = max(max(ws) + log_pi, log_out)
        es = [2 ** (log_pi + w - top) for w in ws]
        den = 2 ** (log_out - top) + sum(es)
        for e, (_, keys) in zip(es, pairs, strict=True):
            q = e / den
            if q < 1e-6:
                continue
            mass += q
            for i in keys:
                cnt[i] += q
    return cnt, mass


def _maximise(cnt: list[float], params: Params) -> list[float]:
    """M step: each field's level shares, shrunk towards the defaults, as bits to add."""
    alpha = params.em_pseudo_pairs
    new_delta = [0.0] * len(EM_KEYS)
    for f, lvls in EM_LEVELS.items():
        idx = [EM_INDEX[(f, lvl)] for lvl in lvls]
        base = {i: params.m[f][EM_KEYS[i][1]] for i in idx}
        tot_base = sum(base[i] for i in idx)
        tot = sum(cnt[i] for i in idx)
        if tot + alpha <= 0:  # no evidence and no pseudo-pairs: keep the defaults
            continue
        for i in idx:
            m = (cnt[i] + alpha * base[i] / tot_base) / (tot + alpha)
            new_delta[i] = LOG2(m * tot_base / base[i])
    return new_delta
