"""The viewer's filters: pickers for who (the accounts), what (the actions, by group, in the
reader's language) and when (date pickers), and the object an event names."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from homecoming.common.forms import DateInput

from .selectors import GROUP_PREFIX, NO_ACCOUNT
from .sentences import ACTIONS, GROUPS, OBJECT_TYPES


def who_choices() -> list[tuple[str, str]]:
    accounts = get_user_model().objects.order_by("username").values_list("pk", "username")
    return [("", _("Anyone")), (NO_ACCOUNT, _("No account (the system, the family portal)")),
            *((str(pk), name) for pk, name in accounts)]


def what_choices() -> list:
    choices: list = [("", _("Any action"))]
    for group, label in GROUPS.items():
        actions = sorted((a for a in ACTIONS.values() if a.group == group), key=lambda a: str(a.label))
        options = [(f"{GROUP_PREFIX}{group}", _("All: %(group)s") % {"group": label}),
                   *((a.code, str(a.label)) for a in actions)]
        choices.append((str(label), options))
    return choices


class AuditFilterForm(forms.Form):
    who = forms.ChoiceField(label=pgettext_lazy("audit filter", "Who"), required=False)
    what = forms.ChoiceField(label=pgettext_lazy("audit filter", "What"), required=False)
    object_type = forms.ChoiceField(label=_("Kind of object"), required=False)
    object_id = forms.CharField(label=_("Object (number or person's reference)"), required=False, max_length=64,
                                help_text=_("For example HC-003519 or 12."))
    date_from = forms.DateField(label=pgettext_lazy("audit filter", "From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=pgettext_lazy("audit filter", "To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = who_choices()
        self.fields["what"].choices = what_choices()
        self.fields["object_type"].choices = [("", _("Any kind")), *((k, str(v)) for k, v in OBJECT_TYPES.items())]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("'From' must not be after 'To'."))
        return data
