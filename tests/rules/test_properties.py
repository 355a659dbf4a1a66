"""Property tests of homecoming.rules: random persons, random rules, a naive reference evaluator."""

from __future__ import annotations

import datetime as dt
import itertools
import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from homecoming.rules import compile_rule, validate
from homecoming.rules.engine import FIELDS, LOGICAL, OPERATORS

BRANCHES = ["navy", "air_force", "national_guard", "border_guard"]
TEXT_VALUES = {name: sorted(v) for name, v in FIELDS.items() if isinstance(v, frozenset)}
TEXT_VALUES.update({"branch": BRANCHES, "direction": ["donetsk", "kherson"], "operation": ["mariupol", "bakhmut"]})
DATES = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def persons(draw):
    facts = {name: draw(st.sampled_from([*values, "", None])) for name, values in TEXT_VALUES.items()}
    facts["was_missing"] = draw(st.sampled_from([True, False, None]))
    facts["birth_date"] = draw(st.none() | st.dates(min_value=dt.date(1955, 1, 1), max_value=dt.date(2008, 12, 31)))
    facts["birth_date_precision"] = draw(st.sampled_from(["day", "day", "month", "year"]))
    facts["incident_date"] = draw(st.none() | st.dates(min_value=dt.date(2014, 2, 20), max_value=dt.date(2026, 1, 1)))
    return facts


@st.composite
def leaves(draw):
    kind = draw(st.sampled_from(["field", "age_on", "captivity_days_on", "captivity_years_on"]))
    if kind == "field":
        name = draw(st.sampled_from(sorted(FIELDS)))
        if name == "was_missing":
            return {draw(st.sampled_from(["=", "≠", "!="])): [{"field": name}, draw(st.booleans())]}
        values = TEXT_VALUES[name]
        op = draw(st.sampled_from(["=", "≠", "in", "not in"]))
        if op in ("in", "not in"):
            return {op: [{"field": name}, draw(st.lists(st.sampled_from(values), min_size=1, max_size=3))]}
        return {op: [{"field": name}, draw(st.sampled_from(values))]}
    on = draw(DATES).isoformat()
    numbers = st.integers(min_value=0, max_value=80) if kind != "captivity_days_on" else st.integers(0, 4000)
    op = draw(st.sampled_from(["=", "≠", "<", "≤", ">", "≥", "<=", ">=", "in", "not in", "between"]))
    if op in ("in", "not in"):
        return {op: [{kind: on}, draw(st.lists(numbers, min_size=1, max_size=3))]}
    if op == "between":
        a, b = sorted([draw(numbers), draw(numbers)])
        return {op: [{kind: on}, a, b]}
    return {op: [{kind: on}, draw(numbers)]}


rules = st.recursive(
    leaves(),
    lambda children: st.one_of(
        st.builds(lambda xs: {"and": xs}, st.lists(children, min_size=1, max_size=4)),
        st.builds(lambda xs: {"or": xs}, st.lists(children, min_size=1, max_size=4)),
        st.builds(lambda x: {"not": x}, children),
    ),
    max_leaves=8,
)


# --- the naive reference evaluator (written independently of the engine) ---------------------------

