"""Candidates for remains, explained (pure: no database)."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.remains.candidates import (
    AGE_SLACK,
    AnteMortem,
    Index,
    PostMortem,
    compare_document_names,
    explain,
    rank,
    score,
)

SEXES = st.sampled_from(["male", "female", "unknown"])
HAIRS = st.sampled_from(["unknown", "black", "brown", "blond", "grey", "bald"])
DENTALS = st.sampled_from(["unknown", "natural", "fillings", "prosthesis"])
MARKS = st.lists(st.tuples(st.sampled_from(["tattoo", "scar", "amputation"]),
                           st.sampled_from(["left_arm", "right_arm", "chest", "back"])), max_size=3)
PLACES = st.sampled_from(["", "Вугледар", "Угледар", "Bakhmut", "Бахмут, Донецька область", "Kupiansk"])
DATES = st.one_of(st.none(), st.dates(dt.date(2022, 2, 24), dt.date(2025, 7, 1)))
HEIGHTS = st.one_of(st.none(), st.integers(150, 200))
SURNAMES = st.sampled_from(["Петренко", "Коваленко", "Шевчук", "Бондар"])


@st.composite
def ante_mortem(draw, pid):
    return AnteMortem(pid, draw(SEXES), draw(st.one_of(st.none(), st.integers(1960, 2005))), draw(HEIGHTS),
                      draw(HEIGHTS), draw(HAIRS), draw(DENTALS), tuple(draw(MARKS)), draw(PLACES), draw(DATES),
                      draw(SURNAMES), draw(st.sampled_from(["Олександр", "Іван", "Андрій"])), "")


@st.composite
def post_mortem(draw):
    lo = draw(st.one_of(st.none(), st.integers(18, 60)))
    hi = None if lo is None else lo + draw(st.integers(0, 15))
    names = draw(st.lists(st.sampled_from(["Петренко Александр", "Коваленко Иван", "Shevchuk Andrii"]),
                          max_size=2))
    return PostMortem(1, draw(SEXES), lo, hi, draw(HEIGHTS), draw(HEIGHTS), draw(HAIRS), draw(DENTALS),
                      tuple(draw(MARKS)), draw(PLACES), draw(DATES), tuple(names))


def _normal(lo, hi):
    if lo is not None and hi is not None and lo > hi:
        return hi, lo
    return lo, hi


@settings(max_examples=150, deadline=None)
@given(post_mortem(), st.lists(st.integers(1, 10_000), unique=True, min_size=1, max_size=25).flatmap(
    lambda ids: st.tuples(*(ante_mortem(i) for i in ids))))
def test_the_index_scores_exactly_as_explained_and_blocks_only_what_it_says(pm, persons):
    pm = pm._replace(height_min=_normal(pm.height_min, pm.height_max)[0],
                     height_max=_normal(pm.height_min, pm.height_max)[1])
    scores = Index(persons).scores(pm)
    for am in persons:
        evidence = explain(pm, am)
        if evidence[0].level == "excludes":
            assert am.id not in scores
            continue
        age = evidence[1]
        if am.id in scores:
            assert math.isclose(scores[am.id], score(evidence), abs_tol=1e-9)
        else:  # left out only by the age blocking: more than AGE_SLACK years off, no name on a document
            assert age.level == "far" or dict(age.values).get("years", 0) > AGE_SLACK - 1
            assert compare_document_names(pm.names, am).weight <= 0 or not pm.names


def _am(pid, **fields):
    base = {"sex": "male", "birth_year": 1995, "height_min": 178, "height_max": 182, "hair": "brown",
            "place": "Бахмут", "date": dt.date(2023, 5, 1), "last_name": "Тестенко", "first_name": "Іван"}
    return AnteMortem(pid, **{**base, **fields})


def test_sex_excludes_and_marks_place_and_date_rank_the_right_person_first():
    pm = PostMortem(1, "male", 25, 32, 176, 184, "brown", marks=(("tattoo", "left_arm"),), place="Бахмут",
                    date=dt.date(2023, 5, 20))
    persons = [
        _am(1, sex="female"),
        _am(2, marks=(("tattoo", "left_arm"),)),
        _am(3, marks=(("tattoo", "right_arm"),)),
        _am(4, place="Kupiansk"),
        _am(5, date=dt.date(2024, 1, 1)),  # disappeared after the body was found
    ]
    ranked = rank(pm, persons)
    assert [c.person_id for c in ranked][:2] == [2, 3]
    assert 1 not in {c.person_id for c in ranked}
    assert ranked[-1].person_id == 5
    by_field = {e.field: e for e in ranked[-1].evidence}
    assert by_field["date"].reason == "found_before_disappeared"


def test_a_russian_name_on_a_document_finds_the_person_whatever_the_age():
    pm = PostMortem(1, "male", 40, 45, date=dt.date(2024, 1, 1),
                    names=("ПЕТРЕНКО Александр Николаевич",))
    persons = [_am(1, last_name="Петренко", first_name="Олександр", patronymic="Миколайович", birth_year=2000),
               _am(2, last_name="Коваленко", first_name="Олександр", birth_year=1982)]
    ranked = rank(pm, persons)
    assert ranked[0].person_id == 1
    documents = next(e for e in ranked[0].evidence if e.field == "documents")
    assert documents.level == "agree" and documents.reason == "document_agree"
