"""Forms of the intake pages: they parse and label input; the services check and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homecoming.common.forms import DateInput
from homecoming.registry.forms import AccessibleForm
from homecoming.registry.models import SourceKind, Status

from . import columns, parsing
from .models import ImportKind

DATE_WIDGET = DateInput()
FORMATS = [("csv", "CSV"), ("xlsx", "XLSX (Excel)"), ("pdf", _("PDF (to print)"))]


class UploadForm(AccessibleForm):
    file = forms.FileField(label=_("File (CSV or XLSX)"),
                           help_text=_("CSV in UTF-8 or Windows-1251, comma or semicolon separated, or an Excel "
                                       ".xlsx workbook. The first row must hold the column names."))
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    source_kind = forms.ChoiceField(label=_("Kind of source"), choices=SourceKind.choices,
                                    initial=SourceKind.OTHER_SIDE_LIST)
    source_reference = forms.CharField(label=_("Source"), max_length=200,
                                       help_text=_("Who handed the file over and how, for the record."))
    list_date = forms.DateField(label=_("Date of the list"), widget=DATE_WIDGET, initial=timezone.localdate)
    status_on_accept = forms.ChoiceField(
        label=_("Status to record"), required=False,
        help_text=_("For a list: recorded for each person when a match is confirmed. For persons: their first "
                    "status."))
    sheet = forms.CharField(label=_("Sheet (XLSX only)"), required=False, max_length=100,
                            help_text=_("Leave empty for the first sheet."))

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import ours_statuses

        if kinds is not None:
            self.fields["kind"].choices = [c for c in ImportKind.choices if c[0] in kinds]
        self.fields["status_on_accept"].choices = [("", _("default (captivity confirmed; missing for persons)"))] + [
            (s, Status(s).label) for s in ours_statuses()]

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > parsing.max_bytes():
            raise forms.ValidationError(
                _("The file is %(size)s MB; the largest file accepted is %(limit)s MB. Split it into smaller files.")
                % {"size": f"{f.size / 1024 / 1024:.1f}", "limit": f"{parsing.max_bytes() / 1024 / 1024:.1f}"})
        return f


class MappingForm(AccessibleForm):
    save_mapping = forms.BooleanField(label=_("Remember these columns for files with the same headers"),
                                      required=False, initial=True)

    def __init__(self, *args, headers, mapping, samples, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = columns.field_choices()
        for i, h in enumerate(headers):
            sample = ", ".join(s for s in samples.get(i, []) if s)[:80]
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=h or _("column %(n)s") % {"n": i + 1}, choices=choices, required=False,
                initial=mapping[i] if i < len(mapping) else "",
                help_text=_("e.g. %(sample)s") % {"sample": sample} if sample else "")
        self.order_fields([f"col_{i}" for i in range(len(headers))] + ["save_mapping"])

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"col_{i}") or "" for i in range(len(self.headers))]


class StartForm(AccessibleForm):
    only_valid = forms.BooleanField(label=_("Import only the valid rows (the rows with errors are left out)"),
                                    required=False)


class DecideForm(AccessibleForm):
    action = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject"), ("create", "create"),
                                        ("other", "other")])
    version = forms.IntegerField()
    person = forms.IntegerField(required=False)
    other = forms.CharField(required=False, max_length=40, label=_("Another person (reference, e.g. HC-000123)"))
    reason = forms.CharField(required=False, max_length=300, label=_("Reason (for a rejection)"))


class BulkRejectForm(AccessibleForm):
    reason = forms.CharField(label=_("Reason for rejecting the chosen rows"), max_length=300)


class ExportForm(AccessibleForm):
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="csv")
    hxl = forms.BooleanField(label=_("Add an HXL hashtag row (for humanitarian partners)"), required=False)
