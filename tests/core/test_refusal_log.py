"""A refused page (403) is one line in the server log, not a traceback (issue 19); a fault keeps
its traceback."""

import io
import logging

from django.core.exceptions import PermissionDenied

from homecoming.core.logging import RefusalsWithoutTraceback


def console():
    """The server's console handler (settings.LOGGING)."""
    return next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)


def test_the_console_filters_refusals():
    assert any(isinstance(f, RefusalsWithoutTraceback) for f in console().filters)


def test_a_403_is_logged_in_one_line(client_for):
    handler, out = console(), io.StringIO()
    old = handler.setStream(out)
    try:
        assert client_for("medical_officer").get("/payments/").status_code == 403
    finally:
        handler.setStream(old)
    log = out.getvalue()
    assert "Forbidden" in log and "/payments/" in log
    assert "Traceback" not in log


def test_a_fault_keeps_its_traceback():
    handler, out = console(), io.StringIO()
    old = handler.setStream(out)
    try:
        try:
            raise ValueError("a real fault")
        except ValueError:
            logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=True)
        try:
            raise PermissionDenied("refused")
        except PermissionDenied:
            logging.getLogger("homecoming.elsewhere").warning("refused elsewhere", exc_info=True)
    finally:
        handler.setStream(old)
    assert out.getvalue().count("Traceback") == 2
