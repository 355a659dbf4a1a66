"""The whole API against its own OpenAPI schema (/api/schema/), fuzzed by schemathesis through the
WSGI application in-process, signed in with the API token of an administrator and of a registrar.

For every operation, valid and invalid requests (bounded: EXAMPLES each) must get no 500, no
stack trace in any body, the content type the schema names, and a body that conforms to the
schema. Select with ``-m schemathesis``; it takes about a minute on the test machine. A deeper,
random run: ``HOMECOMING_SCHEMATHESIS_EXAMPLES=50 pytest -m schemathesis``.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]
EXAMPLES = int(os.environ.get("HOMECOMING_SCHEMATHESIS_EXAMPLES", "6"))  # more for a deeper run by hand
TRACE = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+|/site-packages/")


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, run in the test's thread and transaction: like Django's test
    client, it must not close the test's connection at the end of each request."""
    from homecoming.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(make_user):
    """Some records, so that generated ids sometimes hit something real."""
    import datetime as dt

    from homecoming.registry import services as registry

    registrar = make_user("registrar")
    for i, (last, first) in enumerate([("Петренко", "Олександр"), ("Коваленко", "Іван")]):
        registry.create_person(registrar, {"last_name": last, "first_name": first},
                               initial_event={"status": "missing", "effective_date": dt.date(2023, 5, 1 + i),
                                              "source_kind": "family_application", "source_reference": "a"})


def no_stack_trace(ctx, response, case):
    body = response.text if hasattr(response, "text") else response.content.decode("utf-8", "replace")
    if TRACE.search(body or ""):
        raise AssertionError(f"a stack trace in the body of {case.method} {case.formatted_path}: {body[:300]}")


def errors_are_json(ctx, response, case):
    if response.status_code >= 400:
        kind = next((v for k, v in response.headers.items() if k.lower() == "content-type"), "")
        kind = kind[0] if isinstance(kind, list) else kind
        if not kind.startswith("application/json"):
            raise AssertionError(f"{response.status_code} for {case.method} {case.formatted_path} is {kind}, "
                                 "not a JSON error")


def no_server_error(ctx, response, case):
    if response.status_code >= 500:
        raise AssertionError(f"{response.status_code} for {case.method} {case.formatted_path}: "
                             f"{(response.text or '')[:300]}")


@pytest.mark.parametrize("role", ["administrator", "registrar"])
def test_api_conforms_to_its_schema_and_never_fails(role, make_user, seeded, wsgi_app):
    import schemathesis
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
    )

    from homecoming.accounts.services import create_token

    user = make_user(role)
    headers = {"Authorization": f"Token {create_token(None, user)}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, headers=headers)
    checks = [no_server_error, no_stack_trace, errors_are_json, content_type_conformance, response_schema_conformance]
    failures: list[str] = []
    statuses: Counter = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES == 6,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                response = case.call(headers=headers)
                statuses[response.status_code // 100 * 100] += 1
                case.validate_response(response, checks=checks)

            try:
                run()
            except Unsatisfiable:
                continue  # nothing to make invalid (an operation without parameters or body)
            except Exception as exc:  # noqa: BLE001 - collected, reported together below
                failures.append(f"{operation.label} [{mode.value}]: {str(exc).strip()[:800]}")
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
    print(role, dict(statuses))
    # the token worked: some requests were served (2xx), others refused as they should be (4xx)
    assert statuses[200] and statuses[400]
