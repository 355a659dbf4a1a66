"""What a list teaches the engine (m and the share in the register, re-estimated per
list), names-only matches against a large register, and the wider blocking of list rows.

All people here are invented (synthetic names, random dates)."""

import datetime as dt
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.linkage import LinkageIndex, Params, Record
from homecoming.linkage.listmodel import EM_INDEX, Scored
from homecoming.linkage.records import prepare
from homecoming.linkage.scoring import Levels

LATIN_LAST = ["Abbott", "Barker", "Carlisle", "Dunmore", "Ellery", "Fairbank", "Gillard", "Hensley", "Ingram",
              "Jarvis", "Kendall", "Lockwood", "Marlowe", "Norcross", "Oakley", "Pemberton", "Quigley",
              "Radcliffe", "Somerton", "Thornbury", "Underhill", "Vickers", "Whitlock", "Yardley"]
LATIN_FIRST = ["Adam", "Bruno", "Cedric", "Dorian", "Edgar", "Felix", "Gordon", "Harvey", "Isaac", "Jasper",
               "Kieran", "Lionel", "Martin", "Nigel", "Oscar", "Percy", "Rupert", "Simon", "Tobias", "Victor"]


def register(n=400, seed=5):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        d = dt.date(1940, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 60))
        out.append(Record(f"R{i}", rnd.choice(LATIN_LAST) + rnd.choice(["", "s", "son", "ley"]),
                          rnd.choice(LATIN_FIRST), birth_date=d.isoformat()))
    return out


def copies(recs, k, replace_first=0.0, seed=9):
    """List rows copying ``k`` register records; a share of them with another first name."""
    rnd = random.Random(seed)
    rows = []
    for i, r in enumerate(rnd.sample(recs, k)):
        first = r.first_name
        if rnd.random() < replace_first:
            first = rnd.choice([f for f in LATIN_FIRST if f != first])
        rows.append(Record(f"L{i}", r.last_name, first, birth_date=str(r.birth_date)))
    return rows


def fit(idx, rows):
    return idx.fit_list([idx.pairs(prepare(r)) for r in rows])


def test_a_list_that_replaces_first_names_teaches_it():
    recs = register()
    idx = LinkageIndex(recs)
    clean_delta, clean_prior = fit(idx, copies(recs, 300))
    noisy_delta, noisy_prior = fit(idx, copies(recs, 300, replace_first=0.3))
    i = EM_INDEX[("first_name", "differ")]
    assert noisy_delta[i] > 1.5  # replaced first names are much more likely from this source
    assert clean_delta[i] < 0  # and less likely from a clean one
    # every row is somebody in the register: the share rises above the default 0.9
    assert clean_prior > 0.9 and noisy_prior > 0.9
    assert clean_prior <= idx.params.list_prior_bounds[1]


def test_a_short_list_keeps_the_defaults():
    recs = register()
    idx = LinkageIndex(recs)
    delta, prior = fit(idx, copies(recs, 3, replace_first=1.0))
    assert max(abs(d) for d in delta) < 1.0  # 20 times as many rows move it by 2-3 bits
    assert abs(prior - 0.9) < 0.02


def test_no_iterations_means_the_fixed_model():
    recs = register()
    idx = LinkageIndex(recs, Params(em_iterations=0))
    delta, prior = fit(idx, copies(recs, 100, replace_first=0.5))
    assert delta == [0.0] * len(delta) and prior == 0.9


def test_a_list_with_replaced_first_names_raises_the_person_s_probability():
    recs = register()
    rows = copies(recs, 300, replace_first=0.3)
    truth = {f"L{i}": r for i, r in enumerate(random.Random(9).sample(recs, 300))}
    replaced = {r.id for r in rows if r.first_name != truth[r.id].first_name}
    assert len(replaced) > 50

    def p_true(params):
        out = {}
        for r in LinkageIndex(recs, params).link(rows, explain=False):
            if r.row_id in replaced:
                out[r.row_id] = next((c.probability for c in r.candidates
                                      if c.registry_id == truth[r.row_id].id), 0.0)
        return out

    fixed, learnt = p_true(Params(em_iterations=0)), p_true(Params())
    assert sum(learnt.values()) > sum(fixed.values())
    assert sum(1 for k in replaced if learnt[k] > fixed[k]) > 0.9 * len(replaced)


