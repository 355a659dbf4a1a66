"""What linkage hands back: explanations, candidates, row results and clusters.

Kept apart from the engine so that the apps (and JSON exports) depend on these plain
dataclasses only, never on how the index reaches them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["FieldComparison", "Candidate", "RowResult", "Cluster", "DedupePair"]


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
    #: stronger evidence (:func:`~homecoming.linkage.consistency.demote_taken`): shown
    #: last, not counted
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


#: one pair of :meth:`LinkageIndex.dedupe`: ``(id_a, id_b, probability, decision,
#: explanation)`` with ``id_a < id_b``; a plain tuple because the command line and the
#: apps unpack it so
DedupePair = tuple[str, str, float, str, list[FieldComparison]]
