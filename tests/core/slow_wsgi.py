"""A WSGI application for tests/core/test_serve.py: /slow never answers in time, /fast at once."""

import time


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/slow":
        time.sleep(60)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
