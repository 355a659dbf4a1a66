"""What the register says about its own people: how often each name key, initial class,
date, month and year occurs, and from that the ``u`` probabilities of the comparison
levels (the chance that two unrelated records agree at that level)."""

from __future__ import annotations

import random
from collections import Counter

from .compare import compare_names
from .dates import compare_dates, neighbours
from .model import Params, Table, copy_table
from .records import Prepared

__all__ = ["NAME_FIELDS", "Frequencies", "estimate_u"]

NAME_FIELDS = ("last_name", "first_name", "patronymic")


class Frequencies:
    """Counters over the register, kept up to date record by record: ``names[field]``
    (search keys), ``initials[field]`` (initial classes), ``dates`` (full dates),
    ``months`` ((year, month)) and ``years``."""

    __slots__ = ("names", "initials", "dates", "months", "years")

    def __init__(self) -> None:
        self.names: dict[str, Counter] = {f: Counter() for f in NAME_FIELDS}
        self.initials: dict[str, Counter] = {f: Counter() for f in NAME_FIELDS}
        self.dates: Counter = Counter()
        self.months: Counter = Counter()
        self.years: Counter = Counter()

    def count(self, p: Prepared, sign: int) -> None:
        """Add (``sign`` +1) or take away (-1) a record: it counts once per key, whatever
        the number of its spellings."""
        for i, f in enumerate(NAME_FIELDS):
            parts = [(v.last, v.first, v.patronymic)[i] for v in p.variants]
            for k in set().union(*(x.keys for x in parts)):
                self.names[f][k] += sign
            for c in set().union(*(x.initials for x in parts)):
                self.initials[f][c] += sign
        d = p.birth_date
        if d is not None:
            self.years[d.year] += sign
            if d.month is not None:
                self.months[(d.year, d.month)] += sign
            if d.is_full:
                self.dates[d] += sign


def estimate_u(freqs: Frequencies, recs: dict[str, Prepared], params: Params) -> Table:
    """``u`` of every level from the register, smoothed towards ``params.u`` (a small
    register says little), as Splink's ``estimate_u_using_random_sampling`` does."""
    n = max(len(recs), 1)
    u = copy_table(params.u)
    rnd = random.Random(1)
    _date_u(u["birth_date"], freqs, params, n, rnd)
    # names: close / differ by random pairs
    ids = list(recs)
    if len(ids) >= 50:
        _name_u(u, recs, ids, params, rnd)
    return u


def _date_u(u: dict[str, float], freqs: Frequencies, params: Params, n: int, rnd: random.Random) -> None:
    dates = freqs.dates
    nd = sum(dates.values()) or 1
    u["exact"] = max(sum(c * c for c in dates.values()) / nd / nd, 1 / (n * 10))
    ny = sum(freqs.years.values()) or 1
    u["year"] = max(sum(c * c for c in freqs.years.values()) / ny / ny, 1e-4)
    nm = sum(freqs.months.values()) or 1
    u["month"] = max(sum(c * c for c in freqs.months.values()) / nm / nm, 1e-5)
    u["partial_differ"] = 1 - u["year"]
    # swap / typo / near: walk the neighbours of a sample of full dates
    keys = list(dates)
    sample = rnd.sample(keys, min(len(keys), 600)) if keys else []
    acc: Counter = Counter()
    tot = 0
    for d in sample:
        c = dates[d]
        tot += c
        for nb in neighbours(d):
            cnt = dates.get(nb)
            if cnt:
                acc[compare_dates(d, nb)] += c * cnt / nd
    for lvl in ("swap", "typo", "near"):
        if tot:
            u[lvl] = max(acc[lvl] / tot, 1 / (n * 10))
    # smooth towards the population defaults: a small register says little
    share = nd / (nd + params.smoothing)
    default = params.u["birth_date"]
    for lvl in ("exact", "swap", "typo", "near", "month", "year"):
        u[lvl] = share * u[lvl] + (1 - share) * default[lvl]
    u["partial_differ"] = 1 - u["year"]
    u["differ"] = max(1 - sum(u[x] for x in ("exact", "swap", "typo", "near")), 0.5)


def _name_u(u: Table, recs: dict[str, Prepared], ids: list[str], params: Params,
            rnd: random.Random) -> None:
    lv = {f: Counter() for f in NAME_FIELDS}
    for _ in range(4000):
        a, b = recs[rnd.choice(ids)], recs[rnd.choice(ids)]
        for f, x, y in (("last_name", a.last, b.last), ("first_name", a.first, b.first),
                        ("patronymic", a.patronymic, b.patronymic)):
            lv[f][compare_names(x, y, f == "last_name")] += 1
    for f in NAME_FIELDS:
        tot_f = sum(c for k, c in lv[f].items() if k != "missing") or 1
        u[f]["close"] = max(lv[f]["close"] / tot_f, params.u[f]["close"])
        u[f]["misread"] = max(lv[f]["misread"] / tot_f, params.u[f]["misread"])
        u[f]["differ"] = max(lv[f]["differ"] / tot_f, 0.5)
