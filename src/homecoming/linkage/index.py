"""The register index: the one object the apps and the command line hold.

It keeps the register's records, blocks (:mod:`.blocking`) and frequencies
(:mod:`.frequencies`) up to date, and runs a list through the stages: blocking, comparison
and scoring (:mod:`.scoring`), the list's own model (:mod:`.listmodel`), the decision of
each row (:mod:`.decision`), the consistency of the list as a whole
(:mod:`.consistency`); and a register through deduplication (:mod:`.dedupe`)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Sequence

from .blocking import BlockIndex
from .consistency import Evidence, demote_taken, flag_list_duplicates, match_by_the_list
from .decision import REVIEW, decide, rule
from .dedupe import clusters_of, dedupe_pairs
from .frequencies import Frequencies
from .listmodel import ListFit, Pair, em_keys, fit_list, fixed_p, posterior
from .model import Params
from .records import Prepared, Record, prepare
from .results import Candidate, Cluster, DedupePair, FieldComparison, RowResult
from .scoring import Scorer

__all__ = ["LinkageIndex", "RowResult", "Candidate", "FieldComparison", "Cluster", "dedupe", "no_gc"]

_new = tuple.__new__  # see scoring._new


@contextlib.contextmanager
def no_gc():
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
        #: record id -> its prepared form
        self.records: dict[str, Prepared] = {}
        self.blocking = BlockIndex()
        self.frequencies = Frequencies()
        self.scorer = Scorer(self.params, self.frequencies, self.records)
        with no_gc():
            for r in records:
                self.add(r)

    # ---- maintenance -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.records)

    def __contains__(self, record_id: object) -> bool:
        return str(record_id) in self.records

    def get(self, record_id: str) -> Record | None:
        p = self.records.get(str(record_id))
        return p.record if p else None

    def add(self, record: Record) -> None:
        """Add (or replace) a record."""
        if record.id in self.records:
            self.remove(record.id)
        p = prepare(record)
        self.records[p.id] = p
        self.blocking.add(p)
        self.frequencies.count(p, +1)
        self.scorer.changed()

    def remove(self, record_id: str) -> None:
        """Remove a record; unknown ids are ignored."""
        p = self.records.pop(str(record_id), None)
        if p is None:
            return
        self.blocking.remove(p)
        self.frequencies.count(p, -1)
        self.scorer.changed()

    def set_params(self, params: Params) -> None:
        """Use other parameters from now on (a learnt model, :mod:`.learning`): every weight
        and ``u`` is computed again at the next use; the blocks stay."""
        self.params = params
        self.scorer.params = params
        self.scorer.changed()

    # ---- stages ----------------------------------------------------------------------
    def candidates(self, r: Prepared, exclude: str | None = None, wide: bool = True) -> set[int]:
        """Slots (``self.blocking.by_slot``) of the records blocked with ``r``."""
        return self.blocking.candidates(r, self.params.rare_surname_block, exclude, wide)

    def pairs(self, r: Prepared, exclude: str | None = None) -> list[Pair]:
        """Every blocked candidate of one row, compared and scored."""
        scorer = self.scorer
        scorer.refresh()
        by_slot = self.blocking.by_slot
        compare = scorer.compare
        scored = [compare(r, by_slot[slot]) for slot in self.candidates(r, exclude)]  # type: ignore[arg-type]
        if not scored:
            return []
        # a candidate 25 bits below the best never matters, whatever a list teaches
        # (at most a few bits per field): its re-estimable levels are not looked up
        floor = max(x[0] for x in scored) - 25
        return [_new(Pair, (w, cv.id, lv, sw, em_keys(rv, cv, lv, sw) if w > floor else (), rv, cv))
                for w, lv, sw, rv, cv in scored]

    def fit_list(self, rows: list[list[Pair]]) -> ListFit:
        """What the list teaches (:func:`.listmodel.fit_list`)."""
        return fit_list(rows, self.params, len(self.records))

    def posterior(self, pairs: list[Pair], prior: float, delta: list[float] | None = None):
        """The row's candidates best first and the log2 prior odds (:func:`.listmodel.posterior`)."""
        return posterior(pairs, prior, len(self.records), delta)

    def fixed_p(self, pairs: list[Pair], cid: str) -> float:
        """Probability of ``cid`` under the fixed model (:func:`.listmodel.fixed_p`)."""
        return fixed_p(pairs, cid, self.params, len(self.records))

    def rule(self, p: float, levels: Sequence[str], twin: bool = False,
             names_only: bool = False) -> tuple[str, str]:
        """The decision rules for one candidate (:func:`.decision.rule`)."""
        return rule(self.params, p, levels, twin, names_only)

    def decide(self, r: Prepared, scored: list, log_prior: float, explain: bool,
               delta: list[float] | None = None, rule_p: float | None = None) -> tuple[str, list[Candidate], str]:
        """The decision for one row (:func:`.decision.decide`)."""
        return decide(self.scorer, r, scored, log_prior, explain, delta, rule_p)

    # ---- linking ----------------------------------------------------------------------
    def link(self, rows: Iterable[Record], explain: bool = True) -> list[RowResult]:
        """Match list rows against the register.  One :class:`RowResult` per row, in
        order.  Rows of the list that are the same person are flagged in
        ``list_duplicates``."""
        with no_gc():
            return self._link(list(rows), explain)

    def _link(self, rows: list[Record], explain: bool) -> list[RowResult]:
        prepared = [prepare(r) for r in rows]
        pairs = [self.pairs(p) for p in prepared]
        delta, prior = self.fit_list(pairs)
        out = []
        id_shared: list[set[str]] = []
        evidence: list[Evidence] = []
        for p, pp in zip(prepared, pairs, strict=True):
            scored, log_prior = self.posterior(pp, prior, delta)
            # an automatic match must be certain under the fixed model as well: what a
            # list teaches may widen the review, never make a match easier
            rule_p = self.fixed_p(pp, scored[0].id) if scored else None
            d, cands, reason = self.decide(p, scored, log_prior, explain, delta, rule_p)
            out.append(RowResult(p.id, d, cands, [], reason))
            id_shared.append({x.id for x in scored if x.levels.shares_identifier} if d == REVIEW else set())
            evidence.append(Evidence(scored[:2], rule_p))
        flag_list_duplicates(prepared, out)
        match_by_the_list(self.params, out, evidence)
        demote_taken(self.params, out, id_shared)
        return out

    # ---- deduplication ------------------------------------------------------------------
    def dedupe(self, explain: bool = False) -> tuple[list[Cluster], list[DedupePair]]:
        """Records of this register that are the same person.

        Every pair found by blocking is scored once; its probability uses the prior
        ``dedupe_prior / len(self)`` (the chance that two given records are one
        person) and the same decision rules as :meth:`link` (:meth:`rule`).

        Returns ``(clusters, pairs)``: clusters of records joined by ``match`` pairs
        (connected components), and every ``match`` or ``review`` pair as
        ``(id_a, id_b, probability, decision, explanation)`` with ``id_a < id_b``."""
        with no_gc():
            return clusters_of(dedupe_pairs(self, explain))


def dedupe(records: Iterable[Record], params: Params | None = None, explain: bool = False):
    """Same as ``LinkageIndex(records, params).dedupe(explain)``."""
    return LinkageIndex(records, params).dedupe(explain)
