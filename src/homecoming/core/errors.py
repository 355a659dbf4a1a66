"""Error pages in the site's layout and language; never a stack trace. Under /api/ the same
errors are JSON (``{"detail": ...}``), like every other API answer, also for an address that
matches no route (a non-numeric id) and for an error outside the API views."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": _("The request is malformed (for example a null character in a "
                                         "parameter); nothing was changed.")}, status=400)
    return render(request, "errors/400.html", status=400)


def conflict_message() -> str:
    return _("Someone else changed the same record at the same moment, so nothing of yours was saved. Reload the "
             "page and try again.")


def conflict(request):
    """409 for a write that collided with another (core.middleware.ConflictMiddleware)."""
    message = conflict_message()
    if _api(request):
        return JsonResponse({"detail": message}, status=409)
    return render(request, "errors/409.html", {"message": message}, status=409)


def permission_denied(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": _("You do not have permission to do this.")}, status=403)
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    if _api(request):
        return JsonResponse({"detail": _("Internal error. It has been logged.")}, status=500)
    # Kept minimal: the request context may itself be what failed.
    return render(request, "errors/500.html", status=500)
