"""Record linkage of lists against the register (pure Python, no Django).

Public API::

    Record(id, last_name="", first_name="", patronymic="", full_name="",
           birth_date=None | PartialDate | "1990-05-17", service_number="", tax_number="")
    PartialDate(year, month=None, day=None); parse_partial_date(text) -> PartialDate | None
    idx = LinkageIndex(records, params=None)     # build once
    idx.add(record); idx.remove(record_id)       # keep it up to date
    idx.link(rows, explain=True) -> list[RowResult]
        RowResult(row_id, decision="match"|"review"|"none", candidates=[Candidate...],
                  list_duplicates=[row ids], reason)
        Candidate(registry_id, probability, match_weight, decision, explanation=[FieldComparison...])
        FieldComparison(field, level, weight, list_value, registry_value, note)
        (all dataclasses; .to_dict() gives JSON-ready dicts)
    dedupe(records, params=None, explain=False) -> (clusters, pairs)
    Params(...)                                  # m/u probabilities, thresholds

See docs/linkage.md.
"""

from .compare import ID_LEVELS, NAME_LEVELS, compare_dates, compare_identifiers, compare_names
from .dates import DATE_LEVELS, STRONG_DATE_LEVELS, PartialDate, parse_partial_date
from .index import LinkageIndex, dedupe
from .model import Params
from .records import Record, normalize_identifier, prepare
from .results import Candidate, Cluster, FieldComparison, RowResult

__all__ = [
    "DATE_LEVELS",
    "ID_LEVELS",
    "NAME_LEVELS",
    "STRONG_DATE_LEVELS",
    "Candidate",
    "Cluster",
    "FieldComparison",
    "LinkageIndex",
    "Params",
    "PartialDate",
    "Record",
    "RowResult",
    "compare_dates",
    "compare_identifiers",
    "compare_names",
    "dedupe",
    "normalize_identifier",
    "parse_partial_date",
    "prepare",
]
