from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a signed-in user unless its view is marked ``@login_not_required``.

    API endpoints are left to Django REST framework (its views opt out of this middleware),
    which authenticates tokens itself and answers 401/403 in JSON instead of redirecting.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        return super().process_view(request, view_func, view_args, view_kwargs)


class PermissionsPolicyMiddleware:
    """Sends ``settings.PERMISSIONS_POLICY``: the browser features no page here needs are off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


class NullCharacterMiddleware:
    """A null character in the address, a query parameter or a form field gets 400 before any
    view runs: no text column of PostgreSQL can hold one (it answered 500), and no person types
    one. JSON bodies are checked by the API's parser (``homecoming.api.errors.JSONParser``)."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_null(request):
            from .errors import bad_request

            return bad_request(request)
        return self.get_response(request)

    def _has_null(self, request) -> bool:
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                          for key, values in request.GET.lists()):
            return True
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            try:
                return any("\x00" in key or any("\x00" in v for v in values if isinstance(v, str))
                           for key, values in request.POST.lists())
            except Exception:  # noqa: BLE001 - a malformed body: the view's own parsing answers it
                return False
        return False


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every answer of the application (pages, API,
    exports, errors): nearly all of them show persons, and neither the browser's cache nor a proxy
    may keep a copy. Static files are answered before this (whitenoise) and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.cache import patch_cache_control

        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response


class ConflictMiddleware:
    """The net under every race: a write that the database refused because someone else changed
    the same thing at the same moment (a unique constraint, a deadlock, a serialisation failure)
    answers 409 with a message instead of a 500. The service's transaction was rolled back, so
    nothing of it was written. Services still check under their locks and say exactly what
    happened (docs/reliability.md, "Concurrency"); this is for a collision nobody foresaw."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import IntegrityError, OperationalError

        if not isinstance(exception, IntegrityError | OperationalError) or not _is_conflict(exception):
            return None
        import logging

        from .errors import conflict

        logging.getLogger("homecoming.conflict").warning("a write collided: %s", type(exception).__name__)
        return conflict(request)


def _is_conflict(exception) -> bool:
    """An integrity error, or an operational error that is a lock conflict (deadlock, lock
    timeout, serialisation failure, SQLite's "database is locked"), not a lost database."""
    from django.db import IntegrityError

    if isinstance(exception, IntegrityError):
        return True
    cause = exception.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    return code in {"40001", "40P01", "55P03"} or "database is locked" in str(exception)