@pytest.mark.parametrize("replace_first", [0.0, 0.3, 0.6])
def test_what_a_list_taught_never_makes_a_match_the_fixed_model_would_not(replace_first):
    recs = register()
    rows = copies(recs, 300, replace_first=replace_first)
    fixed = {(r.row_id, r.candidates[0].registry_id)
             for r in LinkageIndex(recs, Params(em_iterations=0)).link(rows, explain=False) if r.decision == "match"}
    learnt = {(r.row_id, r.candidates[0].registry_id)
              for r in LinkageIndex(recs).link(rows, explain=False) if r.decision == "match"}
    assert learnt <= fixed


def test_explanation_adds_up_with_what_the_list_taught():
    recs = register()
    idx = LinkageIndex(recs)
    rows = copies(recs, 200, replace_first=0.3)
    res = idx.link(rows)
    n = len(idx)
    checked = 0
    for r in res:
        for c in r.candidates:
            # the prior is the list's estimate: recover it from one candidate, then check
            # that the fields add up to the same weight for every candidate of the list
            if c.explanation and any(f.level == "differ" for f in c.explanation[:2]):
                total = sum(f.weight for f in c.explanation)
                log_prior = c.match_weight - total
                prior = 1 / (1 + 2 ** -log_prior / n)
                assert 0.5 <= prior <= 0.98
                checked += 1
    assert checked


def test_an_automatic_match_needs_the_fixed_model_too():
    recs = register()
    idx = LinkageIndex(recs)
    r = prepare(Record("x", "Abbott", "Adam", birth_date="1950-01-02"))
    lv = ("same", "same", "missing", "typo", "missing", "missing")
    scored = [Scored(0.9995, 20.0, "R1", Levels(*lv), False)]
    assert idx.decide(r, scored, 0.0, False)[0] == "match"
    assert idx.decide(r, scored, 0.0, False, rule_p=0.998)[0] == "review"


# ---- names alone ---------------------------------------------------------------------

BIG = Params(names_only_min_register=1)


@pytest.mark.parametrize("levels,p,allowed,decision", [
    (("same", "same", "same", "year", "missing", "missing"), 0.99995, True, "match"),
    (("same", "same", "same", "month", "missing", "missing"), 0.99995, True, "match"),
    (("same", "same", "same", "year", "missing", "missing"), 0.9998, True, "review"),
    (("same", "same", "same", "year", "missing", "missing"), 0.99995, False, "review"),
    (("same", "same", "same", "missing", "missing", "missing"), 1.0, True, "review"),
    (("same", "same", "missing", "year", "missing", "missing"), 1.0, True, "review"),
    (("same", "close", "same", "year", "missing", "missing"), 1.0, True, "review"),
    (("close", "same", "same", "year", "missing", "missing"), 1.0, True, "review"),
    (("same", "initial", "initial", "year", "missing", "missing"), 1.0, True, "review"),
    (("same", "same", "same", "differ", "missing", "missing"), 1.0, True, "review"),
])
def test_names_only_rule(levels, p, allowed, decision):
    d, reason = LinkageIndex().rule(p, levels, False, names_only=allowed)
    assert d == decision
    assert ("year of birth agrees" in reason) == (decision == "match")


def test_names_only_match_needs_a_large_register():
    recs = register() + [Record("v", "Vernyhora", "Taras", "Petrovych", birth_date="1979-11-30")]
    row = Record("x", "VERNYHORA", "TARAS", "PETROVYCH", birth_date="1979")
    small = LinkageIndex(recs).link([row])[0]
    assert small.decision == "review" and "names only" in small.reason
    big = LinkageIndex(recs, BIG).link([row])[0]
    assert big.decision == "match" and big.candidates[0].registry_id == "v"


