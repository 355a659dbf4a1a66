"""Learning from reviewers' decisions: confirmed and rejected candidates re-estimate ``m``, and
may move the automatic thresholds, but only as far as the decisions show it is safe.

A reviewer who confirms a candidate says "this pair is one person": the levels of its fields
are a sample of how the same person looks on the lists (``m``).  Counted per field and level,
shrunk towards the values in use (``pseudo`` pseudo-pairs, as the per-list EM step does,
:mod:`.listmodel`), and only for a level seen at least ``min_count`` times (a level seen twice
says nothing; it keeps its value, and the levels that moved share what the others leave).
Rejected candidates are not a sample of ``u`` (they were shown *because* they looked alike;
``u`` comes from the register, :mod:`.frequencies`): they count in the precision of the
thresholds only.

Thresholds: the probability at which a candidate is matched automatically
(``match_threshold`` for an exact date of birth, ``match_threshold_date_error`` for a date a
typical error away).  A threshold is **loosened** only when the decided best candidates in the
band it would add were right at least as often as the threshold promises (0.99 needs 99 right
of every 100) and there are enough of them to say so (``1 / (1 - threshold)`` at least: 100 for
0.99, 1,000 for 0.999); it is **tightened** when decided candidates above it were right less
often than it promises; otherwise it stays.  Pure Python: the intake stores the result
(``intake.LinkageModel``) and hands it to :class:`~.model.Params`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from .dates import STRONG_DATE_LEVELS
from .model import Params, Table, copy_table

__all__ = ["Label", "Learnt", "LEARN_LEVELS", "THRESHOLDS", "learn", "labels_of_row", "params_with"]

#: levels whose m is learnt, per field: those that sum to 1 when both sides are written in full
#: (initials and partial dates are conditional levels of their own and keep their values)
LEARN_LEVELS: dict[str, tuple[str, ...]] = {
    "last_name": ("same", "close", "misread", "differ"),
    "first_name": ("same", "close", "misread", "differ"),
    "patronymic": ("same", "close", "misread", "differ"),
    "birth_date": ("exact", "swap", "typo", "near", "differ"),
    "service_number": ("same", "close", "differ"),
    "tax_number": ("same", "close", "differ"),
}
#: threshold name -> the date levels it applies to (:func:`~.decision.rule`)
THRESHOLDS: dict[str, frozenset[str]] = {
    "match_threshold": frozenset({"exact"}),
    "match_threshold_date_error": STRONG_DATE_LEVELS - {"exact"},
}
_AGREE = ("same", "close", "misread")


class Label(NamedTuple):
    """One decided candidate: the levels of its fields as the reviewer saw them, its
    probability then, whether it was the row's best candidate, and the decision."""

    levels: dict[str, str]
    probability: float
    best: bool
    confirmed: bool


@dataclass
class Learnt:
    """What the decisions taught: the new ``m``, the thresholds, the counts used, and why each
    threshold moved or stayed (``notes``)."""

    m: Table
    thresholds: dict[str, float]
    counts: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.counts.get("updated")) or any(
            self.counts.get("thresholds", {}).get(k, {}).get("moved") for k in THRESHOLDS)


def labels_of_row(candidates: list[dict], person_id, confirmed_row: bool) -> list[Label]:
    """The labels of one decided row: its shown candidates (dicts with ``person_id``,
    ``probability`` and ``explanation``, as the intake keeps them); the one that is
    ``person_id`` is confirmed when ``confirmed_row``, every other is rejected (a list row is
    one person)."""
    out = []
    for i, c in enumerate(candidates):
        levels = {f["field"]: f["level"] for f in c.get("explanation") or ()}
        if not levels:
            continue
        ok = confirmed_row and person_id is not None and c.get("person_id") == person_id
        out.append(Label(levels, float(c.get("probability") or 0.0), i == 0, ok))
    return out


