"""Comparison and scoring of one pair: the level of every field (:class:`Levels`) and its
weight ``log2(m / u)`` in bits, summed over the fields (Fellegi–Sunter).

``u`` comes from the register (:mod:`.frequencies`), ``m`` from :class:`~.model.Params`;
name weights are term-frequency adjusted, so a rare surname that agrees says more than
a common one.  This runs once per blocked pair: the caches and the plain-tuple
construction below are what keep a list of thousands against a register of 10^5 within
seconds."""

from __future__ import annotations

import math
from typing import NamedTuple

from .compare import compare_dates, compare_identifiers, compare_names
from .dates import PartialDate
from .frequencies import NAME_FIELDS, Frequencies, estimate_u
from .model import Params, Table
from .records import NamePart, Prepared

__all__ = ["Levels", "Scorer"]

LOG2 = math.log2
_GOOD = ("same", "close")


class Levels(NamedTuple):
    """The comparison level of each field of a pair."""

    last: str
    first: str
    patronymic: str
    birth_date: str
    service: str
    tax: str

    @property
    def shares_identifier(self) -> bool:
        """A service or tax number is the same on both sides."""
        return self.service == "same" or self.tax == "same"


#: every combination of levels met so far, made once: a pair's levels are looked up here,
#: not built (making a NamedTuple costs four times a plain tuple, and this runs per pair;
#: there are at most a few thousand combinations)
_LEVELS: dict[tuple[str, ...], Levels] = {}


