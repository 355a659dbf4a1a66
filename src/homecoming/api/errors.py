"""API errors for people: one shape for every error, ``{"detail": str, "errors": {field: [messages]}}``.

Why one shape: a client (and a generated one above all) reads every refusal the same way: ``detail``
is a sentence to show, ``errors`` names each field that was wrong (``non_field_errors`` for what
belongs to no field) and is empty when no field is to blame. The exception handler below is the
only place that writes it, whatever raised: DRF's exceptions, Django's ``ValidationError`` and
``PermissionDenied`` from the services, ``Http404``, a conflict. No stack trace reaches a client.

The JSON parser refuses what no column can hold (a null character, a number past 64 bits).
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import parsers, serializers, status
from rest_framework.exceptions import APIException, NotFound, ParseError, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from homecoming.core.errors import conflict_message
from homecoming.core.middleware import _is_conflict

logger = logging.getLogger("homecoming.api")


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (400, 401, 403, 404, 405, 409, 500)."""

    detail = serializers.CharField(help_text="What went wrong, in the reader's language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Messages per field of the request (non_field_errors: about no one field); "
                  "present when a field is to blame.")


class Conflict(APIException):
    """409: the record changed since it was read, or the step was already taken. ``extra`` adds
    what the client needs to recover (``current_version``, ``candidates``) beside ``detail``."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The record changed meanwhile; nothing was changed.")
    default_code = "conflict"

    def __init__(self, detail=None, *, errors=None, **extra):
        super().__init__(detail)
        self.errors = errors
        self.extra = extra


def _flat(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"field" or "parent.child" or "items.0.field": [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "non_field_errors" if key == "__all__" else str(key)
            out.update(_flat(value, f"{prefix}.{name}" if prefix else name))
        return out
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        out = {}
        for index, item in enumerate(detail):
            out.update(_flat(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    messages = [str(m) for m in (detail if isinstance(detail, list) else [detail])]
    return {prefix or "non_field_errors": messages} if messages else {}


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): list(v) for k, v in exc.message_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def invalid_detail() -> str:
    return _("The request is not valid; nothing was changed.")


def error_body(detail, errors: dict | None = None, **extra) -> dict:
    body = {"detail": str(detail)}
    if errors:
        body["errors"] = errors
    return {**body, **extra}


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        # Django's text names the model ("No Person matches the given query.") and is English only;
        # DRF's own "Not found." is translated and says nothing about what was looked for.
        exc = NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(error_body(invalid_detail(), _django_errors(exc)), status=400)
    if isinstance(exc, ValidationError):
        response = drf_exception_handler(exc, context)
        response.data = error_body(invalid_detail(), _flat(exc.detail))
        return response
    if isinstance(exc, Conflict):
        response = drf_exception_handler(exc, context)
        response.data = error_body(exc.detail, exc.errors, **exc.extra)
        return response
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        if detail is None:  # a list or a dict of messages (a ParseError raised with several)
            response.data = error_body(invalid_detail(), _flat(response.data))
        else:
            response.data = error_body(detail)
        return response
    if isinstance(exc, IntegrityError | OperationalError) and _is_conflict(exc):
        logger.warning("an API write collided: %s", type(exc).__name__)
        set_rollback()
        return Response(error_body(conflict_message()), status=409)
    logger.exception("Unhandled API error")
    return Response(error_body(_("Internal error. It has been logged.")), status=500)


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
        data = super().parse(stream, media_type, parser_context)
        problem = _hostile(data)
        if problem == "null":
            raise ParseError(_("A text in the request holds a null character; nothing was changed."))
        if problem == "number":
            raise ParseError(_("A number in the request is larger than any id or amount here; nothing was "
                               "changed."))
        return data
