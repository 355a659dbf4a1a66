from __future__ import annotations

from django import forms
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from homecoming.common.forms import DateInput

from .models import Language, Relation


class AccessibleForm(forms.Form):
    """Fields point at their help and error texts (aria-describedby) and flag errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            described = []
            if field.help_text:
                described.append(f"id_{name}-help")
            if self.is_bound and name in self.errors:
                described.append(f"id_{name}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


def _choices(choices):
    return [("", "—"), *choices]


class PortalForm(AccessibleForm):
    reference = forms.CharField(label=_("Inquiry reference"), max_length=40, help_text=_("For example INQ-7K3M-Q9"),
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                              "spellcheck": "false"}))
    code = forms.CharField(label=_("Secret code"), max_length=64,
                           help_text=_("The code of 16 letters and digits you received when you filed the inquiry"),
                           widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class InquiryForm(AccessibleForm):
    """The family's inquiry. The services check everything again and name each problem."""

    last_name = forms.CharField(label=pgettext_lazy("families", "Last name"), max_length=100)
    first_name = forms.CharField(label=pgettext_lazy("families", "First name"), max_length=100)
    patronymic = forms.CharField(label=pgettext_lazy("families", "Patronymic"), max_length=100, required=False)
    birth_date = forms.CharField(label=pgettext_lazy("families", "Date of birth"), max_length=20, required=False,
                                 help_text=_("As much as you know: 17.05.1990, 05.1990 or 1990"))
    service_number = forms.CharField(label=pgettext_lazy("families", "Service number"), max_length=40, required=False)
    unit = forms.CharField(label=_("Military unit"), max_length=200, required=False)
    incident_date = forms.CharField(label=_("Date of disappearance"), max_length=20, required=False,
                                    widget=DateInput(),
                                    help_text=_("YYYY-MM-DD, if you know it"))
    incident_place = forms.CharField(label=_("Place of disappearance"), max_length=200, required=False)
    circumstances = forms.CharField(label=_("What else you know"), max_length=2000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}),
                                    help_text=_("Do not write anything you would not want others to know."))
    inquirer_name = forms.CharField(label=_("Your name"), max_length=200)
    relation = forms.ChoiceField(label=_("You are their"), choices=_choices(Relation.choices))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
                            help_text=_("A phone number or an e-mail address is required."))
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                            help_text=_("We send your reference and code there, and news of your relative."))
    language = forms.ChoiceField(label=_("Language of our messages"), choices=Language.choices)
    consent = forms.BooleanField(
        label=_("I agree that the headquarters processes this information to search for my relative and to "
                "contact me."),
        error_messages={"required": _("We can only accept the inquiry with your consent to the processing of "
                                      "this information.")})

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        lang = (get_language() or "uk")[:2]
        self.fields["language"].initial = lang if lang in Language.values else Language.UK
        if staff:
            self.fields["inquirer_name"].label = _("Name of the family member")
            self.fields["relation"].label = _("Relation to the missing person")
            self.fields["consent"].label = _("The family member consented to the processing of this information.")


class LinkForm(AccessibleForm):
    person = forms.CharField(label=_("Register reference"), max_length=20, help_text=_("For example HC-000123"))


class MessageForm(AccessibleForm):
    """A family's message to the case worker (portal), or a case worker's reply (staff)."""

    body = forms.CharField(label=_("Your message"), max_length=2000, strip=True,
                           widget=forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
                           help_text=_("Plain text, at most 2,000 characters. Do not write anything you would not "
                                       "want others to know."))

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["body"].label = _("Your reply")
            self.fields["body"].help_text = _("The family sees these words on the portal, and nothing else: write "
                                              "nothing about detention or remains.")
