"""The audit viewer: administrators read the log with filters (who, what, object, when)."""

from datetime import datetime, time

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent
from .services import record_list_read


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


def filtered_events(data: dict):
    events = AuditEvent.objects.all()
    if data.get("actor"):
        events = events.filter(actor_name__iexact=data["actor"])
    if data.get("action"):
        events = events.filter(action__startswith=data["action"])
    if data.get("object_type"):
        events = events.filter(object_type=data["object_type"])
    if data.get("object_id"):
        events = events.filter(object_id=data["object_id"])
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        events = events.filter(created_at__gte=datetime.combine(data["date_from"], time.min, tz))
    if data.get("date_to"):
        events = events.filter(created_at__lte=datetime.combine(data["date_to"], time.max, tz))
    return events.order_by("-id")


@permission_required("audit.view_audit_log", raise_exception=True)
def event_list(request):
    form = AuditFilterForm(request.GET or None)
    events = filtered_events(form.cleaned_data if form.is_valid() else {})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    # Reading the log is itself audited (after the page is taken, so it never lists itself).
    record_list_read(request.user, "audit.view", object_type="audit_event", ids=[e.pk for e in page.object_list],
                     details={"filters": {k: str(v) for k, v in (form.cleaned_data if form.is_valid() else {}).items()
                                          if v not in (None, "")}, "page": page.number}, request=request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
