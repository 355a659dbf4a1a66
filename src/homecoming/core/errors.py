"""Error pages in the site's layout and language; never a stack trace."""

from django.shortcuts import render


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Kept minimal: the request context may itself be what failed.
    return render(request, "errors/500.html", status=500)
