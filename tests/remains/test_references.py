"""Which reference samples suffice for kinship testing (pure: no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from homecoming.remains.references import sufficiency

RELATIONSHIPS = ["father", "mother", "child", "other_parent", "full_sibling", "half_sibling", "other"]


def test_the_three_sufficient_combinations():
    assert sufficiency(["father", "mother"]).rule == "both_parents"
    assert sufficiency(["child", "other_parent"]).rule == "child_and_other_parent"
    assert sufficiency(["full_sibling", "full_sibling"]).rule == "siblings"


def test_what_to_ask_for():
    assert sufficiency([]).ask_for[0] == ("father", "mother")
    assert sufficiency(["mother"]).ask_for[0] == ("father",)
    assert ("other_parent",) in sufficiency(["child"]).ask_for
    assert ("full_sibling",) in sufficiency(["full_sibling", "half_sibling"]).ask_for
    assert not sufficiency(["half_sibling", "half_sibling", "other", "child"]).enough


@given(st.lists(st.sampled_from(RELATIONSHIPS), max_size=8))
def test_asking_for_any_option_makes_it_enough(have):
    result = sufficiency(have)
    assert result.enough == (not result.ask_for)
    for option in result.ask_for:
        assert sufficiency([*have, *option]).enough
        # and nothing asked is superfluous: one fewer is not enough
        if len(option) > 0:
            assert not sufficiency([*have, *option[1:]]).enough


@given(st.lists(st.sampled_from(RELATIONSHIPS), max_size=8), st.sampled_from(RELATIONSHIPS))
def test_more_samples_never_make_it_worse(have, extra):
    if sufficiency(have).enough:
        assert sufficiency([*have, extra]).enough