def test_names_only_with_a_namesake_is_review():
    recs = register() + [Record("v1", "Vernyhora", "Taras", "Petrovych", birth_date="1979-11-30"),
                         Record("v2", "Vernyhora", "Taras", "Petrovych", birth_date="1979-02-11")]
    r = LinkageIndex(recs, BIG).link([Record("x", "Vernyhora", "Taras", "Petrovych", birth_date="1979")])[0]
    assert r.decision == "review"
    assert {c.registry_id for c in r.candidates} >= {"v1", "v2"}


@settings(max_examples=40, deadline=None)
@given(last=st.sampled_from(LATIN_LAST), first=st.sampled_from(LATIN_FIRST),
       year=st.one_of(st.none(), st.integers(1940, 2000)))
def test_names_without_patronymic_never_match_on_names_alone(last, first, year):
    idx = LinkageIndex(register(200), BIG)
    row = Record("x", last, first, birth_date=str(year) if year else None)
    assert idx.link([row])[0].decision != "match"


# ---- wider blocking of list rows -----------------------------------------------------

def ids_of(idx, row, wide=True):
    return {idx.blocking.by_slot[s].id for s in idx.candidates(prepare(row), wide=wide)}


def test_a_name_typed_in_two_words_is_the_same_name():
    idx = LinkageIndex(register() + [Record("e", "Everett", "Benjamin", birth_date="1962-10-23")])
    r = idx.link([Record("x", "Ever ett", "Benjamin", birth_date="1962-10-23")])[0]
    assert r.decision == "match" and r.candidates[0].registry_id == "e"
    assert r.candidates[0].explanation[0].level == "same"


def test_a_rare_surname_alone_is_a_candidate_for_a_list_row_not_for_dedupe():
    idx = LinkageIndex(register() + [Record("h", "Huxworth", "Joshua", birth_date="1967-06-18")])
    row = Record("x", "Huxworth", "Martin", birth_date="1914-05-29")
    assert "h" in ids_of(idx, row)
    assert "h" not in ids_of(idx, row, wide=False)
    strict = LinkageIndex(register() + [Record("h", "Huxworth", "Joshua", birth_date="1967-06-18")],
                          Params(rare_surname_block=0))
    assert "h" not in ids_of(strict, row)


def test_a_short_surname_one_typo_away_is_a_candidate():
    idx = LinkageIndex(register() + [Record("r", "Reid", "Joel", birth_date="1905-11-12")])
    assert "r" in ids_of(idx, Record("x", "Reif", "Joel", birth_date="1976-09-04"))
    assert "r" not in ids_of(idx, Record("x", "Reif", "Joel", birth_date="1976-09-04"), wide=False)


def test_first_name_with_the_year_of_birth_finds_a_replaced_surname():
    idx = LinkageIndex(register() + [Record("m", "Miell", "Ethelbert", birth_date="1983-07-25")])
    row = Record("x", "Wihtr", "Ethelbert", birth_date="1983-08-25")
    assert "m" in ids_of(idx, row)
    r = idx.link([row])[0]
    assert r.decision == "review" and "m" in {c.registry_id for c in r.candidates}


def test_log_prior_of_the_fixed_model():
    idx = LinkageIndex(register())
    pairs = idx.pairs(prepare(Record("x", "Abbott", "Adam", birth_date="1950-01-02")))
    if pairs:
        best = max(pairs, key=lambda p: p.weight)
        p = idx.fixed_p(pairs, best.id)
        scored, _ = idx.posterior(pairs, idx.params.prior_in_register)
        assert math.isclose(p, next(s.probability for s in scored if s.id == best.id), rel_tol=1e-9)


