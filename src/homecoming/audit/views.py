"""The audit viewer: administrators read the log with filters (who, what, object, when)."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from homecoming.common.actors import actor
from homecoming.common.routes import route

from . import selectors


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who (user name)"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("'From' must not be after 'To'."))
        return data


@route("")
@permission_required("audit.view_audit_log", raise_exception=True)
def event_list(request):
    form = AuditFilterForm(request.GET or None)
    page = selectors.event_page_for_reading(actor(request), form.cleaned_data if form.is_valid() else {},
                                            request.GET.get("page"), 50, request=request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
