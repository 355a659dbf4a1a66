"""One English word, one translation in each place (issue 19): a word that means different
things in different apps has a message context, so one app's translation no longer wins
everywhere (Django merges the catalogues; without a context the first one found is used)."""

from django.template import Context, Template
from django.utils import translation

from homecoming.registry.models import MedicalCategory


def uk(text: str) -> str:
    with translation.override("uk"):
        return Template("{% load i18n %}" + text).render(Context())


def test_kind_is_a_persons_category_only_on_the_register():
    assert uk('{% translate "Kind" %}') == "Вид"  # import, task and payment tables
    assert uk('{% translate "Kind" context "person" %}') == "Категорія особи"


def test_agreement_is_an_agreement_except_in_the_review_of_a_match():
    assert uk('{% translate "Agreement" %}') == "Домовленість"  # exchange reports
    assert uk('{% translate "Agreement" context "match" %}') == "Збіг"


def test_no_medical_category_reads_none_not_nothing():
    with translation.override("uk"):
        assert str(MedicalCategory.NONE.label) == "Немає"


def test_a_field_named_kind_is_a_persons_category_only_on_the_register():
    # a remains' effect or task, an import, a payment line: a kind; a person: a category
    assert uk('{% translate "kind" %}') == "вид"
    assert uk('{% translate "kind" context "person" %}') == "категорія особи"


def test_condition_is_a_state_except_in_a_rule():
    assert uk('{% translate "Condition" %}') == "Стан"  # remains' condition
    assert uk('{% translate "Condition" context "rule" %}') == "Умова"  # the rule builder's operator
