"""The register index: blocking, scoring, decisions and explanations."""

from __future__ import annotations

import contextlib
import gc
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from .compare import compare_dates, compare_identifiers, compare_names
from .dates import STRONG_DATE_LEVELS, PartialDate, neighbours
from .model import Params
from .records import Prepared, Record, letter_edits, letter_key, prepare

__all__ = ["LinkageIndex", "RowResult", "Candidate", "FieldComparison", "Cluster", "dedupe"]

LOG2 = math.log2
_NAME_FIELDS = ("last_name", "first_name", "patronymic")
_DATE_NOTES = {
    "exact": "same date",
    "swap": "day and month swapped",
    "typo": "one digit differs (or two adjacent digits transposed)",
    "near": "one day, month or year apart",
    "month": "agree to the month (one date not full)",
    "year": "agree on the year (one date known only to the year)",
    "differ": "different dates",
    "missing": "not known on one side",
}
_NAME_NOTES = {
    "same": "same name (after normalisation, transliteration or Ukrainian/Russian equivalence)",
    "close": "a typo away",
    "initial": "initial consistent with the name",
    "differ": "different names",
    "missing": "not known on one side",
}
_ID_NOTES = {"same": "identical", "close": "one character differs", "differ": "different",
             "missing": "not known on one side"}
#: (field, level) pairs whose m is re-estimated from each list (expectation maximisation,
#: :meth:`LinkageIndex._fit_list`): how the list's source writes names and dates.  Name
#: levels only when both sides are written in full, date levels only when both dates are
#: full (initials and partial dates keep their fixed m).
_EM_LEVELS: dict[str, tuple[str, ...]] = {
    "last_name": ("same", "close", "differ"),
    "first_name": ("same", "close", "differ"),
    "patronymic": ("same", "close", "differ"),
    "birth_date": ("exact", "swap", "typo", "near", "differ"),
}
_EM_KEYS: tuple[tuple[str, str], ...] = tuple((f, lvl) for f, lvls in _EM_LEVELS.items() for lvl in lvls)
_EM_INDEX: dict[tuple[str, str], int] = {k: i for i, k in enumerate(_EM_KEYS)}


@dataclass
class FieldComparison:
    """One row of a candidate's explanation (a step of Splink's waterfall)."""

    field: str
    level: str
    weight: float  # log2(m/u), bits of evidence for (+) or against (-) a match
    list_value: str
    registry_value: str
    note: str


@dataclass
class Candidate:
    """A register record proposed for one list row."""

    registry_id: str
    probability: float  # posterior probability that this record is the row's person
    match_weight: float  # prior + sum of field weights, in bits
    decision: str  # "match" or "review"
    explanation: list[FieldComparison] = field(default_factory=list)
    #: other rows of the same list automatically matched to this record with far
    #: stronger evidence (:meth:`LinkageIndex._demote_taken`): shown last, not counted
    taken_by: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def explain_text(self) -> str:
        """One line: ``field=level(+w.w); ...``."""
        return "; ".join(f"{f.field}={f.level}({f.weight:+.1f})" for f in self.explanation)


