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
    one. JSON bodies are checked by the API's parser (``homecoming.core.api_errors.JSONParser``)."""

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
