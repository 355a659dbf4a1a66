"""Eligibility rules as data: JSON expression trees, their validation and their evaluation
with reasons (pure Python, no Django).

A rule is a JSON tree::

    {"and": [rule, ...]}            all must hold (an empty list holds)
    {"or":  [rule, ...]}            at least one must hold (an empty list does not hold)
    {"not": rule}
    {"<=": [{"age_on": "2025-06-09"}, 24]}          comparisons: = ≠ < ≤ > ≥ (also != <= >=)
    {"in": [{"field": "medical_category"}, ["seriously_wounded", "seriously_ill"]]}
    {"not in": [{"field": "branch"}, ["police"]]}
    {"between": [{"captivity_years_on": "2025-06-12"}, 3, 10]}   inclusive at both ends

The left operand of a comparison is a *value*: ``{"field": NAME}`` for one of :data:`FIELDS`,
``{"age_on": "YYYY-MM-DD"}`` (full years of age on that date), ``{"captivity_days_on": DATE}`` or
``{"captivity_years_on": DATE}`` (time since capture on that date). The right operand is a
literal (a list of literals for ``in``/``not in``, two numbers for ``between``).

Values that are not known (no date of birth, a date of birth known only to the year when the
age on the date depends on the day, a blank rank category...) make a comparison *unknown*;
``and``/``or``/``not`` follow three-valued (Kleene) logic and a rule that is unknown does not hold.

Public API::

    validate(rule, vocabulary=None) -> list[RuleError]          # empty when the rule is good
    compile_rule(rule, vocabulary=None) -> Compiled             # raises InvalidRule
    Compiled.evaluate(facts) -> Evaluation                      # facts: a plain dict per person
    evaluate(rule, facts) -> Evaluation
    Evaluation.eligible (bool), .value (True/False/None), .distance (leaves to flip to hold),
    .held / .failed (lists of LeafOutcome: the reasons), .reasons(labels) -> list[str]
    fields_used(rule) -> set of fact names the rule reads

``homecoming.rules.builder`` shows a rule as rows (field, operator, operand) in and/or groups, the
shape a rule editor of forms builds, offering only what this engine accepts, and back to exactly
the same JSON.
"""

from .engine import (
    COMPARISONS,
    FIELDS,
    NUMERIC_VALUES,
    OPERATORS,
    Compiled,
    Evaluation,
    InvalidRule,
    LeafOutcome,
    RuleError,
    compile_rule,
    evaluate,
    fields_used,
    validate,
)
from .text import Labels, describe_leaf, describe_rule

__all__ = [
    "COMPARISONS",
    "FIELDS",
    "NUMERIC_VALUES",
    "OPERATORS",
    "Compiled",
    "Evaluation",
    "InvalidRule",
    "Labels",
    "LeafOutcome",
    "RuleError",
    "compile_rule",
    "describe_leaf",
    "describe_rule",
    "evaluate",
    "fields_used",
    "validate",
]
