"""Hand-made examples of homecoming.rules: reasons in words, invalid rules with their paths."""

import datetime as dt

import pytest

from homecoming.rules import InvalidRule, Labels, compile_rule, describe_rule, evaluate, fields_used, validate

UNDER_25 = {"and": [{"=": [{"field": "kind"}, "servicemember"]}, {"≤": [{"age_on": "2025-06-09"}, 24]}]}
SERIOUS = {"in": [{"field": "medical_category"}, ["seriously_wounded", "seriously_ill"]]}


def test_just_outside_by_age_says_the_age_on_the_date():
    result = evaluate(UNDER_25, {"kind": "servicemember", "birth_date": dt.date(2000, 6, 9)})
    assert not result.eligible and result.distance == 1
    assert result.reasons() == ["age 25 on 2025-06-09 (must be ≤ 24)"]
    inside = evaluate(UNDER_25, {"kind": "servicemember", "birth_date": dt.date(2000, 6, 10)})
    assert inside.eligible and inside.reasons() == ["kind servicemember (= servicemember)",
                                                    "age 24 on 2025-06-09 (≤ 24)"]


def test_unknown_values_do_not_make_a_person_eligible_even_under_not():
    rule = {"not": {">": [{"age_on": "2025-06-09"}, 24]}}
    result = evaluate(rule, {"birth_date": None})
    assert result.value is None and not result.eligible and result.distance == 1
    assert result.reasons() == ["age on 2025-06-09 unknown (must not be > 24)"]


def test_a_partial_birth_date_gives_an_age_only_when_the_day_does_not_matter():
    rule = {"≤": [{"age_on": "2025-06-09"}, 24]}
    assert evaluate(rule, {"birth_date": dt.date(2001, 1, 1), "birth_date_precision": "year"}).value is None
    assert evaluate(rule, {"birth_date": dt.date(2001, 8, 1), "birth_date_precision": "month"}).eligible
    assert evaluate(rule, {"birth_date": dt.date(2000, 6, 1), "birth_date_precision": "month"}).value is None


def test_time_in_captivity_and_or():
    rule = {"or": [SERIOUS, {"≥": [{"captivity_years_on": "2025-06-12"}, 3]}]}
    person = {"medical_category": "none", "incident_date": dt.date(2022, 5, 17)}
    result = evaluate(rule, person)
    assert result.eligible
    assert result.reasons() == ["3 full years in captivity on 2025-06-12 (≥ 3)"]
    person["incident_date"] = dt.date(2022, 6, 13)
    result = evaluate(rule, person)
    assert not result.eligible and result.distance == 1 and result.just_outside
    # of two ways in, the explanation names the near miss (2 years against 3), not the far one
    assert result.reasons() == ["2 full years in captivity on 2025-06-12 (must be ≥ 3)"]
    person["incident_date"] = dt.date(2024, 6, 13)
    result = evaluate(rule, person)
    assert result.distance == 1 and not result.just_outside


def test_just_outside_needs_a_near_miss():
    assert evaluate(SERIOUS, {"medical_category": "wounded"}).just_outside
    assert not evaluate(SERIOUS, {"medical_category": "none"}).just_outside
    assert evaluate(SERIOUS, {"medical_category": None}).just_outside  # unknown: worth checking
    rule = {"≤": [{"age_on": "2025-06-09"}, 24]}
    assert evaluate(rule, {"birth_date": dt.date(2000, 1, 1)}).just_outside
    assert not evaluate(rule, {"birth_date": dt.date(1990, 1, 1)}).just_outside


def test_labels_translate_the_reasons():
    labels = Labels(fields={"medical_category": "медична категорія"},
                    values={"medical_category": {"none": "немає", "seriously_ill": "тяжкохворий",
                                                 "seriously_wounded": "тяжкопоранений"}},
                    templates={"failed": "{subject} (має бути {condition})", "in": "одне з: {values}"})
    result = evaluate(SERIOUS, {"medical_category": "none"})
    assert result.reasons(labels) == ["медична категорія немає (має бути одне з: тяжкопоранений, тяжкохворий)"]


def test_describe_rule():
    assert describe_rule(UNDER_25) == "all of (kind = servicemember; age on 2025-06-09 ≤ 24)"
    assert describe_rule({"or": []}) == "never"


def test_fields_used():
    assert fields_used(UNDER_25) == {"kind", "birth_date", "birth_date_precision"}
    assert fields_used({"not": {"between": [{"captivity_days_on": "2025-01-01"}, 1, 9]}}) == {"incident_date"}


@pytest.mark.parametrize(("rule", "path", "code"), [
    ("and", "$", "not_an_expression"),
    ({"and": [], "or": []}, "$", "not_an_expression"),
    ({"and": {"x": 1}}, "$.and", "expected_list"),
    ({"xor": []}, "$", "unknown_operator"),
    ({"and": [{"≤": [{"age_on": "2025-06-31"}, 24]}]}, '$.and[0]["≤"][0].age_on', "expected_date"),
    ({"≤": [{"age_on": "2025-06-09"}, "24"]}, '$["≤"][1]', "expected_number"),
    ({"=": [{"field": "colour"}, "red"]}, '$["="][0].field', "unknown_field"),
    ({"=": [{"field": "sex"}, "m"]}, '$["="][1]', "unknown_value"),
    ({"<": [{"field": "sex"}, "male"]}, '$["<"]', "operator_not_for_field"),
    ({"in": [{"field": "sex"}, []]}, "$.in[1]", "expected_nonempty_list"),
    ({"in": [{"field": "sex"}, ["male", "robot"]]}, "$.in[1][1]", "unknown_value"),
    ({"between": [{"age_on": "2025-06-09"}, 30, 18]}, "$.between[1]", "empty_range"),
    ({"between": [{"age_on": "2025-06-09"}, 18]}, "$.between", "wrong_arity"),
    ({"=": [{"field": "was_missing"}, "yes"]}, '$["="][1]', "expected_bool"),
    ({"=": [{"height": 1}, 2]}, '$["="][0]', "unknown_value_kind"),
    ({"not": {"or": [{"=": [{"field": "sex"}, 1]}]}}, '$.not.or[0]["="][1]', "unknown_value"),
    ({"=": ["sex", "male"]}, '$["="][0]', "expected_value"),
])
def test_invalid_rules_name_the_bad_node(rule, path, code):
    errors = validate(rule)
    assert [(e.path, e.code) for e in errors][:1] == [(path, code)]
    with pytest.raises(InvalidRule):
        compile_rule(rule)


def test_vocabulary_checks_codes_that_are_data():
    rule = {"in": [{"field": "branch"}, ["navy", "space_force"]]}
    assert validate(rule) == []
    errors = validate(rule, {"branch": ["navy", "air_force"]})
    assert [(e.path, e.code) for e in errors] == [("$.in[1][1]", "unknown_value")]


def test_huge_rules_are_refused():
    rule = {"and": [{"=": [{"field": "sex"}, "male"]}] * 600}
    assert validate(rule)[0].code == "too_large"
    deep = {"=": [{"field": "sex"}, "male"]}
    for _ in range(40):
        deep = {"not": deep}
    assert any(e.code == "too_deep" for e in validate(deep))
