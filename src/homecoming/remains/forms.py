"""Forms of the remains pages: each is the model's fields (limits stated once, on the model) with
the shared date picker; the services validate again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.common.forms import DateInput

from .models import AnteMortemRecord, Effect, KinshipReport, Mark, ReferenceSample, Remains, Transfer
from .services.records import ANTE_MORTEM_FIELDS, REMAINS_FIELDS, SAMPLE_FIELDS, TRANSFER_FIELDS


def _dates(*names):
    return {name: DateInput() for name in names}


class TransferForm(forms.ModelForm):
    class Meta:
        model = Transfer
        fields = TRANSFER_FIELDS
        widgets = _dates("received_on")


class RemainsForm(forms.ModelForm):
    class Meta:
        model = Remains
        fields = REMAINS_FIELDS
        widgets = _dates("declared_date")


class MarkForm(forms.ModelForm):
    prefix = "mark"

    class Meta:
        model = Mark
        fields = ("kind", "location", "description")


class EffectForm(forms.ModelForm):
    prefix = "effect"

    class Meta:
        model = Effect
        fields = ("kind", "description", "name_as_found")


class AnteMortemForm(forms.ModelForm):
    class Meta:
        model = AnteMortemRecord
        fields = ANTE_MORTEM_FIELDS
        widgets = _dates("collected_on")


class SampleForm(forms.ModelForm):
    prefix = "sample"

    class Meta:
        model = ReferenceSample
        fields = tuple(f for f in SAMPLE_FIELDS if f != "state")
        widgets = _dates("consent_on", "collected_on", "sent_on", "result_on")

    def validate_unique(self):  # the service says it, in the field's words
        pass


class OpenIdentificationForm(forms.Form):
    prefix = "identify"
    person = forms.CharField(label=_("Person's reference"), max_length=20, help_text=_("For example HC-000123"))
    method = forms.ChoiceField(label=_("Method"), choices=[])
    reasoning = forms.CharField(label=_("Reasoning"), required=False, max_length=5000, widget=forms.Textarea(
        attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        from .models import Method

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = Method.choices


class KinshipReportForm(forms.ModelForm):
    prefix = "report"

    samples = forms.ModelMultipleChoiceField(label=_("Reference samples used"), queryset=ReferenceSample.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = KinshipReport
        fields = ("laboratory", "report_reference", "reported_on", "likelihood_ratio", "probability")
        widgets = _dates("reported_on")

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["samples"].queryset = ReferenceSample.objects.filter(person=person)
        self.fields["samples"].label_from_instance = lambda s: f"{s.barcode} ({s.get_relationship_display()})"


class ReasoningForm(forms.Form):
    reasoning = forms.CharField(label=_("Reasoning"), required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
