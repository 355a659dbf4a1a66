"""List-level consistency: a list names each person once, so a review candidate that
another row of the same list matched automatically, on far stronger evidence, is most
likely not this row's person (homecoming.linkage.consistency.demote_taken).

All people here are invented (synthetic names, random dates)."""

from homecoming.linkage import LinkageIndex, Params, Record

from .test_list_model import register

R = Record("h", "Huxworth", "Joshua", birth_date="1967-06-18")
S = Record("s", "Huxworth", "Tobias", birth_date="1951-02-03")  # a namesake: ties with R for WEAK
STRONG = Record("x", "Huxworth", "Joshua", birth_date="1967-06-18")  # R, matched automatically
WEAK = Record("y", "Huxworth", "Martin")  # only R's rare surname, no date


def by_id(results):
    return {r.row_id: r for r in results}


def test_a_row_whose_only_candidate_another_row_took_goes_to_none():
    idx = LinkageIndex(register() + [R])
    alone = idx.link([WEAK])[0]
    assert alone.decision == "review" and [c.registry_id for c in alone.candidates] == ["h"]
    res = by_id(idx.link([STRONG, WEAK]))
    assert res["x"].decision == "match" and res["x"].candidates[0].registry_id == "h"
    assert res["y"].decision == "none" and res["y"].candidates == []
    assert res["y"].reason.startswith("every candidate is another row's automatic match")
    assert res["y"].reason.endswith("(rows: x)")


def test_switched_off_it_changes_nothing():
    idx = LinkageIndex(register() + [R], Params(taken_margin=None))
    res = by_id(idx.link([STRONG, WEAK]))
    assert res["y"].decision == "review" and [c.registry_id for c in res["y"].candidates] == ["h"]
    assert res["y"].candidates[0].taken_by == []


def test_a_taken_candidate_is_shown_after_the_others_and_named():
    idx = LinkageIndex(register() + [R, S])
    row = WEAK
    alone = idx.link([row])[0]
    assert [c.registry_id for c in alone.candidates] == ["h", "s"]  # equal evidence: R first by id
    res = by_id(idx.link([STRONG, row]))
    y = res["y"]
    assert y.decision == "review"
    assert [c.registry_id for c in y.candidates] == ["s", "h"]
    assert y.candidates[1].taken_by == ["x"] and y.candidates[0].taken_by == []
    # probabilities are not changed, only the order
    off = by_id(LinkageIndex(register() + [R, S], Params(taken_margin=None)).link([STRONG, row]))["y"]
    assert [c.registry_id for c in off.candidates] == ["h", "s"]
    assert {c.registry_id: c.probability for c in off.candidates} == {c.registry_id: c.probability
                                                                       for c in y.candidates}
    assert res["x"].decision == "match" and res["x"].candidates[0].taken_by == []


def test_evidence_almost_as_strong_is_not_taken():
    idx = LinkageIndex(register() + [R])
    near = Record("y", "Huxworth", "Joshua", birth_date="1967-06-19")  # one day apart: a few bits less
    res = by_id(idx.link([STRONG, near]))
    assert res["y"].candidates[0].registry_id == "h" and res["y"].candidates[0].taken_by == []
    assert "x" in res["y"].list_duplicates


def test_the_margin_is_a_parameter():
    idx = LinkageIndex(register() + [R], Params(taken_margin=40.0))
    res = by_id(idx.link([STRONG, WEAK]))
    assert res["y"].decision == "review" and res["y"].candidates[0].taken_by == []


def test_a_twin_on_the_list_loses_the_brother_the_list_already_matched():
    # surname and exact date, another first name: in review on its own (twins look like
    # this); when the list also names the brother R, R is taken
    idx = LinkageIndex(register() + [R])
    twin = Record("y", "Huxworth", "Ethelbert", birth_date="1967-06-18")
    assert idx.link([twin])[0].decision == "review"
    res = by_id(idx.link([STRONG, twin]))
    assert res["y"].decision == "none" and "(rows: x)" in res["y"].reason


def test_rows_flagged_as_the_same_person_do_not_take_from_each_other():
    idx = LinkageIndex(register() + [R])
    strong = Record("x", "Huxworth", "Joshua", birth_date="1967-06-18", service_number="AB123456")
    weak = Record("y", "Huxworth", "Martin", service_number="AB123456")
    res = by_id(idx.link([strong, weak]))
    assert res["y"].list_duplicates == ["x"]
    assert res["y"].decision == "review" and res["y"].candidates[0].registry_id == "h"


def test_a_candidate_that_shares_an_identifier_is_never_taken():
    r = Record("h", "Huxworth", "Joshua", birth_date="1967-06-18", tax_number="3012345678")
    idx = LinkageIndex(register() + [r])
    weak = Record("y", "Zanzibar", "Martin", tax_number="3012345678")
    res = by_id(idx.link([STRONG, weak]))
    assert res["x"].decision == "match"
    assert res["y"].decision == "review" and res["y"].candidates[0].registry_id == "h"
    assert res["y"].candidates[0].taken_by == []
