"""The linkage engine's reasons reach the reviewer in their language (intake/reasons.py)."""

from __future__ import annotations

import itertools

import pytest
from django.utils import translation

from homecoming.intake.reasons import is_known, translate_reason
from homecoming.linkage import LinkageIndex, Params

IDX = LinkageIndex(params=Params())
LEVELS = {
    "last": ("same", "close", "initial", "differ", "missing"),
    "first": ("same", "close", "initial", "differ", "missing"),
    "pat": ("same", "differ", "missing"),
    "date": ("exact", "swap", "typo", "near", "year", "month", "differ", "missing"),
    "sn": ("same", "differ", "missing"),
    "tax": ("same", "differ", "missing"),
}


def every_rule_reason() -> set[str]:
    """Every reason LinkageIndex.rule gives, over every combination of levels and a range of
    probabilities, twins and names-only on and off."""
    out = set()
    for combo in itertools.product(*LEVELS.values()):
        for p in (0.5, 0.995, 0.9995, 0.99999):
            for twin in (False, True):
                for names_only in (False, True):
                    out.add(IDX.rule(p, combo, twin, names_only)[1])
    return out


ROW_REASONS = [  # the reasons of _decide, outside rule()
    "no candidate shares a name key, a date of birth or an identifier",
    "no candidate is probable enough to show (together 0.0123)",
    "no candidate is probable enough to show (together 3.2e-05)",
    "every candidate is another row's automatic match, on far stronger evidence (rows: 12, 40)",
    # _match_by_the_list
    "names and date of birth (exact) agree, probability 0.9712; far ahead of any other candidate, and no other "
    "row of the list names this person",
]


def test_every_reason_of_the_engine_is_known():
    reasons = every_rule_reason() | set(ROW_REASONS)
    assert len(reasons) >= 10
    unknown = sorted(r for r in reasons if not is_known(r))
    assert not unknown, f"reasons without a translation in intake/reasons.py: {unknown}"


@pytest.mark.parametrize("reason", sorted(every_rule_reason() | set(ROW_REASONS)))
def test_each_reason_reads_in_ukrainian_and_keeps_its_figures(reason):
    with translation.override("uk"):
        text = translate_reason(reason)
    assert text != reason and any("а" <= ch <= "я" or ch in "іїєґ" for ch in text.lower())
    for figure in [tok.strip("()") for tok in reason.split() if any(c.isdigit() for c in tok)]:
        assert figure.rstrip(")") in text, (figure, text)
    with translation.override("en"):
        english = translate_reason(reason)
    assert english == reason or "names and date of birth (" in reason  # date levels are said in words


def test_date_level_is_said_in_words():
    with translation.override("uk"):
        text = translate_reason("names and date of birth (swap) agree; probability 0.9995")
    assert "(swap)" not in text and "0.9995" in text


def test_unknown_text_is_shown_as_written():
    assert translate_reason("a reason from a newer engine") == "a reason from a newer engine"
    assert translate_reason("") == ""
