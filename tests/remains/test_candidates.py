"""Candidates for remains, explained (pure: no database)."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.remains.candidates import (
    AnteMortem,
    Index,
    PostMortem,
    rank,
    score_ms,
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
def test_the_index_scores_exactly_as_explained(pm, persons):
    pm = pm._replace(height_min=_normal(pm.height_min, pm.height_max)[0],
                     height_max=_normal(pm.height_min, pm.height_max)[1])
    index = Index(persons)
    scores = index.scores(pm)
    for am in persons:
        evidence = index.explain(pm, am)
        if evidence[0].level == "excludes":
            assert am.id not in scores
            continue
        assert round(scores[am.id] * 1000) == score_ms(evidence)
        assert all(math.isfinite(e.weight) for e in evidence)


@settings(max_examples=60, deadline=None)
@given(post_mortem(), st.lists(st.integers(1, 10_000), unique=True, min_size=1, max_size=60).flatmap(
    lambda ids: st.tuples(*(ante_mortem(i) for i in ids))), st.integers(1, 8))
def test_the_fast_ranking_gives_the_same_first_candidates_as_scoring_everyone(pm, persons, limit):
    pm = pm._replace(height_min=_normal(pm.height_min, pm.height_max)[0],
                     height_max=_normal(pm.height_min, pm.height_max)[1])
    index = Index(persons)
    fast, slow = index.rank(pm, limit), index.rank_exhaustive(pm, limit)
    assert [(c.person_id, c.score) for c in fast] == [(c.person_id, c.score) for c in slow]
    assert [c.evidence for c in fast] == [c.evidence for c in slow]


def test_the_fast_ranking_gives_the_same_first_20_on_the_benchmarks_synthetic_set():
    import random

    from bench.remains.__main__ import persons, remains_of

    rng = random.Random(7)
    people = persons(2_000, rng)
    index = Index(am for am, _height, _hair in people)
    for i, (am, height, hair) in enumerate(rng.sample(people, 25)):
        pm = remains_of(i, am, height, hair, rng, with_document=i % 4 == 0)
        fast, slow = index.rank(pm, 20), index.rank_exhaustive(pm, 20)
        assert [(c.person_id, c.score) for c in fast] == [(c.person_id, c.score) for c in slow]
        assert all(round(c.score * 1000) == score_ms(c.evidence) for c in fast)


def _am(pid, **fields):
    base = {"sex": "male", "birth_year": 1995, "height_min": 178, "height_max": 182, "hair": "brown",
            "place": "Бахмут", "date": dt.date(2023, 5, 1), "last_name": "Тестенко", "first_name": "Іван"}
    return AnteMortem(pid, **{**base, **fields})


BACKGROUND_PLACES = ["Село Лісне", "Кринки", "Лиман", "Сіверськ", "Торецьк", "Роботине", "Курахове", "Соледар",
                     "Авдіївка", "Покровськ", "Вовчанськ", "Мар'їнка"] + [f"Село {i}" for i in range(40)]
BACKGROUND_MARKS = [("tattoo", "chest"), ("scar", "left_leg"), ("scar", "back"), ("tattoo", "back"),
                    ("scar", "abdomen"), ("tattoo", "neck")]


def _register(n=400):
    """A register the weights can count in: persons unlike the ones a test compares (other
    places, marks and names), with common hair, heights and years of birth."""
    out = []
    for i in range(n):
        out.append(AnteMortem(
            10_000 + i, "male" if i % 20 else "female", 1965 + i % 40, 165 + i % 30, 169 + i % 30,
            ["brown", "black", "brown", "blond", "unknown"][i % 5], ["natural", "fillings", "unknown"][i % 3],
            (BACKGROUND_MARKS[i % 6],) if i % 3 == 0 else (), BACKGROUND_PLACES[i % len(BACKGROUND_PLACES)],
            dt.date(2022, 3, 1) + dt.timedelta(days=(i * 37) % 1000), f"Фоненко{i % 50}", "Петро"))
    return out


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
    ranked = rank(pm, persons + _register())
    ids = [c.person_id for c in ranked]
    assert ids[:2] == [2, 3]
    assert 1 not in ids
    assert min(ids.index(4), ids.index(5)) > 1
    by_field = {e.field: e for e in Index(persons + _register()).explain(pm, persons[4])}
    assert by_field["date"].reason == "found_before_disappeared" and by_field["date"].weight < -3
    assert by_field["place"].level == "agree" and by_field["place"].weight > 3


def test_a_rare_mark_outweighs_a_common_one():
    pm = PostMortem(1, "male", 25, 32, 176, 184, "brown", marks=(("tattoo", "chest"), ("implant", "left_leg")),
                    place="Бахмут", date=dt.date(2023, 5, 20))
    common, rare = _am(1, marks=(("tattoo", "chest"),)), _am(2, marks=(("implant", "left_leg"),))
    register = [common, rare, *_register()]  # a tattoo on the chest: one person in 18 of the register
    ranked = rank(pm, register)
    assert [c.person_id for c in ranked][:2] == [2, 1]
    weights = {c.person_id: next(e for e in c.evidence if e.field == "mark") for c in ranked[:2]}
    assert weights[2].level == weights[1].level == "agree"
    assert weights[2].weight > weights[1].weight + 2


def test_a_rare_hair_colour_and_place_weigh_more_than_common_ones():
    index = Index([_am(1, hair="red", place="Старомайорське"), _am(2, hair="brown"), *_register()])
    red = index.explain(PostMortem(1, "male", hair="red", place="Старомайорське"), index.records[0])
    brown = index.explain(PostMortem(1, "male", hair="brown", place="Лиман"), index.records[1])
    hair = {e.field: e for e in red}["hair"], {e.field: e for e in brown}["hair"]
    assert hair[0].level == hair[1].level == "agree" and hair[0].weight > hair[1].weight + 1.5
    assert {e.field: e for e in red}["place"].weight > 5


def test_a_word_many_places_share_is_no_agreement():
    index = Index([_am(1, place="Село 3"), *_register()])
    evidence = {e.field: e for e in index.explain(PostMortem(1, "male", place="Село 7"), index.records[0])}
    assert evidence["place"].level != "agree" and evidence["place"].weight <= 0
    evidence = {e.field: e for e in index.explain(PostMortem(1, "male", place="село 3"), index.records[0])}
    assert evidence["place"].level == "agree" and evidence["place"].weight > 3


def test_age_and_height_weigh_as_likelihood_ratios():
    """Within the range is for, the further outside the stronger against; the age is the person's
    between the disappearance and the date the body was found."""
    pm = PostMortem(1, "male", 25, 30, 176, 182, date=dt.date(2025, 6, 1))
    register = [_am(1, birth_year=1995, date=dt.date(2022, 5, 1)),  # 26-30 between 2022 and 2025: within
                _am(2, birth_year=1990), _am(3, birth_year=1985), _am(4, height_min=170, height_max=172),
                _am(5, height_min=160, height_max=160), *_register()]
    index = Index(register)
    field = {am.id: {e.field: e for e in index.explain(pm, am)} for am in register[:5]}
    assert field[1]["age"].level == "agree" and field[1]["age"].weight > 0
    assert field[2]["age"].weight < 0 < field[1]["age"].weight
    assert field[3]["age"].weight < field[2]["age"].weight
    assert field[1]["height"].weight > 0 > field[4]["height"].weight > field[5]["height"].weight


def test_a_document_name_puts_the_person_first_over_stronger_other_evidence():
    pm = PostMortem(1, "male", 25, 32, 176, 184, "brown", marks=(("tattoo", "left_arm"),), place="Бахмут",
                    date=dt.date(2023, 5, 20), names=("ПЕТРЕНКО Александр",))
    named = _am(1, last_name="Петренко", first_name="Олександр")
    lookalike = _am(2, marks=(("tattoo", "left_arm"),))  # a rare mark agrees too, another name
    ranked = rank(pm, [named, lookalike, *_register()])
    assert [c.person_id for c in ranked][:2] == [1, 2]
    documents = {e.field: e for e in ranked[1].evidence}["documents"]
    assert documents.level == "differ" and documents.weight < 0

def test_a_russian_name_on_a_document_finds_the_person_whatever_the_age():
    pm = PostMortem(1, "male", 40, 45, date=dt.date(2024, 1, 1),
                    names=("ПЕТРЕНКО Александр Николаевич",))
    persons = [_am(1, last_name="Петренко", first_name="Олександр", patronymic="Миколайович", birth_year=2000),
               _am(2, last_name="Коваленко", first_name="Олександр", birth_year=1982)]
    ranked = rank(pm, persons + _register())
    assert ranked[0].person_id == 1
    documents = next(e for e in ranked[0].evidence if e.field == "documents")
    assert documents.level == "agree" and documents.reason == "document_agree"
