"""A rule validated before it is stored: every error with its path in the tree, a code and a
message, so that the editor can point at the wrong part.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from .vocabulary import (
    ALIASES,
    BOOL_OPS,
    CATEGORICAL_OPS,
    FIELDS,
    MAX_DEPTH,
    MAX_LIST,
    MAX_NODES,
    NUMERIC_VALUES,
    OPERATORS,
    VALUE_KINDS,
    RuleError,
)


def _err(path: str, code: str, message: str, **params) -> RuleError:
    return RuleError(path, code, message, tuple(sorted(params.items())))


def _is_number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _parse_date(text) -> dt.date | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _allowed(name: str, vocabulary: Mapping[str, Any] | None):
    if vocabulary and name in vocabulary and vocabulary[name] is not None:
        return frozenset(vocabulary[name])
    return FIELDS[name]


def validate(rule: Any, vocabulary: Mapping[str, Any] | None = None) -> list[RuleError]:
    """All the problems of ``rule`` (an empty list when it is good). ``vocabulary`` may give the
    allowed values of fields whose values are data (``{"branch": ["navy", ...]}``)."""
    errors: list[RuleError] = []
    count = [0]
    _check(rule, "$", 0, errors, count, vocabulary)
    return errors


def _check(node, path, depth, errors, count, vocabulary) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        if count[0] == MAX_NODES + 1:
            errors.append(_err(path, "too_large", f"The rule has more than {MAX_NODES} parts.", limit=MAX_NODES))
        return
    if depth > MAX_DEPTH:
        errors.append(_err(path, "too_deep", f"The rule is nested more than {MAX_DEPTH} levels deep.",
                           limit=MAX_DEPTH))
        return
    if not isinstance(node, dict) or len(node) != 1:
        errors.append(_err(path, "not_an_expression",
                           'Expected an object with exactly one operator, e.g. {"and": [...]}.'))
        return
    (key, arg), = node.items()
    op = ALIASES.get(key, key)
    if not isinstance(key, str):
        errors.append(_err(path, "unknown_operator", f"Unknown operator {_show(key)}.", op=_show(key)))
        return
    here = f"{path}.{key}" if key.isidentifier() else f'{path}["{key}"]'
    if op in ("and", "or"):
        if not isinstance(arg, list):
            errors.append(_err(here, "expected_list", f'"{key}" takes a list of rules.', op=key))
            return
        for i, child in enumerate(arg):
            _check(child, f"{here}[{i}]", depth + 1, errors, count, vocabulary)
        return
    if op == "not":
        _check(arg, here, depth + 1, errors, count, vocabulary)
        return
    if op not in OPERATORS:
        errors.append(_err(path, "unknown_operator",
                           f'Unknown operator "{key}"; use one of: and, or, not, {", ".join(OPERATORS)}.',
                           op=str(key)))
        return
    size = 3 if op == "between" else 2
    if not isinstance(arg, list) or len(arg) != size:
        example = "[value, low, high]" if op == "between" else "[value, operand]"
        errors.append(_err(here, "wrong_arity", f'"{key}" takes a list {example}.', op=key, example=example))
        return
    subject = _check_value(arg[0], f"{here}[0]", errors, vocabulary)
    if subject is None:
        return
    kind, allowed = subject
    operands = arg[1:]
    if kind == "number":
        if op in ("in", "not in"):
            _check_list(operands[0], f"{here}[1]", errors, _is_number, "numbers", key)
            return
        for j, x in enumerate(operands, start=1):
            if not _is_number(x):
                errors.append(_err(f"{here}[{j}]", "expected_number", "Expected a number.", got=_show(x)))
        if op == "between" and all(_is_number(x) for x in operands) and operands[0] > operands[1]:
            errors.append(_err(f"{here}[1]", "empty_range", "The low end of the range is above the high end.",
                               low=operands[0], high=operands[1]))
        return
    if kind == "bool":
        if op not in BOOL_OPS:
            errors.append(_err(here, "operator_not_for_field",
                               f'"{key}" cannot be used with a yes/no field; use = or ≠.', op=key))
        elif not isinstance(operands[0], bool):
            errors.append(_err(f"{here}[1]", "expected_bool", "Expected true or false.", got=_show(operands[0])))
        return
    if op not in CATEGORICAL_OPS:
        errors.append(_err(here, "operator_not_for_field", f'"{key}" cannot be used with this field; use =, ≠, '
                           "in or not in.", op=key))
        return

    def good(x):
        return isinstance(x, str) and x != "" and (allowed is None or x in allowed)

    if op in ("in", "not in"):
        _check_list(operands[0], f"{here}[1]", errors, good, "known values", key, allowed)
    elif not good(operands[0]):
        errors.append(_bad_value(f"{here}[1]", operands[0], allowed))


def _show(x) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _bad_value(path, x, allowed) -> RuleError:
    if allowed is None:
        return _err(path, "expected_text", "Expected a non-empty text value.", got=_show(x))
    choices = ", ".join(sorted(allowed))
    return _err(path, "unknown_value", f"Unknown value {_show(x)}; use one of: {choices}.", got=_show(x),
                choices=choices)


def _check_list(x, path, errors, good, what, key, allowed=None) -> None:
    if not isinstance(x, list) or not x:
        errors.append(_err(path, "expected_nonempty_list", f'"{key}" takes a non-empty list of {what}.', op=key))
        return
    if len(x) > MAX_LIST:
        errors.append(_err(path, "list_too_long", f"At most {MAX_LIST} values.", limit=MAX_LIST))
        return
    for i, item in enumerate(x):
        if not good(item):
            if allowed is None and what == "numbers":
                errors.append(_err(f"{path}[{i}]", "expected_number", "Expected a number.", got=_show(item)))
            else:
                errors.append(_bad_value(f"{path}[{i}]", item, allowed))


def _check_value(x, path, errors, vocabulary):
    """-> ("number", None) | ("bool", None) | ("text", allowed) or None after an error."""
    if not isinstance(x, dict) or len(x) != 1:
        errors.append(_err(path, "expected_value",
                           'Expected a value such as {"field": "sex"} or {"age_on": "2025-06-09"}.'))
        return None
    (kind, arg), = x.items()
    here = f"{path}.{kind}" if isinstance(kind, str) and kind.isidentifier() else path
    if kind == "field":
        if not isinstance(arg, str) or arg not in FIELDS:
            errors.append(_err(here, "unknown_field",
                               f"Unknown field {_show(arg)}; use one of: {', '.join(FIELDS)}.",
                               got=_show(arg), choices=", ".join(FIELDS)))
            return None
        allowed = _allowed(arg, vocabulary)
        return ("bool", None) if allowed == "bool" else ("text", allowed)
    if kind in NUMERIC_VALUES:
        if _parse_date(arg) is None:
            errors.append(_err(here, "expected_date", "Expected a date as YYYY-MM-DD.", got=_show(arg)))
            return None
        return ("number", None)
    errors.append(_err(path, "unknown_value_kind",
                       f"Unknown value {_show(kind)}; use one of: {', '.join(VALUE_KINDS)}.",
                       got=_show(kind), choices=", ".join(VALUE_KINDS)))
    return None


def fields_used(rule) -> set[str]:
    """The facts a (valid) rule reads: field names, plus ``birth_date``/``birth_date_precision``
    for ages and ``incident_date`` for time in captivity."""
    out: set[str] = set()

    def walk(node):
        (key, arg), = node.items()
        op = ALIASES.get(key, key)
        if op in ("and", "or"):
            for c in arg:
                walk(c)
        elif op == "not":
            walk(arg)
        else:
            (kind, name), = arg[0].items()
            if kind == "field":
                out.add(name)
            elif kind == "age_on":
                out.update(("birth_date", "birth_date_precision"))
            else:
                out.add("incident_date")

    walk(rule)
    return out