class Scorer:
    """Weights of comparison levels against one register (``recs``, its frequencies
    ``freqs``), with ``u`` re-estimated when the register has changed by 5% or more."""

    def __init__(self, params: Params, freqs: Frequencies, recs: dict[str, Prepared]):
        self.params = params
        self.freqs = freqs
        self.recs = recs
        self.u: Table = {}
        self._dirty = True
        self._size = 0
        self._w_cache: dict[tuple[str, str], float] = {}
        self._nw_cache: dict[tuple[str, str, str, str], float] = {}
        self._same_w: dict[str, dict[str, float]] = {f: {} for f in NAME_FIELDS}
        #: whether a name may be ``misread`` (a list's scanned or heard spelling): off while a
        #: register is deduplicated (:mod:`.dedupe`), whose names registrars typed
        self.misread = True

    def changed(self) -> None:
        """The register changed: ``u`` is stale and name weights (term frequencies) too."""
        self._dirty = True
        if self._nw_cache or self._same_w["last_name"]:
            self._nw_cache = {}
            self._same_w = {f: {} for f in NAME_FIELDS}

    def refresh(self) -> None:
        """Estimate ``u`` again if the register has changed enough since the last time."""
        n = max(len(self.recs), 1)
        if not self._dirty and abs(n - self._size) < 0.05 * self._size:
            return
        self.u = estimate_u(self.freqs, self.recs, self.params)
        self._dirty = False
        self._size = n
        self._w_cache = {}
        self._nw_cache = {}
        self._same_w = {f: {} for f in NAME_FIELDS}

    # ---- weights of one field ------------------------------------------------------------
    def w(self, fld: str, level: str, u: float | None = None) -> float:
        """``log2(m / u)`` of a level, with the register's ``u`` unless one is given."""
        m = self.params.m[fld][level]
        if u is None:
            key = (fld, level)
            w = self._w_cache.get(key)
            if w is None:
                w = LOG2(m / self.u[fld][level])
                self._w_cache[key] = w
            return w
        return LOG2(m / min(max(u, 1e-9), 1.0))

    def name_weight(self, fld: str, level: str, a: NamePart, b: NamePart) -> float:
        if level == "missing":
            return 0.0
        if not (a.initial_only or b.initial_only):
            if level == "same":  # depends on the register side's name only
                cache = self._same_w[fld]
                w = cache.get(b.key)
                if w is None:
                    w = cache[b.key] = self._same_name_weight(fld, b)
                return w
            return self.w(fld, level)
        ck = (fld, level, a.key, b.key)
        w = self._nw_cache.get(ck)
        if w is None:
            w = self._nw_cache[ck] = self._initial_weight(fld, level, a, b)
        return w

    def _same_name_weight(self, fld: str, b: NamePart) -> float:
        """Term frequency of the register name's keys (the most frequent one: the
        conservative choice), smoothed towards a population default so that a small
        register does not overstate it."""
        n, k0 = len(self.recs), self.params.smoothing
        tf = self.freqs.names[fld]
        cnt = max((tf.get(k, 0) for k in b.keys), default=0)
        return self.w(fld, "same", (cnt + k0 * self.params.u[fld]["same"]) / (n + k0))

    def _initial_weight(self, fld: str, level: str, a: NamePart, b: NamePart) -> float:
        """One side an initial.  Whether a list writes an initial does not depend on who the
        person is, so the evidence is only whether the initials agree: m = P(agree | same
        person), u = share of the register with that initial class.  ``level`` is
        ``initial`` or ``differ`` (:func:`~.compare.compare_names`)."""
        n, k0 = len(self.recs), self.params.smoothing
        tfi = self.freqs.initials[fld]
        u0 = self.params.u[fld]["initial"]
        m = self.params.m[fld]["initial"]
        if level == "initial":
            cnt = max((tfi.get(c, 0) for c in a.initials & b.initials), default=0)
            return LOG2(m / min((cnt + k0 * u0) / (n + k0), 1.0))
        cnt = max((tfi.get(c, 0) for c in b.initials), default=0)
        return LOG2((1 - m) / max(1 - (cnt + k0 * u0) / (n + k0), 0.05))

    def date_weight(self, level: str, a: PartialDate | None, b: PartialDate | None) -> float:
        if level == "missing":
            return 0.0
        if level == "differ" and not (a.is_full and b.is_full):  # type: ignore[union-attr]
            return LOG2(0.04 / self.u["birth_date"]["partial_differ"])
        return self.w("birth_date", level)

    def id_weight(self, fld: str, level: str) -> float:
        if level == "missing":
            return 0.0
        if level == "same":  # an identifier is unique: u = 1 / size of the register
            return self.w(fld, level, 1 / max(len(self.recs), 1))
        return self.w(fld, level)

    # ---- a pair --------------------------------------------------------------------------
    def compare(self, r: Prepared, c: Prepared) -> tuple[float, Levels, bool, Prepared, Prepared]:
        """The pair under the spellings of both sides that agree best (a person's
        spellings never compete with each other): the summed weight, the levels, whether
        first and last name were swapped, and the spellings of the row and of the register
        record that gave them.  A plain tuple: every caller unpacks it at once."""
        if not (r.alts or c.alts):
            return (*self._compare1(r, c), r, c)
        best = None
        for rv in r.variants:
            for cv in c.variants:
                w, lv, sw = self._compare1(rv, cv)
                if best is None or w > best[0]:
                    best = (w, lv, sw, rv, cv)
        return best  # type: ignore[return-value]

    def _compare1(self, r: Prepared, c: Prepared) -> tuple[float, Levels, bool]:
        mr = self.misread
        ll = compare_names(r.last, c.last, True, mr)
        lf = compare_names(r.first, c.first, False, mr)
        swapped = False
        if ll not in _GOOD and lf not in _GOOD and (ll == "differ" or lf == "differ"):
            # first and last name swapped (wholly, or one of them replaced as well)
            sl = compare_names(r.last, c.first, False, mr)
            sf = compare_names(r.first, c.last, True, mr)
            if (sl in _GOOD) + (sf in _GOOD) > (ll in _GOOD) + (lf in _GOOD):
                ll, lf, swapped = sf, sl, True
        lp = compare_names(r.patronymic, c.patronymic, False, mr)
        ld = compare_dates(r.birth_date, c.birth_date)
        # identifiers are mostly absent: skip the calls then (this runs per pair)
        ls = compare_identifiers(r.service_number, c.service_number) if r.service_number and c.service_number \
            else "missing"
        lt = compare_identifiers(r.tax_number, c.tax_number) if r.tax_number and c.tax_number else "missing"
        rl, rf = (r.first, r.last) if swapped else (r.last, r.first)
        w = self.name_weight("last_name", ll, rl, c.last) + self.name_weight("first_name", lf, rf, c.first)
        w += self.name_weight("patronymic", lp, r.patronymic, c.patronymic)
        w += self.date_weight(ld, r.birth_date, c.birth_date)
        if ls != "missing":
            w += self.id_weight("service_number", ls)
        if lt != "missing":
            w += self.id_weight("tax_number", lt)
        t = (ll, lf, lp, ld, ls, lt)
        levels = _LEVELS.get(t)
        if levels is None:
            levels = _LEVELS[t] = Levels(*t)
        return w, levels, swapped
