"""Rules as rows and groups, the shape a form builds them in (pure Python, no Django).

A rule editor of forms shows a rule as a :class:`Group` (all of / any of, perhaps negated) of
:class:`Row` (subject, operator, operand) and of groups of rows. What it may offer comes from the
engine, never from a second list: the subjects are the engine's ``FIELDS`` and ``NUMERIC_VALUES``,
the operators for each subject those the engine's validation accepts for it
(:func:`operators_for`). :func:`to_rule` writes the JSON the engine reads; :func:`from_rule` reads
one back, and answers None when the rule has a shape the rows cannot show (a ``not`` over one
comparison, groups nested deeper than :data:`MAX_LEVELS`): such a rule is edited as JSON.
``to_rule(from_rule(rule)) == canonical(rule)`` whenever ``from_rule`` answers, so a rule built in
the forms round-trips exactly. :func:`row_paths` names each row's JSON path, so that the engine's
errors (which carry paths) are shown next to their row.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from .engine import ALIASES, BOOL_OPS, CATEGORICAL_OPS, FIELDS, NUMERIC_VALUES, OPERATORS

#: what a row may compare: the engine's fields, then its numeric values (each read on a date)
SUBJECTS: tuple[str, ...] = (*FIELDS, *NUMERIC_VALUES)
#: the logical operators a group may join its parts with
JOINS = ("and", "or")
#: levels of groups the rows show: the rule itself and groups inside it
MAX_LEVELS = 2


def kind_of(subject: str) -> str | None:
    """"number" (read on a date), "bool", "text", or None for an unknown subject."""
    if subject in NUMERIC_VALUES:
        return "number"
    if subject in FIELDS:
        return "bool" if FIELDS[subject] == "bool" else "text"
    return None


def operators_for(subject: str) -> tuple[str, ...]:
    """The operators the engine accepts for ``subject`` (all of them for an unknown one)."""
    return {"number": OPERATORS, "bool": BOOL_OPS, "text": CATEGORICAL_OPS}.get(kind_of(subject) or "", OPERATORS)


def operand_shape(op: str) -> str:
    """"list" (in, not in), "range" (between) or "one"."""
    return "list" if op in ("in", "not in") else "range" if op == "between" else "one"


@dataclass
class Row:
    """One comparison: ``subject`` (a field or a numeric value), ``date`` (ISO, for a numeric
    value), ``op`` and ``operand`` (a literal, a list for in/not in, a pair for between)."""

    subject: str = ""
    op: str = ""
    operand: Any = None
    date: str = ""


@dataclass
class Group:
    join: str = "and"
    negated: bool = False
    children: list[Row | Group] = field(default_factory=list)


def to_rule(node: Row | Group) -> dict:
    """The JSON rule of a group or a row (no checking: the engine's ``validate`` does that)."""
    if isinstance(node, Group):
        inner = {node.join: [to_rule(c) for c in node.children]}
        return {"not": inner} if node.negated else inner
    value = {"field": node.subject} if node.subject in FIELDS else {node.subject: node.date}
    shape = operand_shape(node.op)
    if shape == "range":
        low, high = node.operand
        return {node.op: [value, low, high]}
    if shape == "list":
        return {node.op: [value, list(node.operand)]}
    return {node.op: [value, node.operand]}


def canonical(rule: Any) -> Any:
    """``rule`` with the engine's spelling of each operator (``<=`` → ``≤``, ``!=`` → ``≠``)."""
    if isinstance(rule, dict) and len(rule) == 1:
        (key, arg), = rule.items()
        key = ALIASES.get(key, key) if isinstance(key, str) else key
        if key in JOINS and isinstance(arg, list):
            return {key: [canonical(c) for c in arg]}
        if key == "not":
            return {key: canonical(arg)}
        return {key: arg}
    return rule


def from_rule(rule: Any) -> Group | None:
    """The rows and groups of ``rule``, or None when they cannot show it exactly."""
    rule = canonical(rule)
    try:
        group = _group(rule, 1)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if group is None or to_rule(group) != rule:
        return None
    return group


def _group(rule, level: int) -> Group | None:
    if not isinstance(rule, dict) or len(rule) != 1:
        return None
    (key, arg), = rule.items()
    negated = key == "not"
    if negated:
        if not isinstance(arg, dict) or len(arg) != 1:
            return None
        (key, arg), = arg.items()
    if key not in JOINS or not isinstance(arg, list):
        return None
    children: list[Row | Group] = []
    for child in arg:
        (child_key, _), = child.items()
        if child_key in JOINS or child_key == "not":
            if level >= MAX_LEVELS:
                return None
            sub = _group(child, level + 1)
            if sub is None:
                return None
            children.append(sub)
        else:
            children.append(_row(child))
    return Group(join=key, negated=negated, children=children)


def _row(rule) -> Row:
    (op, arg), = rule.items()
    if op not in OPERATORS or not isinstance(arg, list) or not arg:
        raise ValueError(op)
    (kind, name), = arg[0].items()
    subject, date = (name, "") if kind == "field" else (kind, name)
    if kind != "field" and kind not in NUMERIC_VALUES:
        raise ValueError(kind)
    shape = operand_shape(op)
    if shape == "range":
        if len(arg) != 3:
            raise ValueError(op)
        return Row(subject, op, (arg[1], arg[2]), date)
    if len(arg) != 2:
        raise ValueError(op)
    if shape == "list" and not isinstance(arg[1], list):
        raise ValueError(op)
    return Row(subject, op, list(arg[1]) if shape == "list" else arg[1], date)


def row_paths(group: Group, path: str = "$") -> list[tuple[Row, str]]:
    """Each row with the JSON path the engine's errors give it (``$.and[1].or[0]``)."""
    out: list[tuple[Row, str]] = []
    here = f"{path}.not.{group.join}" if group.negated else f"{path}.{group.join}"
    for i, child in enumerate(group.children):
        if isinstance(child, Group):
            out.extend(row_paths(child, f"{here}[{i}]"))
        else:
            out.append((child, f"{here}[{i}]"))
    return out


def path_within(error_path: str, node_path: str) -> bool:
    """Whether an error at ``error_path`` is about the node at ``node_path`` or a part of it."""
    return error_path == node_path or error_path.startswith((node_path + ".", node_path + "["))


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(text: str) -> int | float | None:
    """A number as a person types it (``24``, ``2.5``, ``2,5``): an int when it is whole as
    written, so that ``24`` stays ``24`` in the JSON; None when it is not a number."""
    text = (text or "").strip().replace(",", ".").replace("\u2212", "-")
    if not _NUMBER.match(text):
        return None
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    value = float(text)
    return value if math.isfinite(value) else None


def show_number(value: Any) -> str:
    """A number of a rule as a form shows it (``parse_number`` reads it back to the same value)."""
    return "" if value is None or isinstance(value, bool) else repr(value) if isinstance(value, float) else str(value)
