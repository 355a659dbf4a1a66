"""Validation, compilation and evaluation of eligibility rules (see the package docstring)."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# fact name -> allowed values (None: any non-empty string, e.g. reference codes) or "bool"
FIELDS: dict[str, frozenset[str] | str | None] = {
    "side": frozenset({"ours", "enemy"}),
    "kind": frozenset({"servicemember", "civilian"}),
    "sex": frozenset({"male", "female", "unknown"}),
    "rank_category": frozenset({"private", "nco", "officer"}),
    "medical_category": frozenset({"none", "wounded", "seriously_wounded", "seriously_ill"}),
    "status": frozenset({"missing", "captivity_confirmed", "on_exchange_list", "returned", "released_other",
                         "found", "deceased", "held", "exchanged", "released"}),
    "branch": None,
    "direction": None,
    "operation": None,
    "was_missing": "bool",
}
NUMERIC_VALUES = ("age_on", "captivity_days_on", "captivity_years_on")
VALUE_KINDS = ("field", *NUMERIC_VALUES)

ALIASES = {"!=": "≠", "<=": "≤", ">=": "≥", "==": "="}
COMPARISONS = ("=", "≠", "<", "≤", ">", "≥")
OPERATORS = (*COMPARISONS, "in", "not in", "between")
LOGICAL = ("and", "or", "not")
CATEGORICAL_OPS = ("=", "≠", "in", "not in")
BOOL_OPS = ("=", "≠")

MAX_DEPTH = 32
MAX_NODES = 500
MAX_LIST = 1000


@dataclass(frozen=True)
class RuleError:
    """A problem of a rule: ``path`` is the JSON path of the bad node (``$`` is the root,
    ``$.and[1]`` the second operand of the root's ``and``); ``code`` and ``params`` let a user
    interface say it in its own language; ``message`` says it in English."""

    path: str
    code: str
    message: str
    params: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_dict(self) -> dict:
        return {"path": self.path, "code": self.code, "message": self.message, "params": dict(self.params)}


class InvalidRule(ValueError):
    def __init__(self, errors: list[RuleError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class LeafOutcome:
    """One comparison of a rule, evaluated for one person.

    ``holds``: True, False or None (unknown value). ``wanted``: the outcome the explanation needs
    from it (False under a ``not``). It is a *reason that held* when ``holds == wanted`` and a
    *reason that failed* otherwise."""

    path: str
    subject: str  # "field" or one of NUMERIC_VALUES
    argument: str  # the field name or the ISO date
    op: str
    operand: Any
    value: Any
    holds: bool | None
    wanted: bool = True
    near: bool = False  # the value is close to the boundary (or unknown): worth a second look

    @property
    def satisfied(self) -> bool:
        return self.holds is self.wanted

    def to_dict(self) -> dict:
        return {"path": self.path, "subject": self.subject, "argument": self.argument, "op": self.op,
                "operand": list(self.operand) if isinstance(self.operand, tuple | list) else self.operand,
                "value": self.value.isoformat() if isinstance(self.value, dt.date) else self.value,
                "holds": self.holds, "wanted": self.wanted, "near": self.near}


@dataclass
class Evaluation:
    """The result of a rule for one person, with its reasons.

    ``value``: True / False / None (unknown). ``eligible``: value is True. ``distance``: the least
    number of comparisons whose outcome must change for the rule to hold (0 when eligible; 1 is
    "just outside"). ``held``: the comparisons that make it hold (when eligible) or that already
    hold on the cheapest way to eligibility (when not). ``failed``: the comparisons on that cheapest
    way that do not hold (exactly ``distance`` of them)."""

    value: bool | None
    distance: int
    held: list[LeafOutcome] = field(default_factory=list)
    failed: list[LeafOutcome] = field(default_factory=list)
    near: bool = False

    @property
    def just_outside(self) -> bool:
        """Not eligible, one comparison away, and that comparison is a near miss (a number
        close to the boundary, an unknown value, a neighbouring medical category)."""
        return self.distance == 1 and self.near

    @property
    def eligible(self) -> bool:
        return self.value is True

    def reasons(self, labels=None) -> list[str]:
        from .text import describe_leaf

        outcomes = self.held if self.eligible else self.failed
        return [describe_leaf(o, labels) for o in outcomes]

    def to_dict(self, labels=None) -> dict:
        return {"eligible": self.eligible, "value": self.value, "distance": self.distance, "near": self.near,
                "held": [o.to_dict() for o in self.held], "failed": [o.to_dict() for o in self.failed],
                "reasons": self.reasons(labels)}


# --- validation -------------------------------------------------------------------------------

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


# --- values of a person -------------------------------------------------------------------------

def _as_date(x) -> dt.date | None:
    if x is None or x == "":
        return None
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    return _parse_date(x)


def full_years(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def age_on(facts: Mapping[str, Any], on: dt.date) -> int | None:
    """Full years of age on ``on``; None when unknown or when a partial date of birth leaves it open."""
    born = _as_date(facts.get("birth_date"))
    if born is None:
        return None
    precision = facts.get("birth_date_precision") or "day"
    if precision == "month":
        first = born.replace(day=1)
        last = born.replace(day=calendar.monthrange(born.year, born.month)[1])
    elif precision == "year":
        first, last = dt.date(born.year, 1, 1), dt.date(born.year, 12, 31)
    else:
        first = last = born
    if first > on:
        return None
    young, old = full_years(last, on), full_years(first, on)
    return young if young == old else None


def captivity_days_on(facts: Mapping[str, Any], on: dt.date) -> int | None:
    since = _as_date(facts.get("incident_date"))
    if since is None or since > on:
        return None
    return (on - since).days


def captivity_years_on(facts: Mapping[str, Any], on: dt.date) -> int | None:
    since = _as_date(facts.get("incident_date"))
    if since is None or since > on:
        return None
    return full_years(since, on)


def field_value(facts: Mapping[str, Any], name: str):
    v = facts.get(name)
    if v is None or v == "":
        return None
    return v


_GETTERS = {"age_on": age_on, "captivity_days_on": captivity_days_on, "captivity_years_on": captivity_years_on}


def _test(op: str, operand) -> Callable[[Any], bool]:
    if op == "=":
        return lambda v: v == operand
    if op == "≠":
        return lambda v: v != operand
    if op == "<":
        return lambda v: v < operand
    if op == "≤":
        return lambda v: v <= operand
    if op == ">":
        return lambda v: v > operand
    if op == "≥":
        return lambda v: v >= operand
    if op == "in":
        s = frozenset(operand)
        return lambda v: v in s
    if op == "not in":
        s = frozenset(operand)
        return lambda v: v not in s
    lo, hi = operand
    return lambda v: lo <= v <= hi


#: how far from the boundary a number may be for a failed comparison to be a near miss
MARGINS = {"age_on": 1, "captivity_years_on": 1, "captivity_days_on": 31}
#: neighbouring values of ordered fields (a near miss on medical category: "wounded" for "seriously ...")
ORDERS = {"medical_category": ["none", "wounded", "seriously_wounded", "seriously_ill"]}


def _gap(value, op, operand) -> float:
    """Distance from a number to the boundary of a comparison."""
    if op == "between":
        lo, hi = operand
        return 0 if lo <= value <= hi else min(abs(value - lo), abs(value - hi))
    if op in ("in", "not in"):
        return min(abs(value - x) for x in operand)
    return abs(value - operand)


def _near(subject: str, argument: str, op: str, operand) -> Callable[[Any], bool]:
    if subject in MARGINS:
        margin = MARGINS[subject]
        return lambda v: v is None or _gap(v, op, operand) <= margin
    order = ORDERS.get(argument) if subject == "field" else None
    if order:
        wanted = set(operand) if op in ("in", "not in") else {operand}
        positions = {order.index(x) for x in wanted if x in order}

        def near(v):
            if v is None:
                return True
            if v not in order:
                return False
            return any(abs(order.index(v) - p) <= 1 for p in positions)

        return near
    return lambda v: v is None


# --- compilation and evaluation -----------------------------------------------------------------

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
