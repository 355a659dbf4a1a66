"""Validation, compilation and evaluation of eligibility rules (see the package docstring).

A package by concern (``vocabulary``: the facts, operators, limits and the result types;
``checking``: a rule validated with errors that name their place; ``facts``: the values a rule
reads from a person's facts and the comparisons; ``compiled``: a rule compiled once and evaluated
many times with three-valued logic); this module re-exports the names callers use from
``homecoming.rules.engine``. Pure Python: no Django.
"""

from .checking import fields_used, validate
from .compiled import Compiled, compile_rule, evaluate
from .facts import MARGINS, ORDERS, age_on, captivity_days_on, captivity_years_on, field_value, full_years
from .vocabulary import (
    ALIASES,
    BOOL_OPS,
    CATEGORICAL_OPS,
    COMPARISONS,
    FIELDS,
    LOGICAL,
    MAX_DEPTH,
    MAX_LIST,
    MAX_NODES,
    NUMERIC_VALUES,
    OPERATORS,
    VALUE_KINDS,
    Evaluation,
    InvalidRule,
    LeafOutcome,
    RuleError,
)

__all__ = [
    "FIELDS",
    "NUMERIC_VALUES",
    "VALUE_KINDS",
    "ALIASES",
    "COMPARISONS",
    "OPERATORS",
    "LOGICAL",
    "CATEGORICAL_OPS",
    "BOOL_OPS",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_LIST",
    "RuleError",
    "InvalidRule",
    "LeafOutcome",
    "Evaluation",
    "validate",
    "fields_used",
    "full_years",
    "age_on",
    "captivity_days_on",
    "captivity_years_on",
    "field_value",
    "MARGINS",
    "ORDERS",
    "Compiled",
    "compile_rule",
    "evaluate",
]
