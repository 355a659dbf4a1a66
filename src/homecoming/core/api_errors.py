"""API errors for people: every error is JSON with a message, never a stack trace."""

import logging

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("homecoming.api")


def exception_handler(exc, context):
    from django.http import Http404
    from rest_framework.exceptions import NotFound

    if isinstance(exc, Http404):
        # Django's text names the model ("No Person matches the given query.") and is English only;
        # DRF's own "Not found." is translated and says nothing about what was looked for.
        exc = NotFound()
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        return Response({"detail": exc.messages}, status=400)
    from django.utils.translation import gettext as _

    logger.exception("Unhandled API error")
    return Response({"detail": _("Internal error. It has been logged.")}, status=500)