def test_the_garbage_collector_is_paused_only_while_working():
    import gc

    from homecoming.linkage.index import no_gc

    assert gc.isenabled()
    idx = LinkageIndex(register(50))
    idx.link([Record("x", "Abbott", "Adam", birth_date="1950-01-02")])
    assert gc.isenabled()
    with pytest.raises(RuntimeError), no_gc():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        idx.link([Record("x", "Abbott", "Adam")])
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


def test_no_pseudo_pairs_and_a_list_without_candidates_keep_the_defaults():
    idx = LinkageIndex(register(), Params(em_pseudo_pairs=0.0))
    delta, prior = fit(idx, [Record("x", "Zzyzx", "Qwerty")])
    assert delta == [0.0] * len(delta)
    assert idx.params.list_prior_bounds[0] <= prior <= 0.9


def test_letter_edits_are_one_letter_away_with_the_first_letter_kept():
    from homecoming.linkage.records import letter_edits, letter_key

    assert "bindoff" in letter_edits("bindoxff")  # an extra letter (x is two sounds, ks)
    assert "herbert" in letter_edits("herert")  # a dropped letter (rr collapses in the skeleton)
    assert "goetze" in letter_edits("goetdze")
    assert "gillard" in letter_edits("gillatd")  # a replaced letter
    assert "hingston" in letter_edits("hignston")  # two letters transposed
    assert "bindoxff" not in letter_edits("bindoxff")
    assert "kindoff" not in letter_edits("bindoff")  # the first letter is kept
    assert "hingsxtxon" not in letter_edits("hingston")  # two edits
    assert all(len(v) >= 6 for v in letter_edits("herbert"))
    assert letter_edits("reid") == frozenset()
    assert letter_key("Smith son".lower()) == "smithson" and letter_key("reid") == ""


def test_a_long_surname_two_sounds_away_is_a_candidate_for_a_list_row():
    # `Bindoxff` is two skeleton edits from `Bindoff` (x = ks): no sound key finds it
    idx = LinkageIndex(register() + [Record("b", "Bindoff", "Ethelbert", birth_date="1931-04-02")])
    row = Record("x", "Bindoxff", "Ethelbert")
    assert prepare(row).last.keys.isdisjoint(prepare(idx.get("b")).last.keys)
    assert "b" in ids_of(idx, row)
    assert "b" not in ids_of(idx, row, wide=False)  # dedupe does without it
    r = idx.link([row])[0]
    assert r.decision == "review" and r.candidates[0].registry_id == "b"
    assert r.candidates[0].explanation[0].level == "close"
    # the first name's initial class must agree as well
    assert "b" not in ids_of(idx, Record("x", "Bindoxff", "Tobias"))


def test_a_long_surname_one_letter_away_needs_only_the_first_initial():
    # three typos: surname (t for r), first name (d for e), date (one digit); only the
    # letter block with the first name's initial class proposes the person
    idx = LinkageIndex(register() + [Record("g", "Gillardine", "Jake", birth_date="1959-08-28")])
    row = Record("x", "Gillatdine", "Jakd", birth_date="1959-08-08")
    assert prepare(row).first.keys.isdisjoint(prepare(idx.get("g")).first.keys)
    assert "g" in ids_of(idx, row)
    assert "g" not in ids_of(idx, row, wide=False)


def test_the_letter_index_follows_add_and_remove():
    idx = LinkageIndex(register() + [Record("h", "Herbert", "Ethelbert", birth_date="1942-09-18")])
    row = Record("x", "Herert", "Ethelbert", birth_date="1948-01-29")
    assert "h" in ids_of(idx, row)
    idx.remove("h")
    assert "h" not in ids_of(idx, row) and "herbert" not in idx.blocking.letters
    idx.add(Record("h", "Herbert", "Ethelbert", birth_date="1942-09-18"))
    idx.add(Record("h", "Herbert", "Ethelbert", birth_date="1942-09-18"))  # replaced, not doubled
    assert idx.blocking.letters["herbert"] == [idx.blocking.slot["h"]]
    assert "h" in ids_of(idx, row)
