"""Forms of the register pages. They only parse and label input; the services validate and write."""

from __future__ import annotations

import time

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from homecoming.common.forms import DateInput

from .models import (
    Branch,
    Direction,
    Kind,
    MedicalCategory,
    Operation,
    Person,
    Script,
    Side,
    SourceKind,
    Status,
)

DATE_WIDGET = DateInput()
TEXTAREA = forms.Textarea(attrs={"rows": 3})


#: the sources a person types (a death from identified remains is written by its confirmation)
TYPED_SOURCES = [c for c in SourceKind.choices if c[0] != SourceKind.IDENTIFIED_REMAINS]


class AccessibleForm(forms.Form):
    """Marks invalid fields with aria-invalid and ties each to its error message."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self.auto_id % name}-error" if self.auto_id else ""


ANY = _("any")


#: seconds a process keeps a whole reference list (branches, directions, operations, ranks)
REFERENCE_LIST_SECONDS = 60
_reference_lists: dict[tuple, tuple[float, list]] = {}


def forget_reference_lists(**_kwargs) -> None:
    """Drop this process's copies (a reference row was saved or deleted here)."""
    _reference_lists.clear()


def _rows_of(queryset) -> list:
    """The rows of a reference list. A whole list (no filter) is kept for a minute per process:
    every register page draws three of them in its filter form, and they change a few times a
    year, through the admin. The process that changes one forgets its copies at once
    (registry/apps.py connects ``forget_reference_lists``); the others show the change within a
    minute. Only the choices drawn in a form are kept: a submitted value is still checked
    against the database (ModelChoiceField.to_python)."""
    if queryset.query.where or queryset.query.is_sliced:
        return list(queryset)
    key = (queryset.model._meta.label, tuple(map(str, queryset.query.order_by)))
    now = time.monotonic()
    kept = _reference_lists.get(key)
    if kept is None or now - kept[0] > REFERENCE_LIST_SECONDS:
        kept = (now, list(queryset))
        _reference_lists[key] = kept
    return kept[1]


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """Reads a short reference list in one plain query. Django's iterator opens a server-side
    cursor on PostgreSQL (DECLARE ... WITH HOLD, FETCH, CLOSE outside a transaction): three round
    trips and a materialised cursor for a dozen rows, on every register page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in _rows_of(self.queryset):
            yield self.choice(obj)


class ReferenceChoiceField(forms.ModelChoiceField):
    """A choice of a reference list (branch, front direction, operation): a few dozen rows."""

    iterator = ListedChoiceIterator


def _empty_choice(choices, label=ANY):
    return [("", label), *choices]


class RegisterFilterForm(AccessibleForm):
    q = forms.CharField(label=_("Name or reference"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search"}),
                        help_text=_("In any script and order; initials allowed."))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_empty_choice(Status.choices))
    side = forms.ChoiceField(label=_("Side"), required=False, choices=_empty_choice(Side.choices))
    kind = forms.ChoiceField(label=pgettext_lazy("person", "Kind"), required=False, choices=_empty_choice(Kind.choices))
    branch = ReferenceChoiceField(label=_("Branch"), required=False, queryset=Branch.objects.all(),
                                  empty_label=_("any"))
    direction = ReferenceChoiceField(label=_("Front direction"), required=False, queryset=Direction.objects.all(),
                                     empty_label=_("any"))
    operation = ReferenceChoiceField(label=_("Operation"), required=False, queryset=Operation.objects.all(),
                                     empty_label=_("any"))
    medical_category = forms.ChoiceField(label=_("Medical category"), required=False,
                                         choices=_empty_choice(MedicalCategory.choices))
    incident_from = forms.DateField(label=_("Captured or missing from"), required=False, widget=DATE_WIDGET)
    incident_to = forms.DateField(label=_("Captured or missing until"), required=False, widget=DATE_WIDGET)
    missing_then_found = forms.BooleanField(label=_("Was missing, now known"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("incident_from"), data.get("incident_to")
        if start and end and start > end:
            self.add_error("incident_to", _("The end of the range is before its start."))
        return data


class PersonForm(AccessibleForm):
    """The fields this user may set, built from the model (labels, choices, lengths)."""

    def __init__(self, *args, field_names, **kwargs):
        super().__init__(*args, **kwargs)
        widgets = {"birth_date": DATE_WIDGET, "incident_date": DATE_WIDGET, "documents": TEXTAREA,
                   "medical_notes": TEXTAREA, "family_contacts": TEXTAREA}
        self.fields.update(fields_for_model(Person, fields=field_names, widgets=widgets))
        for name in ("branch", "rank", "direction", "operation"):
            if name in self.fields:
                self.fields[name].iterator = ListedChoiceIterator  # before the queryset: it makes the choices
                self.fields[name].queryset = self.fields[name].queryset.filter(active=True)
        if "tax_number" in self.fields:
            self.fields["tax_number"].help_text = _("10 digits")
        if "birth_date_precision" in self.fields:
            self.fields["birth_date_precision"].help_text = _(
                "When only the month or the year is known, any day (or month) may be entered.")
        if "family_contacts" in self.fields:
            self.fields["family_contacts"].help_text = _("Who to inform, how to reach them.")


class InitialEventForm(AccessibleForm):
    status = forms.ChoiceField(label=_("First status"), required=False, choices=_empty_choice(Status.choices, "—"))
    status_date = forms.DateField(label=_("Effective date of the status"), required=False, widget=DATE_WIDGET)
    source_kind = forms.ChoiceField(label=_("Source"), required=False, choices=_empty_choice(TYPED_SOURCES, "—"))
    source_reference = forms.CharField(label=_("Source reference or description"), required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("status"):
            for name in ("status_date", "source_kind"):
                if not data.get(name):
                    self.add_error(name, _("Needed with a first status."))
        return data


class ConfirmForm(forms.Form):
    confirm_duplicate = forms.BooleanField(
        label=_("I have checked the records above: this is a different person. Save anyway."), required=False)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StatusEventForm(AccessibleForm):
    status = forms.ChoiceField(label=_("Status"), choices=())
    effective_date = forms.DateField(label=_("Effective date"), widget=DATE_WIDGET)
    source_kind = forms.ChoiceField(label=_("Source"), choices=_empty_choice(TYPED_SOURCES, "—"))
    source_reference = forms.CharField(label=_("Source reference or description"), required=False, max_length=300,
                                       help_text=_("For example the number of the application or of the list."))
    note = forms.CharField(label=_("Note"), required=False, widget=TEXTAREA, max_length=2000)
    corrects = forms.TypedChoiceField(label=_("This corrects an earlier event"), required=False, coerce=int,
                                      empty_value=None)
    # shown only once the event was refused as contradicting the history (services.Contradiction)
    exception_reason = forms.CharField(label=_("Why it is right all the same"), required=False, max_length=300,
                                       widget=TEXTAREA)

    def __init__(self, *args, person, events, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import STATUSES_BY_SIDE

        # "on an exchange list" is the negotiator's, on the stage's page
        allowed = STATUSES_BY_SIDE[person.side] - {Status.ON_EXCHANGE_LIST}
        self.fields["status"].choices = _empty_choice([c for c in Status.choices if c[0] in allowed], "—")
        self.fields["corrects"].choices = [("", _("no, a new fact"))] + [
            (e.pk, f"{e.effective_date:%Y-%m-%d} · {e.get_status_display()}") for e in events
            if not e.is_corrected and not e.managed_by
        ]


class AlternativeNameForm(AccessibleForm):
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    patronymic = forms.CharField(label=_("Patronymic"), required=False, max_length=100)
    script = forms.ChoiceField(label=_("Script"), choices=_empty_choice(Script.choices, "—"))
    source = forms.CharField(label=_("Where this spelling comes from"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in ("last_name", "first_name", "patronymic")):
            raise forms.ValidationError(_("Give at least one part of the name."))
        return data


class MergePickForm(AccessibleForm):
    other = forms.CharField(label=_("Reference of the duplicate record"), max_length=20,
                            help_text=_("For example HC-000123. The record you came from is kept."))
