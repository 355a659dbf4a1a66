"""Learning from reviewers' decisions (homecoming.linkage.learning): confirmed candidates move
m the way they point, too few change nothing, rejected ones never loosen a threshold."""

from __future__ import annotations

import math

from homecoming.linkage import LinkageIndex, Record
from homecoming.linkage.learning import Label, labels_of_row, learn, params_with
from homecoming.linkage.model import DEFAULT_M, Params

FULL = {"last_name": "same", "first_name": "same", "patronymic": "same", "birth_date": "exact"}


def _labels(n: int, p: float = 0.999, confirmed: bool = True, **levels) -> list[Label]:
    return [Label({**FULL, **levels}, p, True, confirmed) for _ in range(n)]


def test_confirmed_date_errors_raise_the_weight_of_a_date_error():
    labels = _labels(300) + _labels(200, birth_date="typo")
    learnt = learn(Params(), labels, min_count=30)
    m = learnt.m["birth_date"]
    assert m["typo"] > DEFAULT_M["birth_date"]["typo"] * 2
    assert m["exact"] < DEFAULT_M["birth_date"]["exact"]
    assert math.isclose(sum(m[x] for x in ("exact", "swap", "typo", "near", "differ")), 1.0)
    # levels seen fewer than min_count times keep their value
    assert m["swap"] == DEFAULT_M["birth_date"]["swap"]
    assert "birth_date.typo" in learnt.counts["updated"] and learnt.changed


def test_confirmed_misreadings_raise_their_weight_and_the_engine_uses_it():
    labels = _labels(400) + _labels(100, last_name="misread")
    learnt = learn(Params(), labels, min_count=30)
    assert learnt.m["last_name"]["misread"] > 3 * DEFAULT_M["last_name"]["misread"]
    idx = LinkageIndex([Record("r1", "Пасисниченко", "Руслан", birth_date="1980-06-23")])
    before = idx.scorer
    before.refresh()
    w0 = before.w("last_name", "misread")
    idx.set_params(params_with(learnt.m, learnt.thresholds))
    idx.scorer.refresh()
    assert idx.scorer.w("last_name", "misread") > w0 + 1


def test_too_few_decisions_change_nothing():
    labels = _labels(20, birth_date="typo") + _labels(20, p=0.97)
    learnt = learn(Params(), labels, min_count=30)
    assert learnt.m == Params().m
    assert learnt.thresholds == {"match_threshold": 0.99, "match_threshold_date_error": 0.999}
    assert not learnt.changed


def test_a_rejected_heavy_history_never_loosens_and_a_wrong_one_above_tightens():
    # 2,000 decided candidates just below the exact-date threshold, one in ten rejected
    band = _labels(1800, p=0.97) + _labels(200, p=0.97, confirmed=False)
    above = _labels(500, p=0.995)
    learnt = learn(Params(), band + above, min_count=30)
    assert learnt.thresholds["match_threshold"] == 0.99
    assert "kept" in learnt.notes[0]
    # rejected candidates above the threshold: it is tightened, never loosened
    learnt = learn(Params(), band + above + _labels(30, p=0.995, confirmed=False), min_count=30)
    assert learnt.thresholds["match_threshold"] > 0.99
    assert "tightened" in learnt.notes[0]


def test_enough_right_decisions_below_a_threshold_loosen_it_and_no_fewer():
    right = _labels(1000, p=0.996, birth_date="typo") + _labels(200, p=0.9995, birth_date="typo")
    learnt = learn(Params(), right, min_count=30)
    assert learnt.thresholds["match_threshold_date_error"] == 0.995
    # 999 of them are not enough to say 999 in 1,000 are right
    learnt = learn(Params(), right[1:], min_count=30)
    assert learnt.thresholds["match_threshold_date_error"] == 0.999
    # one wrong among them and it stays
    wrong = right[:999] + _labels(1, p=0.996, birth_date="typo", confirmed=False) + right[1000:]
    wrong += _labels(1, p=0.996, birth_date="typo", confirmed=False)
    assert learn(Params(), wrong, min_count=30).thresholds["match_threshold_date_error"] == 0.999


def test_labels_of_a_decided_row():
    cands = [{"person_id": 7, "probability": 0.8, "explanation": [{"field": "last_name", "level": "same"}]},
             {"person_id": 9, "probability": 0.1, "explanation": [{"field": "last_name", "level": "close"}]}]
    accepted = labels_of_row(cands, 9, True)
    assert [(x.confirmed, x.best) for x in accepted] == [(False, True), (True, False)]
    assert not any(x.confirmed for x in labels_of_row(cands, None, False))
