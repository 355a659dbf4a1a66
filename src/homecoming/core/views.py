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
    from .workers import alive_workers

    try:
        workers = {"alive": alive_workers(), "waiting_tasks": _waiting_tasks()}
    except DatabaseError:  # the tables are not there yet (before migrate)
        workers = {"alive": 0, "waiting_tasks": 0}
    # Background work waiting with no worker alive: the site answers, but imports and messages to
    # families do not move (still 200: a web node without a worker is not taken out of service).
    status = "degraded" if workers["waiting_tasks"] and not workers["alive"] else "ok"
    return JsonResponse({"status": status, "database": "ok", "workers": workers})


def _waiting_tasks() -> int:
    """Background tasks queued for more than a minute (the database backend only)."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    if "django_tasks_db" not in settings.TASKS.get("default", {}).get("BACKEND", ""):
        return 0
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(enqueued_at__lt=timezone.now() - dt.timedelta(minutes=1)).count()
