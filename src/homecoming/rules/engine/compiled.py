"""A rule compiled once (its leaves ordered by cost) and evaluated for many persons with
three-valued (Kleene) logic, with the leaves that decided as reasons.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .checking import _parse_date, fields_used, validate
from .facts import _GETTERS, _near, _test
from .vocabulary import ALIASES, Evaluation, InvalidRule, LeafOutcome


@dataclass(frozen=True)
class _Leaf:
    index: int
    path: str
    subject: str
    argument: str
    op: str
    operand: Any
    get: Callable
    test: Callable
    near: Callable


class Compiled:
    """A validated rule, ready to evaluate many persons quickly."""

    def __init__(self, rule, vocabulary=None):
        errors = validate(rule, vocabulary)
        if errors:
            raise InvalidRule(errors)
        self.rule = rule
        self.leaves: list[_Leaf] = []
        self._tree = self._build(rule, "$")
        self.fields = fields_used(rule)

    def _build(self, node, path):
        (key, arg), = node.items()
        op = ALIASES.get(key, key)
        here = f"{path}.{key}" if key.isidentifier() else f'{path}["{key}"]'
        if op in ("and", "or"):
            return (op, [self._build(c, f"{here}[{i}]") for i, c in enumerate(arg)])
        if op == "not":
            return ("not", self._build(arg, here))
        (kind, name), = arg[0].items()
        if kind == "field":
            def get(facts, _n=name):
                v = facts.get(_n)
                return None if v is None or v == "" else v
        else:
            on = _parse_date(name)
            fn = _GETTERS[kind]

            def get(facts, _fn=fn, _on=on):
                return _fn(facts, _on)
        operand = tuple(arg[1:]) if op == "between" else (tuple(arg[1]) if op in ("in", "not in") else arg[1])
        leaf = _Leaf(len(self.leaves), here, kind, name, op, operand, get, _test(op, operand),
                     _near(kind, name, op, operand))
        self.leaves.append(leaf)
        return ("leaf", leaf)

    def _leaf_values(self, facts):
        """(value, holds, near) of every comparison for one person."""
        out = []
        for leaf in self.leaves:
            v = leaf.get(facts)
            out.append((v, None if v is None else bool(leaf.test(v)), leaf.near(v)))
        return out

    def cost(self, facts) -> tuple[bool | None, int, bool]:
        """(value, distance, near) without the reasons: the fast path for whole pools."""
        values = self._leaf_values(facts)
        value, ct, _cf, nt, _nf = _cost(self._tree, values)
        return value, ct, nt

    def evaluate(self, facts) -> Evaluation:
        values = self._leaf_values(facts)
        value, ct, _cf, plan_t, _plan_f, nt, _nf = _plan(self._tree, values)
        held, failed = [], []
        for index, wanted in sorted(plan_t):
            leaf = self.leaves[index]
            v, h, near = values[index]
            outcome = LeafOutcome(leaf.path, leaf.subject, leaf.argument, leaf.op, leaf.operand, v, h, wanted, near)
            (held if h is wanted else failed).append(outcome)
        return Evaluation(value, ct, held, failed, nt and ct > 0)


def _kleene_and(values):
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _kleene_or(values):
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _cost(node, values):
    """-> (value, flips to make it true, flips to make it false, near_true, near_false): near_x
    says the cheapest way there changes only near misses."""
    kind, arg = node
    if kind == "leaf":
        _v, h, near = values[arg.index]
        return h, 0 if h is True else 1, 0 if h is False else 1, h is True or near, h is False or near
    if kind == "not":
        v, ct, cf, nt, nf = _cost(arg, values)
        return (None if v is None else not v), cf, ct, nf, nt
    parts = [_cost(c, values) for c in arg]
    if kind == "and":
        best = min(parts, key=lambda p: (p[2], not p[4])) if parts else None
        return (_kleene_and([p[0] for p in parts]), sum(p[1] for p in parts),
                best[2] if best else math.inf, all(p[3] for p in parts), best[4] if best else False)
    best = min(parts, key=lambda p: (p[1], not p[3])) if parts else None
    return (_kleene_or([p[0] for p in parts]), best[1] if best else math.inf, sum(p[2] for p in parts),
            best[3] if best else False, all(p[4] for p in parts))


def _plan(node, values):
    """-> (value, cost_true, cost_false, plan_true, plan_false, near_true, near_false); a plan is a
    list of (leaf index, wanted outcome) that, all set, make the node true (false)."""
    kind, arg = node
    if kind == "leaf":
        _v, h, near = values[arg.index]
        return (h, 0 if h is True else 1, 0 if h is False else 1, [(arg.index, True)], [(arg.index, False)],
                h is True or near, h is False or near)
    if kind == "not":
        v, ct, cf, pt, pf, nt, nf = _plan(arg, values)
        return (None if v is None else not v), cf, ct, pf, pt, nf, nt
    parts = [_plan(c, values) for c in arg]
    if kind == "and":
        value = _kleene_and([p[0] for p in parts])
        best = min(parts, key=lambda p: (p[2], not p[6])) if parts else None
        return (value, sum(p[1] for p in parts), best[2] if best else math.inf,
                [x for p in parts for x in p[3]], best[4] if best else [],
                all(p[5] for p in parts), best[6] if best else False)
    value = _kleene_or([p[0] for p in parts])
    best = min(parts, key=lambda p: (p[1], not p[5])) if parts else None
    return (value, best[1] if best else math.inf, sum(p[2] for p in parts),
            best[3] if best else [], [x for p in parts for x in p[4]],
            best[5] if best else False, all(p[6] for p in parts))


def compile_rule(rule, vocabulary=None) -> Compiled:
    return Compiled(rule, vocabulary)


def evaluate(rule, facts, vocabulary=None) -> Evaluation:
    return Compiled(rule, vocabulary).evaluate(facts)
