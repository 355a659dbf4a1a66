"""The decision rules, level by level (LinkageIndex.rule)."""

import pytest

from homecoming.linkage import LinkageIndex, Params

IDX = LinkageIndex(params=Params(match_threshold=0.99, match_threshold_date_error=0.999))

# levels: (last, first, patronymic, date, service number, tax number)
GOOD = ("same", "same", "same", "exact", "missing", "missing")


def lv(**kw):
    names = ["last", "first", "pat", "date", "sn", "tax"]
    out = list(GOOD)
    for k, v in kw.items():
        out[names.index(k)] = v
    return tuple(out)


@pytest.mark.parametrize("levels,p,twin,decision,why", [
    (GOOD, 0.995, False, "match", "names and date of birth (exact) agree"),
    (GOOD, 0.98, False, "review", "below the automatic threshold 0.99"),
    (lv(date="typo"), 0.998, False, "review", "below the automatic threshold 0.999"),
    (lv(date="typo"), 0.9995, False, "match", "date of birth (typo) agree"),
    (lv(date="swap"), 0.9995, False, "match", "(swap)"),
    (lv(date="near"), 0.9995, False, "match", "(near)"),
    (lv(date="year"), 1.0, False, "review", "names only"),
    (lv(date="month"), 1.0, False, "review", "names only"),
    (lv(date="missing"), 1.0, False, "review", "names only"),
    (lv(date="differ"), 1.0, False, "review", "names only"),
    (lv(last="close"), 0.995, False, "match", "agree"),
    (lv(first="initial", pat="initial"), 0.995, False, "match", "agree"),
    (lv(last="differ"), 1.0, False, "review", "names disagree"),
    (lv(first="differ"), 1.0, False, "review", "names disagree"),
    (lv(pat="differ"), 1.0, False, "review", "names disagree"),
    (lv(last="initial"), 1.0, False, "review", "names disagree"),
    (lv(first="missing"), 0.995, False, "match", "agree"),  # exact date, surname same
    (lv(first="missing", date="typo"), 1.0, False, "review", "names disagree"),
    (lv(first="missing", last="close"), 1.0, False, "review", "names disagree"),
    (lv(last="missing"), 0.995, False, "match", "agree"),
    (lv(sn="same", date="missing"), 0.2, False, "match", "identifier agrees"),
    (lv(tax="same", date="missing", first="initial"), 0.2, False, "match", "identifier agrees"),
    (lv(sn="same", last="differ", first="differ"), 1.0, False, "review", "identifier agrees but the names do not"),
    (lv(sn="same", last="differ"), 0.9, False, "match", "identifier agrees"),
    (lv(sn="same", tax="differ"), 1.0, False, "review", "another differs"),
    (lv(sn="same"), 1.0, True, "review", "shared by more than one"),
    (lv(sn="differ"), 1.0, False, "review", "identifier differs"),
    (lv(sn="close"), 0.995, False, "match", "agree"),  # a typo in the number does not block
])
def test_rule(levels, p, twin, decision, why):
    d, reason = IDX.rule(p, levels, twin)
    assert d == decision
    assert why in reason
