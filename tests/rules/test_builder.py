"""Rules as rows and groups (homecoming.rules.builder): what the forms offer is what the engine
accepts, and every rule they can show comes back as exactly the same JSON."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homecoming.rules import FIELDS, NUMERIC_VALUES, OPERATORS, validate
from homecoming.rules.builder import (
    MAX_LEVELS,
    SUBJECTS,
    Group,
    Row,
    canonical,
    from_rule,
    operand_shape,
    operators_for,
    parse_number,
    path_within,
    row_paths,
    show_number,
    to_rule,
)


def test_the_offer_is_the_engines_own():
    assert set(SUBJECTS) == set(FIELDS) | set(NUMERIC_VALUES)
    for subject in SUBJECTS:
        for op in OPERATORS:
            offered = op in operators_for(subject)
            accepted = not any(e.code == "operator_not_for_field" for e in validate(_leaf(subject, op)))
            assert offered == accepted, (subject, op)


def _leaf(subject, op):
    kind = FIELDS.get(subject)
    shape = operand_shape(op)
    if subject in NUMERIC_VALUES:
        operand = [1, 2] if shape == "list" else (1, 2) if shape == "range" else 1
        return to_rule(Row(subject, op, operand, "2025-06-09"))
    value = True if kind == "bool" else sorted(kind)[0] if isinstance(kind, frozenset) else "navy"
    operand = [value] if shape == "list" else (value, value) if shape == "range" else value
    return to_rule(Row(subject, op, operand))


def _rows():
    rows = []
    for subject in SUBJECTS:
        for op in operators_for(subject):
            rule = _leaf(subject, op)
            assert not validate(rule), rule
            rows.append(rule)
    return rows


def test_every_operator_on_every_subject_round_trips():
    rows = _rows()
    assert {next(iter(r)) for r in rows} == set(OPERATORS)
    for join in ("and", "or"):
        rule = {join: rows}
        assert to_rule(from_rule(rule)) == rule


def test_nested_and_negated_groups_round_trip_and_deeper_ones_are_refused():
    a, b, c = {"=": [{"field": "sex"}, "male"]}, {"≤": [{"age_on": "2025-06-09"}, 24]}, \
        {"in": [{"field": "status"}, ["missing"]]}
    for rule in ({"and": [a, {"or": [b, c]}, {"not": {"and": [c]}}]}, {"not": {"or": [a, {"and": []}]}},
                 {"and": []}, {"or": []}):
        assert to_rule(from_rule(rule)) == rule
    assert MAX_LEVELS == 2
    assert from_rule({"and": [{"or": [{"and": [a]}]}]}) is None  # a group in a group in the rule
    assert from_rule({"not": a}) is None  # a "not" of one comparison: JSON only
    assert from_rule(a) is None  # a bare comparison is not a group
    assert from_rule({"and": [a, "x"]}) is None and from_rule(["and"]) is None


def test_aliases_are_read_in_the_engines_spelling():
    rule = {"and": [{"<=": [{"age_on": "2025-06-09"}, 24]}, {"!=": [{"field": "sex"}, "male"]}]}
    assert to_rule(from_rule(rule)) == canonical(rule) == {
        "and": [{"≤": [{"age_on": "2025-06-09"}, 24]}, {"≠": [{"field": "sex"}, "male"]}]}


def test_row_paths_are_the_engines_error_paths():
    group = from_rule({"and": [{"=": [{"field": "sex"}, "x"]},
                               {"not": {"or": [{"between": [{"age_on": "2025-06-09"}, 5, 3]}]}}]})
    paths = [p for _row, p in row_paths(group)]
    assert paths == ["$.and[0]", "$.and[1].not.or[0]"]
    errors = validate(to_rule(group))
    assert [e.code for e in errors] == ["unknown_value", "empty_range"]
    assert path_within(errors[0].path, paths[0]) and path_within(errors[1].path, paths[1])
    assert not path_within("$.and[10]", "$.and[1]")


@given(st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=64)))
def test_numbers_read_back_exactly(x):
    assert parse_number(show_number(x)) == x
    assert type(parse_number(show_number(x))) is type(x)


@pytest.mark.parametrize(("text", "value"), [("24", 24), ("2,5", 2.5), (" -3 ", -3), ("1e3", 1000.0),
                                             ("", None), ("двадцять", None), ("1 000", None), ("nan", None)])
def test_numbers_as_people_type_them(text, value):
    assert parse_number(text) == value


_subjects = st.sampled_from(SUBJECTS)


@st.composite
def _groups(draw, level=1):
    children = []
    for _ in range(draw(st.integers(0, 4))):
        if level < MAX_LEVELS and draw(st.booleans()):
            children.append(draw(_groups(level + 1)))
        else:
            subject = draw(_subjects)
            children.append(from_rule({"and": [_leaf(subject, draw(st.sampled_from(operators_for(subject))))]})
                            .children[0])
    return Group(draw(st.sampled_from(["and", "or"])), draw(st.booleans()), children)


@given(_groups())
def test_any_group_of_rows_round_trips(group):
    rule = to_rule(group)
    assert from_rule(rule) == group
    assert to_rule(from_rule(rule)) == rule
