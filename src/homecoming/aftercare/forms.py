from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from homecoming.common.forms import DateInput

from .models import TaskState


class OpenCaseForm(forms.Form):
    reference = forms.CharField(label=_("Person's reference"), max_length=20, help_text=_("For example HC-000123"))


class AssignForm(forms.Form):
    owner = forms.ChoiceField(label=_("Case worker"))

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [(u.pk, u.get_full_name() or u.username) for u in workers]


class TaskForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=TaskState.choices)
    due_date = forms.DateField(label=_("Due date"), help_text=_("YYYY-MM-DD"),
                               widget=DateInput())
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, people=(), show_outcome=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "—")] + [(u.pk, u.get_full_name() or u.username) for u in people]
        if not show_outcome:
            del self.fields["outcome"]
