"""Forms of the exchanges pages (they only parse input; the services validate and write)."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.common.forms import DateInput

from .models import Crossing, EntryState, ExchangeStatus, TradeRule


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    place_en = forms.CharField(label=_("Place in English"), max_length=200, required=False,
                               help_text=_("As the English communiqué names it, for example Abu Dhabi."))
    parties = forms.CharField(label=_("Parties"), max_length=300, required=False)
    mediator = forms.CharField(label=_("Mediator"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    withhold_counts_until_last_stage = forms.BooleanField(
        label=_("Withhold counts until the last stage"), required=False,
        help_text=_("Communiqués give no numbers until every stage is reconciled."))


RULE_HELP = _(
    'A JSON expression. Operators: and, or, not, =, ≠, <, ≤, >, ≥, in, not in, between. Values: '
    '{"field": NAME} (side, kind, sex, rank_category, medical_category, status, branch, direction, operation, '
    'was_missing), {"age_on": "YYYY-MM-DD"}, {"captivity_days_on": "YYYY-MM-DD"}, {"captivity_years_on": '
    '"YYYY-MM-DD"}. Example: {"and": [{"≤": [{"age_on": "2025-06-09"}, 24]}, {"=": [{"field": "kind"}, '
    '"servicemember"]}]}')


class CategoryForm(forms.Form):
    name_uk = forms.CharField(label=_("Name in Ukrainian"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    rule = forms.CharField(label=_("The rule as JSON"), help_text=RULE_HELP, required=False,
                           widget=forms.Textarea(attrs={"rows": 8, "class": "code-input", "spellcheck": "false"}))
    trade_rule = forms.ChoiceField(label=_("Trade rule"), choices=TradeRule.choices)
    ratio_receive = forms.IntegerField(label=_("Ratio: we receive (a)"), min_value=1, max_value=100000, initial=1)
    ratio_hand_over = forms.IntegerField(label=_("Ratio: we hand over (b)"), min_value=1, max_value=100000,
                                         initial=1)


#: the JSON parser's messages (English, from Python) in the reader's language; an unknown one is
#: said in general words rather than shown in English on a Ukrainian page (issue 19)
JSON_PROBLEMS = {
    "Expecting ',' delimiter": _("a comma is missing"),
    "Expecting ':' delimiter": _("a colon is missing"),
    "Expecting value": _("a value is missing or not allowed here"),
    "Expecting property name enclosed in double quotes": _("a name in double quotes is expected"),
    "Unterminated string starting at": _("a text in quotes is not closed"),
    "Extra data": _("there is more after the end of the rule"),
    "Invalid control character at": _("a line break or tab inside a text in quotes"),
    "Invalid \\escape": _("a backslash that is not allowed"),
}


def json_problem(exc: json.JSONDecodeError) -> str:
    return str(JSON_PROBLEMS.get(exc.msg, _("the text is not written as JSON here")))


class ExchangeForm(forms.Form):
    number = forms.IntegerField(label=_("Stage number"), min_value=1, required=False,
                                help_text=_("Empty: the next number."))
    planned_date = forms.DateField(label=_("Planned date"), required=False, widget=DateInput())


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=ExchangeStatus.choices)
    carried_out_on = forms.DateField(label=_("Carried out on"), required=False, widget=DateInput())
    exception_reason = forms.CharField(label=_("Why it goes ahead all the same"), max_length=300, required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))


class EntryStateForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=EntryState.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class CounterListForm(forms.Form):
    file = forms.FileField(label=_("Counter-list (CSV)"), help_text=_(
        "Columns: last_name, first_name, patronymic or full_name; birth_date; service_number (UTF-8)."))


class CrossingForm(forms.Form):
    reference = forms.CharField(label=_("Reference of the person (HC-…)"), max_length=20, required=False)
    how = forms.ChoiceField(label=_("How"), choices=Crossing.How.choices, initial=Crossing.How.CHECK_IN)
