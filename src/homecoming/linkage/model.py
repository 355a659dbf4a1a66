"""Fellegi–Sunter parameters: m and u probabilities per field comparison level.

A comparison level's match weight is ``log2(m / u)``: ``m`` is the share of true pairs
(the same person) at that level, ``u`` the share of unrelated pairs.  ``m`` values are
set from what we know of the lists (how often the other side mistypes a name, drops a
patronymic, swaps day and month); ``u`` values are estimated from the register itself
(term frequencies of names, frequencies of birth dates), as Splink's
``estimate_u_using_random_sampling`` and term-frequency adjustments do.
See docs/linkage.md for the reasoning behind every number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Params", "DEFAULT_M", "DEFAULT_U", "Table", "copy_table"]

#: probabilities per field and comparison level: ``table[field][level]``
Table = dict[str, dict[str, float]]

#: m probabilities.  Each field's levels (missing excluded) sum to 1.
DEFAULT_M: Table = {
    # "initial" is P(initials agree | same person) when one side is an initial: the
    # other levels are conditional on both sides being written in full.
    # "misread" (one OCR or by-ear confusion, a surname's other gender ending): issue 18
    "last_name": {"same": 0.895, "close": 0.07, "misread": 0.015, "differ": 0.02, "initial": 0.97},
    "first_name": {"same": 0.92, "close": 0.05, "misread": 0.01, "differ": 0.02, "initial": 0.97},
    "patronymic": {"same": 0.89, "close": 0.05, "misread": 0.01, "differ": 0.05, "initial": 0.95},
    # both dates full
    "birth_date": {"exact": 0.86, "swap": 0.02, "typo": 0.04, "near": 0.05, "differ": 0.03,
                   # one side partial
                   "month": 0.96, "year": 0.96},
    "service_number": {"same": 0.97, "close": 0.02, "differ": 0.01},
    "tax_number": {"same": 0.98, "close": 0.015, "differ": 0.005},
}

#: u probabilities used until the register provides estimates (and as floors).
DEFAULT_U: Table = {
    # "same": population share of one name, used to smooth register term frequencies
    "last_name": {"same": 3e-4, "close": 0.002, "misread": 0.001, "initial": 0.15, "differ": 0.99},
    "first_name": {"same": 0.03, "close": 0.01, "misread": 0.005, "initial": 0.2, "differ": 0.9},
    "patronymic": {"same": 0.03, "close": 0.01, "misread": 0.005, "initial": 0.2, "differ": 0.9},
    # births spread over ~40 years: 1/14,600 for the same day
    "birth_date": {"exact": 7e-5, "swap": 4e-6, "typo": 1.5e-3, "near": 3e-4, "differ": 0.998,
                   "month": 0.002, "year": 0.03, "partial_differ": 0.97},
    "service_number": {"close": 1e-4, "differ": 1.0},
    "tax_number": {"close": 1e-4, "differ": 1.0},
}


def copy_table(table: Table) -> Table:
    """A copy to change: every run (and every register's ``u``) gets its own, so the
    defaults above are never changed in place."""
    return {k: dict(v) for k, v in table.items()}


@dataclass
class Params:
    """Tunable parameters of a linkage run.

    ``prior_in_register``: the share of list rows expected to be somebody in the
    register (the rest are people the register does not hold).  ``match_threshold``:
    the posterior probability at or above which a candidate may be accepted
    automatically when the dates of birth agree exactly or an identifier agrees;
    ``match_threshold_date_error`` when the dates agree only up to a typical error
    (swap, typo, one day/month/year); the structural rules of
    :func:`~.decision.rule` must hold too.  ``review_threshold``: candidates at or
    above it are shown to a reviewer.  ``row_review_floor``: a row goes to review only
    if the candidates together are at least this probable (else ``none``): 0.05, one
    chance in twenty, because missing a person costs far more than a reviewer's look.
    ``dedupe_review_floor``: a register pair is reported (as ``match`` or ``review``)
    only if it is at least this probable.
    ``dedupe_prior``: the share of register records expected to have a duplicate.
    ``smoothing``: pseudo-count of records with which register frequencies are
    blended with the population defaults of ``u`` (matters for small registers).
    ``match_threshold_names_only``: the probability a candidate needs when surname,
    first name, patronymic and year of birth agree without a full date (names alone);
    only against a register of at least ``names_only_min_register`` records.
    ``rare_surname_block``: a list row's surname alone proposes candidates when at most
    this many records carry it (likewise its first name with the year of birth).
    ``em_iterations``, ``em_pseudo_pairs``, ``em_pseudo_rows``, ``list_prior_bounds``:
    the per-list re-estimation of ``m`` and of the share in the register
    (:func:`~.listmodel.fit_list`; 0 iterations switch it off).
    ``taken_margin``: a review candidate that another row of the same list matched
    automatically with at least this many bits more evidence is shown last and not
    counted towards ``row_review_floor`` (:func:`~.consistency.demote_taken`; ``None``
    switches it off).
    ``list_match_floor``, ``list_margin``: a review row whose best candidate is at least this
    probable, this many bits ahead of the runner-up and named by no other row of the list is
    matched (:func:`~.consistency.match_by_the_list`; ``None`` switches it off)."""

    m: Table = field(default_factory=lambda: copy_table(DEFAULT_M))
    u: Table = field(default_factory=lambda: copy_table(DEFAULT_U))
    prior_in_register: float = 0.9  # the start; each list re-estimates it (list_prior_bounds)
    dedupe_prior: float = 0.3
    smoothing: float = 2000.0
    match_threshold: float = 0.99
    match_threshold_date_error: float = 0.999
    match_threshold_names_only: float = 0.9999
    names_only_min_register: int = 2000
    review_threshold: float = 0.001
    row_review_floor: float = 0.05
    dedupe_review_floor: float = 0.5
    rare_surname_block: int = 20
    em_iterations: int = 20
    em_pseudo_pairs: float = 200.0
    em_pseudo_rows: float = 200.0
    list_prior_bounds: tuple[float, float] = (0.5, 0.98)
    taken_margin: float | None = 10.0
    list_match_floor: float | None = 0.95
    list_margin: float = 10.0
