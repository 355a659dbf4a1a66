from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .navigation import start_widgets


def home(request):
    """The start page: what this user's roles do, what needs doing (widgets), and where to go."""
    return render(request, "core/home.html", {"start_widgets": start_widgets()})


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise. Says nothing else about the system."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