def learn(params: Params, labels: Iterable[Label], min_count: int = 30, pseudo: float = 200.0) -> Learnt:
    """Re-estimate ``m`` from the confirmed labels and check the thresholds against all of
    them (see the module's docstring).  ``params`` are the values in use."""
    labels = list(labels)
    confirmed = [x for x in labels if x.confirmed]
    m = copy_table(params.m)
    level_counts: dict[str, dict[str, int]] = {}
    updated: list[str] = []
    for fld, lvls in LEARN_LEVELS.items():
        cnt = Counter(x.levels.get(fld) for x in confirmed)
        n = {lvl: cnt.get(lvl, 0) for lvl in lvls}
        level_counts[fld] = n
        moving = [lvl for lvl in lvls if n[lvl] >= min_count]
        if not moving:
            continue
        total = sum(n.values())
        est = {lvl: (n[lvl] + pseudo * params.m[fld][lvl]) / (total + pseudo) for lvl in moving}
        # the levels that did not move keep their m; the moved ones share what is left
        left = 1.0 - sum(params.m[fld][lvl] for lvl in lvls if lvl not in moving)
        scale = left / sum(est.values())
        for lvl in moving:
            new = est[lvl] * scale
            if abs(math.log2(new / params.m[fld][lvl])) >= 0.01:
                updated.append(f"{fld}.{lvl}")
            m[fld][lvl] = new
    thresholds, t_counts, notes = _thresholds(params, labels, min_count)
    counts = {"labels": len(labels), "confirmed": len(confirmed), "rejected": len(labels) - len(confirmed),
              "min_count": min_count, "pseudo": pseudo, "levels": level_counts, "updated": updated,
              "thresholds": t_counts}
    return Learnt(m, thresholds, counts, notes)


def _eligible(levels: dict[str, str], dates: frozenset[str]) -> bool:
    """The structural rules of an automatic match hold (names agree, the date in ``dates``, no
    identifier against it): only the probability decides."""
    return (levels.get("birth_date") in dates and levels.get("last_name") in _AGREE
            and levels.get("first_name") in (*_AGREE, "initial") and levels.get("patronymic") != "differ"
            and "differ" not in (levels.get("service_number"), levels.get("tax_number")))


def _thresholds(params: Params, labels: list[Label], min_count: int) -> tuple[dict[str, float], dict, list[str]]:
    out: dict[str, float] = {}
    counts: dict = {}
    notes: list[str] = []
    for name, dates in THRESHOLDS.items():
        cur = getattr(params, name)
        best = [x for x in labels if x.best and _eligible(x.levels, dates)]
        above = [x for x in best if x.probability >= cur]
        right_above = sum(x.confirmed for x in above)
        new, why = cur, "kept: not enough decisions below it to loosen it"
        if len(above) >= min_count and right_above < cur * len(above):
            new = 1 - (1 - cur) / 10
            why = (f"tightened: {right_above} of {len(above)} decided candidates at or above {cur} were right, "
                   f"fewer than it promises")
        else:
            need = math.ceil(1 / (1 - cur))
            for lower in (1 - 5 * (1 - cur), 1 - 2 * (1 - cur)):  # the lowest that the decisions allow
                band = [x for x in best if lower <= x.probability < cur]
                right = sum(x.confirmed for x in band)
                if len(band) >= need and right >= cur * len(band) and right_above >= cur * len(above):
                    new = round(lower, 6)
                    why = (f"loosened: {right} of {len(band)} decided candidates between {new} and {cur} were "
                           f"right, at least the {cur} it promises")
                    break
            else:
                band = [x for x in best if 1 - 2 * (1 - cur) <= x.probability < cur]
                if band:
                    why = (f"kept: {sum(x.confirmed for x in band)} of {len(band)} decided candidates just below "
                           f"{cur} were right; loosening needs at least {need} of them, right {cur} of the time")
        out[name] = new
        counts[name] = {"before": cur, "after": new, "moved": new != cur, "above": len(above),
                        "right_above": right_above}
        notes.append(f"{name}: {why}")
    return out, counts, notes


def params_with(m: Table | None = None, thresholds: dict[str, float] | None = None,
                base: Params | None = None) -> Params:
    """Parameters of a run with a learnt ``m`` and thresholds (the rest as ``base`` or the
    defaults).  A level the stored table lacks (a level added since) keeps its default."""
    p = base or Params()
    if m:
        for fld, lvls in m.items():
            if fld in p.m:
                p.m[fld].update({k: float(v) for k, v in lvls.items() if k in p.m[fld]})
    for name, v in (thresholds or {}).items():
        if name in THRESHOLDS:
            setattr(p, name, float(v))
    return p