@dataclass
class RowResult:
    """The outcome for one list row: ``decision`` is ``match`` (safe to accept
    automatically; ``candidates[0]`` is the person), ``review`` (a person must look at
    ``candidates``, best first) or ``none``.  ``list_duplicates``: ids of other rows of
    the same list that are the same person.  ``reason``: why, in one sentence."""

    row_id: str
    decision: str
    candidates: list[Candidate] = field(default_factory=list)
    list_duplicates: list[str] = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Cluster:
    """Register records that are the same person (``ids``, sorted), the pairs that tie
    them, and ``review`` pairs a person should look at."""

    cluster_id: str
    ids: list[str]
    pairs: list[tuple[str, str, float]] = field(default_factory=list)


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector paused: building an index or scoring a list makes
    hundreds of thousands of lists and tuples and no reference cycles, and the
    collector's passes over them cost a quarter of the run (measured on the benchmark)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class LinkageIndex:
    """An index of a register, built once and kept up to date with :meth:`add` and
    :meth:`remove`; :meth:`link` matches list rows against it.

    >>> idx = LinkageIndex([Record("r1", "Петренко", "Олександр", "Миколайович", birth_date="1990-05-17")])
    >>> idx.link([Record("x", full_name="PETRENKO Aleksandr Nikolaevich", birth_date="17.05.1990")])[0].decision
    'match'
    """

    def __init__(self, records: Iterable[Record] = (), params: Params | None = None):
        self.params = params or Params()
        self._recs: dict[str, Prepared] = {}
        self._blocks: dict[str, list[int]] = defaultdict(list)
        self._letters: dict[str, list[int]] = defaultdict(list)  # long surnames by their Latin letters
        self._slot: dict[str, int] = {}  # record id -> slot (ints hash and compare fast)
        self._by_slot: list[Prepared | None] = []
        self._tf: dict[str, Counter] = {f: Counter() for f in _NAME_FIELDS}
        self._tf_init: dict[str, Counter] = {f: Counter() for f in _NAME_FIELDS}
        self._dates = Counter()
        self._months = Counter()
        self._years = Counter()
        self._u_dirty = True
        self._u_size = 0
        self._u: dict[str, dict[str, float]] = {}
        self._w_cache: dict[tuple[str, str], float] = {}
        self._nw_cache: dict[tuple[str, str, str, str], float] = {}
        self._same_w: dict[str, dict[str, float]] = {f: {} for f in _NAME_FIELDS}
        with _no_gc():
            for r in records:
                self.add(r)

    # ---- maintenance -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._recs)

    def __contains__(self, record_id: object) -> bool:
        return str(record_id) in self._recs

    def get(self, record_id: str) -> Record | None:
        p = self._recs.get(str(record_id))
        return p.record if p else None

    def add(self, record: Record) -> None:
        """Add (or replace) a record."""
        if record.id in self._recs:
            self.remove(record.id)
        p = prepare(record)
        self._recs[p.id] = p
        slot = len(self._by_slot)
        self._slot[p.id] = slot
        self._by_slot.append(p)
        blocks = self._blocks
        for k in p.block_keys():
            blocks[k].append(slot)
        for lk in {letter_key(v.last.latin) for v in p.variants} - {""}:
            self._letters[lk].append(slot)
        self._count(p, +1)

    def remove(self, record_id: str) -> None:
        """Remove a record; unknown ids are ignored."""
        p = self._recs.pop(str(record_id), None)
        if p is None:
            return
        slot = self._slot.pop(p.id)
        self._by_slot[slot] = None
        for k in p.block_keys():
            s = self._blocks.get(k)
            if s is not None:
                with contextlib.suppress(ValueError):
                    s.remove(slot)
                if not s:
                    del self._blocks[k]
        for lk in {letter_key(v.last.latin) for v in p.variants} - {""}:
            s = self._letters.get(lk)
            if s is not None:
                with contextlib.suppress(ValueError):
                    s.remove(slot)
                if not s:
                    del self._letters[lk]
        self._count(p, -1)

    def _count(self, p: Prepared, sign: int) -> None:
        # a record counts once per key, whatever the number of its spellings
        for i, f in enumerate(_NAME_FIELDS):
            parts = [(v.last, v.first, v.patronymic)[i] for v in p.variants]
            for k in set().union(*(x.keys for x in parts)):
                self._tf[f][k] += sign
            for c in set().union(*(x.initials for x in parts)):
                self._tf_init[f][c] += sign
        d = p.birth_date
        if d is not None:
            self._years[d.year] += sign
            if d.month is not None:
                self._months[(d.year, d.month)] += sign
            if d.is_full:
                self._dates[d] += sign
        self._u_dirty = True
        if self._nw_cache or self._same_w["last_name"]:
            self._nw_cache = {}
            self._same_w = {f: {} for f in _NAME_FIELDS}

    # ---- u estimation --------------------------------------------------------------
    def _estimate_u(self) -> None:
        n = max(len(self._recs), 1)
        if not self._u_dirty and abs(n - self._u_size) < 0.05 * self._u_size:
            return
        u = {k: dict(v) for k, v in self.params.u.items()}
        nd = sum(self._dates.values()) or 1
        u["birth_date"]["exact"] = max(sum(c * c for c in self._dates.values()) / nd / nd, 1 / (n * 10))
        ny = sum(self._years.values()) or 1
        u["birth_date"]["year"] = max(sum(c * c for c in self._years.values()) / ny / ny, 1e-4)
        nm = sum(self._months.values()) or 1
        u["birth_date"]["month"] = max(sum(c * c for c in self._months.values()) / nm / nm, 1e-5)
        u["birth_date"]["partial_differ"] = 1 - u["birth_date"]["year"]
        # swap / typo / near: walk the neighbours of a sample of full dates
        rnd = random.Random(1)
        dates = list(self._dates)
        sample = rnd.sample(dates, min(len(dates), 600)) if dates else []
        acc = Counter()
        tot = 0
        for d in sample:
            c = self._dates[d]
            tot += c
            for nb in neighbours(d):
                cnt = self._dates.get(nb)
                if cnt:
                    acc[compare_dates(d, nb)] += c * cnt / nd
        for lvl in ("swap", "typo", "near"):
            if tot:
                u["birth_date"][lvl] = max(acc[lvl] / tot, 1 / (n * 10))
        # smooth towards the population defaults: a small register says little
        share = nd / (nd + self.params.smoothing)
        for lvl in ("exact", "swap", "typo", "near", "month", "year"):
            u["birth_date"][lvl] = share * u["birth_date"][lvl] + (1 - share) * self.params.u["birth_date"][lvl]
        u["birth_date"]["partial_differ"] = 1 - u["birth_date"]["year"]
        u["birth_date"]["differ"] = max(1 - sum(u["birth_date"][x] for x in ("exact", "swap", "typo", "near")), 0.5)
        # names: close / differ by random pairs
        ids = list(self._recs)
        if len(ids) >= 50:
            lv = {f: Counter() for f in _NAME_FIELDS}
            pairs = 4000
            for _ in range(pairs):
                a, b = self._recs[rnd.choice(ids)], self._recs[rnd.choice(ids)]
                for f, x, y in (("last_name", a.last, b.last), ("first_name", a.first, b.first),
                                ("patronymic", a.patronymic, b.patronymic)):
                    lv[f][compare_names(x, y)] += 1
            for f in _NAME_FIELDS:
                tot_f = sum(c for k, c in lv[f].items() if k != "missing") or 1
                u[f]["close"] = max(lv[f]["close"] / tot_f, self.params.u[f]["close"])
                u[f]["differ"] = max(lv[f]["differ"] / tot_f, 0.5)
        self._u = u
        self._u_dirty = False
        self._u_size = n
        self._w_cache = {}
        self._nw_cache = {}
        self._same_w = {f: {} for f in _NAME_FIELDS}

    def _w(self, fld: str, level: str, u: float | None = None) -> float:
        m = self.params.m[fld][level]
        if u is None:
            key = (fld, level)
            w = self._w_cache.get(key)
            if w is None:
                w = LOG2(m / self._u[fld][level])
                self._w_cache[key] = w
            return w
        return LOG2(m / min(max(u, 1e-9), 1.0))

    # ---- scoring ----------------------------------------------------------------------
    def _name_weight(self, fld: str, level: str, a, b) -> float:
        if level == "missing":
            return 0.0
        if not (a.initial_only or b.initial_only):
            if level == "same":  # depends on the register side's name only
                cache = self._same_w[fld]
                w = cache.get(b.key)
                if w is None:
                    w = cache[b.key] = self._name_weight_uncached(fld, level, a, b)
                return w
            return self._w(fld, level)
        ck = (fld, level, a.key, b.key)
        w = self._nw_cache.get(ck)
        if w is None:
            w = self._nw_cache[ck] = self._name_weight_uncached(fld, level, a, b)
        return w

    def _name_weight_uncached(self, fld: str, level: str, a, b) -> float:
        n = len(self._recs)
        k0 = self.params.smoothing
        if level == "same":
            # term frequency of the register name's keys (the most frequent one: the
            # conservative choice), smoothed towards a population default so that a
            # small register does not overstate it
            tf = self._tf[fld]
            cnt = max((tf.get(k, 0) for k in b.keys), default=0)
            return self._w(fld, "same", (cnt + k0 * self.params.u[fld]["same"]) / (n + k0))
        if a.initial_only or b.initial_only:
            # Whether a list writes an initial does not depend on who the person is, so
            # the evidence is only whether the initials agree: m = P(agree | same person),
            # u = share of the register with that initial class.
            tfi = self._tf_init[fld]
            u0 = self.params.u[fld]["initial"]
            if level == "initial":
                cnt = max((tfi.get(c, 0) for c in a.initials & b.initials), default=0)
                return LOG2(self.params.m[fld]["initial"] / min((cnt + k0 * u0) / (n + k0), 1.0))
            cnt = max((tfi.get(c, 0) for c in b.initials), default=0)
            return LOG2((1 - self.params.m[fld]["initial"]) / max(1 - (cnt + k0 * u0) / (n + k0), 0.05))
        return self._w(fld, level)

    def _date_weight(self, level: str, a: PartialDate | None, b: PartialDate | None) -> float:
        if level == "missing":
            return 0.0
        if level == "differ" and not (a.is_full and b.is_full):  # type: ignore[union-attr]
            return LOG2(0.04 / self._u["birth_date"]["partial_differ"])
        return self._w("birth_date", level)

    def _levels(self, r: Prepared, c: Prepared) -> tuple[float, tuple[str, ...], bool, Prepared, Prepared]:
        """Sum of field weights, the levels (last, first, patronymic, date, service, tax),
        whether first and last name were swapped, and the spellings of both sides that
        gave them: a record with aliases is compared under each spelling and the best
        one counts (a person's spellings never compete with each other)."""
        if not (r.alts or c.alts):
            return (*self._levels1(r, c), r, c)
        best = None
        for rv in r.variants:
            for cv in c.variants:
                w, lv, sw = self._levels1(rv, cv)
                if best is None or w > best[0]:
                    best = (w, lv, sw, rv, cv)
        return best  # type: ignore[return-value]

    def _levels1(self, r: Prepared, c: Prepared) -> tuple[float, tuple[str, ...], bool]:
        ll = compare_names(r.last, c.last)
        lf = compare_names(r.first, c.first)
        swapped = False
        if ll not in ("same", "close") and lf not in ("same", "close") and (ll == "differ" or lf == "differ"):
            # first and last name swapped (wholly, or one of them replaced as well)
            sl = compare_names(r.last, c.first)
            sf = compare_names(r.first, c.last)
            good = ("same", "close")
            if (sl in good) + (sf in good) > (ll in good) + (lf in good):
                ll, lf, swapped = sf, sl, True
        lp = compare_names(r.patronymic, c.patronymic)
        ld = compare_dates(r.birth_date, c.birth_date)
        # identifiers are mostly absent: skip the calls then (this runs per pair)
        ls = compare_identifiers(r.service_number, c.service_number) if r.service_number and c.service_number \
            else "missing"
        lt = compare_identifiers(r.tax_number, c.tax_number) if r.tax_number and c.tax_number else "missing"
        rl, rf = (r.first, r.last) if swapped else (r.last, r.first)
        w = self._name_weight("last_name", ll, rl, c.last) + self._name_weight("first_name", lf, rf, c.first)
        w += self._name_weight("patronymic", lp, r.patronymic, c.patronymic)
        w += self._date_weight(ld, r.birth_date, c.birth_date)
        if ls != "missing":
            w += self._id_weight("service_number", ls)
        if lt != "missing":
            w += self._id_weight("tax_number", lt)
        return w, (ll, lf, lp, ld, ls, lt), swapped

    def _id_weight(self, fld: str, level: str) -> float:
        if level == "missing":
            return 0.0
        if level == "same":  # an identifier is unique: u = 1 / size of the register
            return self._w(fld, level, 1 / max(len(self._recs), 1))
        return self._w(fld, level)

    def _em_keys(self, r: Prepared, c: Prepared, levels: tuple[str, ...], swapped: bool) -> tuple[int, ...]:
        """Indexes into :data:`_EM_KEYS` of this pair's re-estimable levels."""
        ll, lf, lp, ld = levels[:4]
        rl, rf = (r.first, r.last) if swapped else (r.last, r.first)
        out = []
        for fld, lvl, a, b in (("last_name", ll, rl, c.last), ("first_name", lf, rf, c.first),
                               ("patronymic", lp, r.patronymic, c.patronymic)):
            if lvl in ("same", "close", "differ") and not (a.initial_only or b.initial_only):
                out.append(_EM_INDEX[(fld, lvl)])
        if ld in STRONG_DATE_LEVELS or (ld == "differ" and r.birth_date.is_full  # type: ignore[union-attr]
                                        and c.birth_date.is_full):  # type: ignore[union-attr]
            out.append(_EM_INDEX[("birth_date", ld)])
        return tuple(out)

    def _explain(self, r: Prepared, c: Prepared, levels: tuple[str, ...], swapped: bool,
                 delta: list[float] | None = None) -> list[FieldComparison]:
        ll, lf, lp, ld, ls, lt = levels
        rl, rf = (r.first, r.last) if swapped else (r.last, r.first)
        adj = dict.fromkeys(("last_name", "first_name", "patronymic", "birth_date"), 0.0)
        if delta is not None:
            for k in self._em_keys(r, c, levels, swapped):
                adj[_EM_KEYS[k][0]] = delta[k]
        out = [
            FieldComparison("last_name", ll, round(self._name_weight("last_name", ll, rl, c.last)
                                                   + adj["last_name"], 2),
                            rl.text, c.last.text,
                            _NAME_NOTES[ll] + (" (first and last name swapped)" if swapped else "")),
            FieldComparison("first_name", lf, round(self._name_weight("first_name", lf, rf, c.first)
                                                    + adj["first_name"], 2),
                            rf.text, c.first.text, _NAME_NOTES[lf]),
            FieldComparison("patronymic", lp, round(self._name_weight("patronymic", lp, r.patronymic, c.patronymic)
                                                    + adj["patronymic"], 2),
                            r.patronymic.text, c.patronymic.text, _NAME_NOTES[lp]),
            FieldComparison("birth_date", ld, round(self._date_weight(ld, r.birth_date, c.birth_date)
                                                    + adj["birth_date"], 2),
                            str(r.birth_date or ""), str(c.birth_date or ""), _DATE_NOTES[ld]),
        ]
        for fld, lvl, a, b in (("service_number", ls, r.service_number, c.service_number),
                               ("tax_number", lt, r.tax_number, c.tax_number)):
            if lvl == "missing" and not a and not b:
                continue
            w = self._id_weight(fld, lvl)
            out.append(FieldComparison(fld, lvl, round(w, 2), a, b, _ID_NOTES[lvl]))
        return out

    # ---- blocking ---------------------------------------------------------------------
    def _candidate_ids(self, r: Prepared, exclude: str | None = None, wide: bool = True) -> set[int]:
        """Slots of the records blocked with ``r`` under any of its spellings
        (:meth:`_candidate_ids1`)."""
        if not r.alts:
            return self._candidate_ids1(r, exclude, wide)
        out: set[int] = set()
        for v in r.variants:
            out |= self._candidate_ids1(v, exclude, wide)
        return out

    def _candidate_ids1(self, r: Prepared, exclude: str | None = None, wide: bool = True) -> set[int]:
        """Union of blocks: last-name key with the first-name initial class; last-name
        keys one typo apart (deletion variants, SymSpell-style) with the first-name key;
        first and last swapped; full date of birth (and with day and month swapped);
        service and tax numbers.  ``wide`` (linking a list) adds a rare surname alone,
        short surnames one typo apart, and the first name with the year (if few share
        them) or the year and month of birth; :meth:`dedupe` does without them (they
        found no further duplicate pair in its benchmark and cost a third more time)."""
        blocks = self._blocks
        keys: list[str] = []
        firsts = set(r.first.initials) | {"?"} if r.first.key else None
        rare = self.params.rare_surname_block
        for k in r.last.keys:
            if firsts is None:
                keys.append(f"L:{k}")
                continue
            for fi in firsts:
                keys.append(f"L:{k}|{fi}")
            # a rare surname alone: the first name may be replaced or mistyped at its start
            if wide and len(blocks.get(f"L:{k}", ())) <= rare:
                keys.append(f"L:{k}")
            if r.first.initial_only or len(k) < (2 if wide else 3):
                continue
            # one typo in the surname skeleton (first symbol kept): deletion variants
            # on either side, narrowed by the first name's key
            fks = r.first.keys
            for fk in fks:
                keys.append(f"D:{k}|{fk}")
            if len(k) >= (2 if wide else 4):
                for i in range(1, len(k)):
                    dk = k[:i] + k[i + 1:]
                    for fi in firsts:
                        keys.append(f"L:{dk}|{fi}")
                    for fk in fks:
                        keys.append(f"D:{dk}|{fk}")
        if not r.first.initial_only and r.last.initials:
            for k in r.first.keys:
                for fi in r.last.initials:
                    keys.append(f"L:{k}|{fi}")
        d = r.birth_date
        if wide and d is not None and not r.first.initial_only:
            # first name with the year (if few share them) or the year and month of
            # birth: the surname replaced or mistyped beyond one edit
            for fk in r.first.keys:
                fy = f"F:{fk}|{d.year}"
                if len(blocks.get(fy, ())) <= rare:
                    keys.append(fy)
                elif d.month is not None:
                    keys.append(f"F:{fk}|{d.year}-{d.month}")
        if d is not None and d.is_full:
            keys.append(f"B:{d}")
            if d.day <= 12 and d.day != d.month:  # type: ignore[operator]
                keys.append(f"B:{PartialDate(d.year, d.day, d.month)}")
        if r.service_number:
            keys.append(f"S:{r.service_number}")
        if r.tax_number:
            keys.append(f"T:{r.tax_number}")
        out: set[int] = set()
        for k in keys:
            s = blocks.get(k)
            if s:
                out.update(s)
        if wide and r.first.initials and not r.first.initial_only:
            # a long surname one letter away (a letter inserted, dropped, replaced or two
            # transposed: `Bindoxff`, `Herert`, `Goetdze` are two sounds from `Bindoff`,
            # `Herbert`, `Goetze`), with the first name's initial class (as the surname
            # key's block: `Gillatd Jakd` for `Gillard Jake`)
            letters = self._letters
            by_slot = self._by_slot
            for v in letters.keys() & letter_edits(r.last.latin):
                for slot in letters[v]:
                    c = by_slot[slot]
                    if c is not None and any(not r.first.initials.isdisjoint(x.first.initials)
                                             for x in c.variants):
                        out.add(slot)
        if exclude is not None:
            out.discard(self._slot.get(exclude, -1))
        return out

    # ---- linking ----------------------------------------------------------------------
    def _pairs(self, r: Prepared, exclude: str | None = None) -> list[tuple]:
        """Every blocked candidate of one row: ``(weight, id, levels, swapped, em_keys)``."""
        self._estimate_u()
        by_slot = self._by_slot
        scored = []
        for slot in self._candidate_ids(r, exclude):
            w, lv, sw, rv, cv = self._levels(r, by_slot[slot])
            scored.append((w, rv, cv, lv, sw))
        if not scored:
            return []
        # a candidate 25 bits below the best never matters, whatever a list teaches
        # (at most a few bits per field): its re-estimable levels are not looked up
        floor = max(x[0] for x in scored) - 25
        return [(w, cv.id, lv, sw, self._em_keys(rv, cv, lv, sw) if w > floor else (), rv, cv)
                for w, rv, cv, lv, sw in scored]

    def _posterior(self, pairs: list[tuple], prior: float, delta: list[float] | None = None):
        """[(probability, weight, id, levels, swapped)] best first, and log2 prior odds.
        ``delta``: bits added per re-estimated level (:meth:`_fit_list`)."""
        n = max(len(self._recs), 1)
        log_pi = LOG2(prior / n)
        log_out = LOG2(1 - prior)
        if not pairs:
            return [], log_pi - log_out
        ws = [p[0] + (sum(delta[k] for k in p[4]) if delta else 0.0) for p in pairs]
        # posterior: one of the candidates or nobody (log-sum-exp in base 2)
        top = max(max(ws) + log_pi, log_out)
        denom = 2 ** (log_out - top) + sum(2 ** (log_pi + w - top) for w in ws)
        res = [(2 ** (log_pi + w - top) / denom, w, p[1], p[2], p[3], p[5], p[6])
               for w, p in zip(ws, pairs, strict=True)]
        res.sort(key=lambda x: (-x[0], -x[1], x[2]))
        return res, log_pi - log_out

    def _fixed_p(self, pairs: list[tuple], cid: str) -> float:
        """Probability of candidate ``cid`` under the fixed model (default m, prior
        ``prior_in_register``), whatever the list taught."""
        prior = self.params.prior_in_register
        log_pi = LOG2(prior / max(len(self._recs), 1))
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

    def _score_row(self, r: Prepared, prior: float, exclude: str | None = None):
        """[(probability, weight, id, levels, swapped)] best first, and log2 prior odds."""
        return self._posterior(self._pairs(r, exclude), prior)

    def _fit_list(self, rows: list[list[tuple]]) -> tuple[list[float], float]:
        """Re-estimate, from the list being linked, how its source writes names and dates
        (m of the levels in :data:`_EM_KEYS`) and the share of its rows that are in the
        register: expectation maximisation over the one-of-the-candidates-or-nobody
        model (E: each row's posterior over its candidates; M: level shares weighted by
        it).  Both are shrunk towards the defaults (``em_pseudo_pairs`` pseudo-pairs,
        ``em_pseudo_rows`` pseudo-rows), so a short list keeps the defaults; the share in
        the register is kept within ``list_prior_bounds``.  Returns (bits to add per
        level, share in the register)."""
        prm = self.params
        k = len(_EM_KEYS)
        delta = [0.0] * k
        prior0 = prm.prior_in_register
        prior = prior0
        if prm.em_iterations <= 0 or not rows:
            return delta, prior
        base = [prm.m[f][lvl] for f, lvl in _EM_KEYS]
        fields = {f: [_EM_INDEX[(f, lvl)] for lvl in lvls] for f, lvls in _EM_LEVELS.items()}
        tot_base = {f: sum(base[i] for i in idx) for f, idx in fields.items()}
        n = max(len(self._recs), 1)
        alpha, beta = prm.em_pseudo_pairs, prm.em_pseudo_rows
        lo, hi = prm.list_prior_bounds
        # candidates far below the best of their row never matter: keep the rest
        live = []
        for pairs in rows:
            if pairs:
                best = max(p[0] for p in pairs)
                live.append([(p[0], p[4]) for p in pairs if p[0] > best - 20])
        for _ in range(prm.em_iterations):
            log_pi = LOG2(prior / n)
            log_out = LOG2(1 - prior)
            cnt = [0.0] * k
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
            new_prior = min(max((mass + beta * prior0) / (len(rows) + beta), lo), hi)
            new_delta = [0.0] * k
            for f, idx in fields.items():
                tot = sum(cnt[i] for i in idx)
                if tot + alpha <= 0:  # no evidence and no pseudo-pairs: keep the defaults
                    continue
                for i in idx:
                    m = (cnt[i] + alpha * base[i] / tot_base[f]) / (tot + alpha)
                    new_delta[i] = LOG2(m * tot_base[f] / base[i])
            change = max(abs(a - b) for a, b in zip(delta, new_delta, strict=True))
            delta, prior_change, prior = new_delta, abs(new_prior - prior), new_prior
            if change < 0.01 and prior_change < 1e-4:
                break
        return delta, prior

    def rule(self, p: float, levels: tuple[str, ...], twin: bool = False,
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
        prm = self.params
        ll, lf, lp, ld, ls, lt = levels
        if ls == "same" or lt == "same":
            if twin:
                return "review", "identifier shared by more than one register record"
            if ll not in ("same", "close") and lf not in ("same", "close"):
                return "review", "identifier agrees but the names do not"
            if ls == "differ" or lt == "differ":
                return "review", "one identifier agrees, another differs"
            return "match", "identifier agrees and the names are consistent"
        if ls == "differ" or lt == "differ":
            return "review", "identifier differs"
        if ld not in STRONG_DATE_LEVELS:
            if (names_only and ld in ("year", "month") and ll == lf == lp == "same"
                    and p >= prm.match_threshold_names_only):
                return "match", (f"surname, first name and patronymic the same, year of birth agrees; "
                                 f"no likely namesake (probability {p:.5f})")
            return "review", ("names only: without a full date of birth or an identifier, "
                              "a namesake cannot be ruled out")
        names_ok = ll in ("same", "close") and lf in ("same", "close", "initial")
        # one name part missing: the other must be the same and the date exact
        one_missing = ld == "exact" and ((ll == "same" and lf == "missing") or (lf == "same" and ll == "missing"))
        if not (names_ok or one_missing) or lp == "differ":
            return "review", "date of birth agrees but the names disagree"
        thr = prm.match_threshold if ld == "exact" else prm.match_threshold_date_error
        if p < thr:
            return "review", f"probability {p:.3f} below the automatic threshold {thr}"
        return "match", f"names and date of birth ({ld}) agree; probability {p:.4f}"

    def _decide(self, r: Prepared, scored: list, log_prior: float, explain: bool,
                delta: list[float] | None = None, rule_p: float | None = None) -> tuple[str, list[Candidate], str]:
        """``rule_p``: the probability the automatic-match rule sees for the best
        candidate (default: its probability in ``scored``)."""
        prm = self.params
        if not scored:
            return "none", [], "no candidate shares a name key, a date of birth or an identifier"
        best_p, best_w, best_id, lv, sw = scored[0][:5]
        ll, lf, lp, ld, ls, lt = lv
        twin = (ls == "same" and any(o[3][4] == "same" for o in scored[1:])) or (
            lt == "same" and any(o[3][5] == "same" for o in scored[1:]))
        names_only = rule_p is not None and len(self._recs) >= prm.names_only_min_register
        decision, reason = self.rule(best_p if rule_p is None else min(best_p, rule_p), lv, twin, names_only)
        cands = []
        id_shown = False
        for i, item in enumerate(scored):
            p, w, cid, lvs, swp = item[:5]
            same_id = lvs[4] == "same" or lvs[5] == "same"
            # a shared identifier is always shown, however the names disagree
            if p < prm.review_threshold and not same_id:
                continue
            id_shown |= same_id
            c = Candidate(cid, round(p, 6), round(log_prior + w, 2),
                          "match" if (i == 0 and decision == "match") else "review")
            if explain:
                rv, cv = item[5:7] if len(item) > 5 else (r, self._recs[cid])
                c.explanation = self._explain(rv, cv, lvs, swp, delta)
            cands.append(c)
        total = sum(c.probability for c in cands)
        if decision != "match" and (not cands or (total < prm.row_review_floor and not id_shown)):
            decision = "none"
            reason = f"no candidate is probable enough to show (together {total:.3g})"
            cands = []
        elif decision != "match":
            decision = "review"
        return decision, cands, reason

    def link(self, rows: Iterable[Record], explain: bool = True) -> list[RowResult]:
        """Match list rows against the register.  One :class:`RowResult` per row, in
        order.  Rows of the list that are the same person are flagged in
        ``list_duplicates``."""
        with _no_gc():
            return self._link(list(rows), explain)

    def _link(self, rows: list[Record], explain: bool) -> list[RowResult]:
        prepared = [prepare(r) for r in rows]
        pairs = [self._pairs(p) for p in prepared]
        delta, prior = self._fit_list(pairs)
        out = []
        id_shared: list[set[str]] = []
        evidence: list[tuple[list, float | None]] = []
        for p, pp in zip(prepared, pairs, strict=True):
            scored, log_prior = self._posterior(pp, prior, delta)
            # an automatic match must be certain under the fixed model as well: what a
            # list teaches may widen the review, never make a match easier
            rule_p = self._fixed_p(pp, scored[0][2]) if scored else None
            d, cands, reason = self._decide(p, scored, log_prior, explain, delta, rule_p)
            out.append(RowResult(p.id, d, cands, [], reason))
            id_shared.append({x[2] for x in scored if x[3][4] == "same" or x[3][5] == "same"} if d == "review"
                             else set())
            evidence.append((scored[:2], rule_p))
        self._flag_list_duplicates(prepared, out)
        self._match_by_the_list(out, evidence)
        self._demote_taken(out, id_shared)
        return out

    def _match_by_the_list(self, results: list[RowResult], evidence: list[tuple[list, float | None]]) -> None:
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
        prm = self.params
        if prm.list_match_floor is None:
            return
        named: Counter = Counter()
        for res in results:
            for c in {c.registry_id for c in res.candidates}:
                named[c] += 1
        for res, (top, rule_p) in zip(results, evidence, strict=True):
            if res.decision != "review" or not top or rule_p is None or res.list_duplicates:
                continue
            best, second = top[0], (top[1] if len(top) > 1 else None)
            ll, lf, lp, ld, ls, lt = best[3]
            if not (ld == "exact" and ll in ("same", "close") and lf in ("same", "close")
                    and lp != "differ" and "differ" not in (ls, lt)):
                continue
            if min(best[0], rule_p) < prm.list_match_floor or named[best[2]] != 1:
                continue
            if second is not None and (best[1] - second[1] < prm.list_margin
                                       or (second[3][0] in ("same", "close") and second[3][3] in STRONG_DATE_LEVELS)):
                continue
            if not res.candidates or res.candidates[0].registry_id != best[2]:
                continue
            res.decision = "match"
            res.candidates = res.candidates[:1]
            res.candidates[0].decision = "match"
            res.reason = (f"names and date of birth ({ld}) agree, probability {min(best[0], rule_p):.4f}; far ahead of "
                          "any other candidate, and no other row of the list names this person")

    def _demote_taken(self, results: list[RowResult], id_shared: list[set[str]]) -> None:
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
        prm = self.params
        margin = prm.taken_margin
        if margin is None:
            return
        auto: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for res in results:
            if res.decision == "match":
                auto[res.candidates[0].registry_id].append((res.row_id, res.candidates[0].match_weight))
        if not auto:
            return
        for res, shared in zip(results, id_shared, strict=True):
            if res.decision != "review":
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
                res.decision = "none"
                res.candidates = []
                rows = sorted({x for c in taken for x in c.taken_by})
                res.reason = ("every candidate is another row's automatic match, on far stronger evidence "
                              f"(rows: {', '.join(rows)})")

    def _flag_list_duplicates(self, prepared: list[Prepared], results: list[RowResult]) -> None:
        by_target: dict[str, list[int]] = defaultdict(list)
        for i, res in enumerate(results):
            if res.decision == "match":
                by_target[res.candidates[0].registry_id].append(i)
        dup: dict[int, set[int]] = defaultdict(set)
        for idxs in by_target.values():
            for i in idxs:
                dup[i] |= set(idxs) - {i}
        # rows that agree with each other strongly, matched or not
        blocks: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(prepared):
            for k in p.last.keys:
                for fi in p.first.initials or ("?",):
                    blocks[f"{k}|{fi}"].append(i)
            if p.service_number:
                blocks["S:" + p.service_number].append(i)
        seen = set()
        for idxs in blocks.values():
            if len(idxs) < 2 or len(idxs) > 500:
                continue
            for a_i, a in enumerate(idxs):
                for b in idxs[a_i + 1:]:
                    if (a, b) in seen:
                        continue
                    seen.add((a, b))
                    x, y = prepared[a], prepared[b]
                    ls = compare_identifiers(x.service_number, y.service_number)
                    ll, lf = compare_names(x.last, y.last), compare_names(x.first, y.first)
                    lp = compare_names(x.patronymic, y.patronymic)
                    ld = compare_dates(x.birth_date, y.birth_date)
                    same = ls == "same" or (
                        ls != "differ" and ll in ("same", "close") and lf in ("same", "close", "initial")
                        and lp != "differ" and ld in STRONG_DATE_LEVELS)
                    if same:
                        dup[a].add(b)
                        dup[b].add(a)
        for i, others in dup.items():
            results[i].list_duplicates = sorted(prepared[j].id for j in others)

    def dedupe(self, explain: bool = False) -> tuple[list[Cluster], list[tuple[str, str, float, str, list]]]:
        """Records of this register that are the same person.

        Every pair found by blocking is scored once; its probability uses the prior
        ``dedupe_prior / len(self)`` (the chance that two given records are one
        person) and the same decision rules as :meth:`link` (:meth:`rule`).

        Returns ``(clusters, pairs)``: clusters of records joined by ``match`` pairs
        (connected components), and every ``match`` or ``review`` pair as
        ``(id_a, id_b, probability, decision, explanation)`` with ``id_a < id_b``."""
        with _no_gc():
            return self._dedupe(explain)

    def _dedupe(self, explain: bool) -> tuple[list[Cluster], list[tuple[str, str, float, str, list]]]:
        self._estimate_u()
        n = max(len(self._recs), 2)
        lam = self.params.dedupe_prior / n
        log_odds = LOG2(lam / (1 - lam))
        fl = self.params.dedupe_review_floor
        floor = LOG2(fl / (1 - fl)) - log_odds
        recs = self._recs
        pairs: dict[tuple[str, str], tuple[float, str, list]] = {}
        ident: dict[str, list[str]] = defaultdict(list)
        for rid, p in recs.items():
            if p.service_number:
                ident["S:" + p.service_number].append(rid)
            if p.tax_number:
                ident["T:" + p.tax_number].append(rid)
        shared = {x for ids in ident.values() if len(ids) > 2 for x in ids}
        by_slot = self._by_slot
        seen: set[tuple[int, int]] = set()
        for i, p in enumerate(by_slot):
            if p is None:
                continue
            rid = p.id
            asym = p.first.initial_only or not p.first.key
            for j in self._candidate_ids(p, rid, wide=False):
                if j < i and not asym:
                    continue
                sk = (i, j) if i < j else (j, i)
                if sk in seen:
                    continue
                c = by_slot[j]
                w, lv, sw, pv, cv = self._levels(p, c)
                if w < floor:
                    continue
                seen.add(sk)
                cid = c.id
                key = (rid, cid) if rid < cid else (cid, rid)
                lo = log_odds + w
                prob = 1 / (1 + 2 ** -lo) if lo > -60 else 0.0
                dec, _ = self.rule(prob, lv, rid in shared and cid in shared)
                ex = self._explain(pv, cv, lv, sw) if explain else []
                pairs[key] = (round(prob, 6), dec, ex)
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.get(x, x) != x:
                parent[x] = parent.get(parent[x], parent[x])
                x = parent[x]
            return x

        for (a, b), (_, dec, _) in pairs.items():
            if dec == "match":
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        groups: dict[str, list[str]] = defaultdict(list)
        for x in {x for ab in pairs for x in ab}:
            groups[find(x)].append(x)
        by_root: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
        for (a, b), (pr, dec, _) in pairs.items():
            if dec == "match":
                by_root[find(a)].append((a, b, pr))
        clusters = []
        for root, ids in sorted(groups.items()):
            if len(ids) < 2:
                continue
            ids.sort()
            clusters.append(Cluster(ids[0], ids, sorted(by_root[root])))
        flat = sorted(((a, b, pr, dec, ex) for (a, b), (pr, dec, ex) in pairs.items()),
                      key=lambda t: (t[3] != "match", -t[2], t[0], t[1]))
        return clusters, flat


def dedupe(records: Iterable[Record], params: Params | None = None, explain: bool = False):
    """Same as ``LinkageIndex(records, params).dedupe(explain)``."""
    return LinkageIndex(records, params).dedupe(explain)
