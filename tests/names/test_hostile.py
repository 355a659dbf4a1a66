"""Hostile input for the name functions that tests/test_names.py's properties do not reach:
every public function of homecoming.names on any text (control characters, surrogates of other
scripts, combining marks, very long tokens) and every kind, returns its documented type and
never raises. (normalize, detect_script, transliterate, search_keys, skeleton, parse_full_name
and variants are covered there.)"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecoming.names import (
    display_case,
    equivalents,
    fix_homoglyphs,
    initial_classes,
    is_first_name_like,
    is_patronymic_like,
    token_variants,
)
from homecoming.names.keys import token_kind_hint
from homecoming.names.variants import latin_to_ukrainian

KINDS = st.sampled_from([None, "first", "patronymic", "last"])
# Text weighted towards what names are made of, with anything else mixed in.
NAMEISH = st.text(alphabet=st.one_of(
    st.sampled_from("абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэёъАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ'’ʼ-. "),
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZ"),
    st.characters(),
), max_size=40)
ANY = st.one_of(NAMEISH, st.text(max_size=40), st.text(min_size=200, max_size=2000))
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(ANY, KINDS)
def test_token_functions_never_raise(token, kind):
    eq = equivalents(token, kind)
    assert isinstance(eq, frozenset) and all(isinstance(e, str) for e in eq)
    classes = initial_classes(token, kind)
    assert isinstance(classes, frozenset)
    tv = token_variants(token, kind)
    assert isinstance(tv, tuple) and list(tv) == sorted(tv)
    assert token_kind_hint(token) in {"initial", "patronymic", "first", "other"}
    assert isinstance(is_first_name_like(token), bool)
    assert isinstance(is_patronymic_like(token), bool)
    assert isinstance(latin_to_ukrainian(token), str)


@FAST
@given(ANY)
def test_text_functions_never_raise_and_are_stable(text):
    fixed = fix_homoglyphs(text)
    assert isinstance(fixed, str)
    assert fix_homoglyphs(fixed) == fixed
    assert isinstance(display_case(text), str)


@FAST
@given(NAMEISH)
def test_an_equivalent_is_equivalent_back(token):
    """Equivalence is a matching relation: b in equivalents(a) means a's key is among b's (for
    first names and patronymics, looked up both ways)."""
    forms = equivalents(token)
    for other in list(forms)[:5]:
        assert forms & equivalents(other), (token, other)
