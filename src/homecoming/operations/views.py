"""The status of a background operation (for the progress bar's script) and its cancel."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from homecoming.common.actors import actor
from homecoming.common.errors import message_of
from homecoming.common.routes import route

from . import services
from .models import Operation
from .presentation import as_dict


def _operation(request, pk) -> Operation:
    try:
        return services.operation_for(actor(request), pk)
    except Operation.DoesNotExist:
        raise Http404 from None


@route("<int:pk>/")
@require_GET
def status(request, pk):
    return JsonResponse(as_dict(_operation(request, pk)))


@route("<int:pk>/cancel/")
@require_POST
def cancel(request, pk):
    op = _operation(request, pk)
    try:
        services.request_cancel(actor(request), op.pk, request=request)
    except ValidationError as exc:
        messages.error(request, message_of(exc))
    else:
        messages.success(request, _("The work stops after the part in hand; what was done is kept."))
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = "home"
    return redirect(back)
