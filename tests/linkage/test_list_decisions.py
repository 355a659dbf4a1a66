"""Decisions that use the list (issue 18): a list names each person once, so a review row whose
best candidate is far ahead and named by no other row is matched; never for an initial, a date
that is only near, a candidate another row names, or when a twin stands behind it."""

from homecoming.linkage import LinkageIndex, Params, Record

from .test_index import background

PERSON = Record("p", "Вернигора", "Тарас", "Петрович", birth_date="1979-11-30")
TWIN = Record("t", "Вернигора", "Остап", "Петрович", birth_date="1979-11-30")
# the usual threshold made unreachable, so that only the list can decide
STRICT = {"match_threshold": 1.1, "match_threshold_date_error": 1.1, "match_threshold_names_only": 1.1}


def link(rows, extra=(), **params):
    return LinkageIndex([*background(), PERSON, *extra], Params(**{**STRICT, **params})).link(rows)


ROW = Record("x", "ВЕРНИГОРА", "ТАРАС", "ПЕТРОВИЧ", birth_date="30.11.1979")


def test_a_row_far_ahead_and_named_by_no_other_row_is_matched():
    res = link([ROW])[0]
    assert res.decision == "match" and res.candidates[0].registry_id == "p"
    assert "no other row of the list names this person" in res.reason
    assert link([ROW], list_match_floor=None)[0].decision == "review"


def test_not_when_another_row_names_the_same_person():
    other = Record("y", "Вернигора", "Т.", "", birth_date="1979")
    res = link([ROW, other])
    assert res[0].decision == "review"


def test_not_for_an_initial_or_a_date_only_near():
    assert link([Record("x", "ВЕРНИГОРА", "Т.", "П.", birth_date="30.11.1979")])[0].decision == "review"
    assert link([Record("x", "ВЕРНИГОРА", "ТАРАС", "ПЕТРОВИЧ", birth_date="29.11.1979")])[0].decision == "review"


def test_the_twin_guard_stays():
    res = link([ROW], extra=[TWIN])[0]
    assert res.decision == "review" and {c.registry_id for c in res.candidates} >= {"p"}
