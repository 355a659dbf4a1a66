"""What the server log says about refusals.

Django logs every 403 (``django.request``, "Forbidden (Permission denied): /path") with the
traceback of the ``PermissionDenied`` that produced it. A refusal is the permission model
working, not a fault: thirty lines of stack per refused click buried the real errors (issue 19).
The line stays (who was refused where is worth seeing); the traceback goes. Faults (5xx) keep
theirs.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class RefusalsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if record.name == "django.request" and isinstance(exc, PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
