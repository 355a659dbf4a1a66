"""API errors for people: every error is JSON with a message, never a stack trace."""

import logging

from rest_framework import parsers
from rest_framework.exceptions import ParseError
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
    from django.db import IntegrityError, OperationalError
    from django.utils.translation import gettext as _

    from .errors import conflict_message
    from .middleware import _is_conflict

    if isinstance(exc, IntegrityError | OperationalError) and _is_conflict(exc):
        logger.warning("an API write collided: %s", type(exc).__name__)
        return Response({"detail": conflict_message()}, status=409)
    logger.exception("Unhandled API error")
    return Response({"detail": _("Internal error. It has been logged.")}, status=500)


#: the largest number a 64-bit signed column holds (ids, counts): anything larger is no id here
MAX_INT64 = 2 ** 63 - 1


def _hostile(value) -> str | None:
    """Why a parsed JSON value cannot be taken (a null character, a number past 64 bits), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "null"
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_INT64:
                return "number"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (400) a null character in any string or key (no text column of
    PostgreSQL holds one) and a whole number past 64 bits (no id or count is that large)."""

    def parse(self, stream, media_type=None, parser_context=None):
        from django.utils.translation import gettext as _

        data = super().parse(stream, media_type, parser_context)
        problem = _hostile(data)
        if problem == "null":
            raise ParseError(_("A text in the request holds a null character; nothing was changed."))
        if problem == "number":
            raise ParseError(_("A number in the request is larger than any id or amount here; nothing was "
                               "changed."))
        return data
