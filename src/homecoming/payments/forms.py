from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.common.forms import DateInput

from .models import CapturePrecision, PartYear


class ProfileForm(forms.Form):
    iban = forms.CharField(label=_("IBAN"), max_length=40, required=False, help_text=_("UA and 27 digits"))
    account_holder = forms.CharField(label=_("Account holder"), max_length=200, required=False)
    capture_precision = forms.ChoiceField(label=_("Precision of the capture date"), choices=CapturePrecision.choices)


class PayDataForm(forms.Form):
    valid_from = forms.CharField(label=_("Valid from"), help_text=_("YYYY-MM-DD"), max_length=10,
                                 widget=DateInput())
    monthly_amount = forms.CharField(label=_("Monthly allowance, UAH"), max_length=20)


class FamilyPaymentForm(forms.Form):
    paid_on = forms.CharField(label=_("Paid on"), help_text=_("YYYY-MM-DD"), max_length=10,
                                 widget=DateInput())
    amount = forms.CharField(label=_("Amount, UAH"), max_length=20)
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)


class RuleSetForm(forms.Form):
    valid_from = forms.CharField(label=_("Valid from"), help_text=_("YYYY-MM-DD"), max_length=10,
                                 widget=DateInput())
    one_time_amount = forms.CharField(label=_("One-time payment on release, UAH"), max_length=20)
    per_year_amount = forms.CharField(label=_("Amount per year of captivity, UAH"), max_length=20)
    part_year = forms.ChoiceField(label=_("How a part year counts"), choices=PartYear.choices)
    note = forms.CharField(label=_("Legal basis or note"), max_length=300, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why is the batch rejected?"), max_length=300)