def _anniversary(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year: the birthday is reached on 1 March
        return dt.date(born.year + years, 3, 1)


def _years_between(start: dt.date, end: dt.date) -> int:
    n = 0
    while _anniversary(start, n + 1) <= end:
        n += 1
    return n


def ref_value(subject, person):
    (kind, arg), = subject.items()
    if kind == "field":
        v = person.get(arg)
        return None if v in (None, "") else v
    on = dt.date.fromisoformat(arg)
    if kind == "age_on":
        born = person.get("birth_date")
        if born is None:
            return None
        precision = person.get("birth_date_precision")
        if precision == "year":
            candidates = [dt.date(born.year, 1, 1), dt.date(born.year, 12, 31)]
        elif precision == "month":
            nxt = dt.date(born.year + (born.month == 12), born.month % 12 + 1, 1)
            candidates = [dt.date(born.year, born.month, 1), nxt - dt.timedelta(days=1)]
        else:
            candidates = [born]
        if candidates[0] > on:  # not yet born on that date
            return None
        ages = {(_years_between(c, on) if c <= on else -1) for c in candidates}
        return ages.pop() if len(ages) == 1 else None
    since = person.get("incident_date")
    if since is None or since > on:
        return None
    if kind == "captivity_days_on":
        return (on - since).days
    return _years_between(since, on)


def ref_leaf(op, args, person):
    v = ref_value(args[0], person)
    if v is None:
        return None
    op = {"!=": "≠", "<=": "≤", ">=": "≥"}.get(op, op)
    x = args[1]
    return {
        "=": lambda: v == x, "≠": lambda: v != x, "<": lambda: v < x, "≤": lambda: v <= x,
        ">": lambda: v > x, "≥": lambda: v >= x, "in": lambda: v in x, "not in": lambda: v not in x,
        "between": lambda: args[1] <= v <= args[2],
    }[op]()


def ref_eval(rule, person, override=None, path="$"):
    """Kleene logic; ``override`` maps leaf paths to forced outcomes."""
    (op, args), = rule.items()
    here = f"{path}.{op}" if op.isidentifier() else f'{path}["{op}"]'
    if op == "and":
        vals = [ref_eval(c, person, override, f"{here}[{i}]") for i, c in enumerate(args)]
        return False if False in vals else (None if None in vals else True)
    if op == "or":
        vals = [ref_eval(c, person, override, f"{here}[{i}]") for i, c in enumerate(args)]
        return True if True in vals else (None if None in vals else False)
    if op == "not":
        v = ref_eval(args, person, override, here)
        return None if v is None else not v
    if override and here in override:
        return override[here]
    return ref_leaf(op, args, person)


def leaf_nodes(rule, path="$"):
    """{path: (op, args)} of every comparison of a rule."""
    (op, args), = rule.items()
    here = f"{path}.{op}" if op.isidentifier() else f'{path}["{op}"]'
    if op in ("and", "or"):
        return {p: n for i, c in enumerate(args) for p, n in leaf_nodes(c, f"{here}[{i}]").items()}
    if op == "not":
        return leaf_nodes(args, here)
    return {here: (op, args)}


def leaf_paths(rule):
    return list(leaf_nodes(rule))


# --- properties ---------------------------------------------------------------------------------

@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(rules, persons())
def test_evaluation_agrees_with_the_reference(rule, person):
    assert validate(rule) == []
    result = compile_rule(rule).evaluate(person)
    assert result.value is ref_eval(rule, person)
    assert result.eligible == (ref_eval(rule, person) is True)
    assert (result.distance == 0) == result.eligible
    assert compile_rule(rule).cost(person) == (result.value, result.distance, result.near or result.eligible)
    if result.just_outside:
        assert len(result.failed) == 1 and result.failed[0].near


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(rules, persons())
def test_reasons_are_real_and_flipping_the_failed_ones_makes_the_rule_hold(rule, person):
    result = compile_rule(rule).evaluate(person)
    nodes = leaf_nodes(rule)
    for outcome in result.held + result.failed:
        # every reason is a comparison of the rule, with the outcome it really has for this person
        op, args = nodes[outcome.path]
        assert outcome.holds is ref_leaf(op, args, person)
        assert outcome.value == ref_value(args[0], person)
    assert len(result.failed) == result.distance
    assert all(not o.satisfied for o in result.failed) and all(o.satisfied for o in result.held)
    forced = {o.path: o.wanted for o in result.failed}
    if result.held:
        forced.update({o.path: o.wanted for o in result.held})
    assert ref_eval(rule, person, forced) is True
    if result.eligible:
        assert result.failed == [] and result.held


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(rules, persons())
def test_distance_is_the_least_number_of_leaves_to_change(rule, person):
    paths = leaf_paths(rule)
    assume(len(paths) <= 6)
    result = compile_rule(rule).evaluate(person)
    best = None
    for k in range(len(paths) + 1):
        for chosen in itertools.combinations(paths, k):
            for values in itertools.product([True, False], repeat=k):
                if ref_eval(rule, person, dict(zip(chosen, values, strict=True))) is True:
                    best = k
                    break
            if best is not None:
                break
        if best is not None:
            break
    assert result.distance == best


@settings(max_examples=300)
@given(st.lists(leaves(), min_size=1, max_size=6), persons())
def test_a_conjunction_names_exactly_its_failing_leaves(parts, person):
    rule = {"and": parts}
    result = compile_rule(rule).evaluate(person)
    expected = {path for path, (op, args) in leaf_nodes(rule).items() if ref_leaf(op, args, person) is not True}
    assert {o.path for o in result.failed} == expected
    assert {o.path for o in result.held} == set(leaf_paths(rule)) - expected
    assert len(result.reasons()) == (len(parts) if result.eligible else len(expected))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8)
    | st.sampled_from([*OPERATORS, *LOGICAL, "field", "age_on", "sex", "2025-06-09", "<=", "!="]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from([*OPERATORS, *LOGICAL, "field", "age_on", "captivity_years_on", "x"])
                      | st.text(max_size=4), children, max_size=2),
    max_leaves=12,
)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, persons())
def test_random_json_never_crashes(candidate, person):
    errors = validate(candidate)
    for e in errors:
        assert e.path.startswith("$") and e.message
        json.dumps(e.to_dict())
    if not errors:
        compiled = compile_rule(candidate)
        result = compiled.evaluate(person)
        result.reasons()
        json.dumps(result.to_dict())
