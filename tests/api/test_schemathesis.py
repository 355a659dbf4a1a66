"""The whole API against its own OpenAPI schema (/api/schema/), fuzzed by schemathesis through the
WSGI application in-process, on the database the suite runs on (CI runs the suite on SQLite and
again on PostgreSQL, so both are fuzzed).

Every operation is called as a role the permission matrix (``accounts/matrix.py``) allows to use
it, on records that exist (``tests/api/seed.py``): first one request that must succeed, then
generated valid and invalid requests (bounded: EXAMPLES each), half of them on the seeded records.
Every answer must be no 5xx, no stack trace, JSON for an error, of the content type and the body
the schema documents; every operation must answer 2xx at least once. Select with
``-m schemathesis``; about a minute per database. A deeper run:
``HOMECOMING_SCHEMATHESIS_EXAMPLES=50 pytest -m schemathesis``.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter, defaultdict

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from tests.returnees import *  # noqa: F403  (make_returnee and the roles it needs)

from .seed import seed

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]
DEFAULT_EXAMPLES = 5
EXAMPLES = int(os.environ.get("HOMECOMING_SCHEMATHESIS_EXAMPLES", DEFAULT_EXAMPLES))  # more: a deeper run
TRACE = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+|/site-packages/")
#: who calls an operation when the matrix allows several roles: the one that sees the most
PREFERENCE = ("registrar", "negotiator", "medical_officer", "finance_officer", "analyst", "case_worker",
              "forensic_expert")


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


def roles_by_operation() -> dict[tuple[str, str], str]:
    """(method, path as in the schema) -> the role that calls it, from the permission matrix."""
    from homecoming.accounts import matrix
    from homecoming.api import urls

    out = {}
    for pattern in urls.urlpatterns:
        path = "/api/v1/" + re.sub(r"<int:(\w+)>", lambda m: "{id}" if m[1] == "pk" else "{" + m[1] + "}",
                                   str(pattern.pattern))
        for method, allowed in matrix.MATRIX[f"api:{pattern.name}"].items():
            if allowed == matrix.SIGNED_IN:
                out[(method, path)] = "registrar"
            else:
                out[(method, path)] = next(r for r in PREFERENCE if r in allowed)
    return out


def test_every_operation_is_reached_and_conforms_to_its_schema(make_user, make_returnee, wsgi_app):
    import schemathesis
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

    from homecoming.accounts.services import create_token

    started = time.monotonic()
    seeded = seed(make_user, make_returnee)
    headers_of = {role: {"Authorization": f"Token {create_token(None, user)}", "Accept-Language": "uk"}
                  for role, user in seeded.users.items()}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app,
                                            headers=headers_of["registrar"])
    checks = [no_server_error, no_stack_trace, errors_are_json, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    roles = roles_by_operation()
    assert {(op.method.upper(), op.path) for op in operations} == set(roles), "the schema and the routes disagree"
    assert set(seeded.good) == set(roles), "an operation without a request that succeeds in tests/api/seed.py"
    failures: list[str] = []
    statuses: dict[str, Counter] = defaultdict(Counter)

    def call(operation, case):
        headers = headers_of[roles[(operation.method.upper(), operation.path)]]
        response = case.call(headers=headers)
        statuses[operation.label][response.status_code // 100 * 100] += 1
        case.validate_response(response, checks=checks)
        return response

    def fuzz(operation, strategies):
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES == DEFAULT_EXAMPLES,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(strategies))
        def run(case):
            call(operation, case)

        run()

    # 1. one request per operation that must succeed, reads before writes (a write may end what a
    # read of the same record needs: the reconciliation of a stage, its preview)
    for operation in sorted(operations, key=lambda op: (op.method.upper() != "GET", op.path)):
        good = seeded.good[(operation.method.upper(), operation.path)]
        kwargs = {"body": good["body"], "media_type": "application/json"} if good["body"] is not None else {}
        case = operation.Case(path_parameters=good["path_parameters"], query=good["query"], **kwargs)
        try:
            response = call(operation, case)
            if response.status_code // 100 != 2:
                failures.append(f"{operation.label}: the seeded request answered {response.status_code}: "
                                f"{response.text[:300]}")
        except Exception as exc:  # noqa: BLE001 - collected, reported together below
            failures.append(f"{operation.label} [seeded]: {str(exc).strip()[:800]}")

    # 2. generated requests, valid and invalid, half of them on the seeded records
    for operation in operations:
        seeded_path = seeded.good[(operation.method.upper(), operation.path)]["path_parameters"]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies = [operation.as_strategy(generation_mode=mode)]
            if seeded_path:
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=seeded_path))

            try:
                fuzz(operation, strategies)
            except Unsatisfiable:
                continue  # nothing to make invalid (an operation without parameters or body)
            except Exception as exc:  # noqa: BLE001 - collected, reported together below
                failures.append(f"{operation.label} [{mode.value}]: {str(exc).strip()[:800]}")

    never = sorted(label for label, counts in statuses.items() if not counts[200])
    print(connection.vendor, f"{time.monotonic() - started:.0f} s",
          dict(sum(statuses.values(), Counter())), f"{len(operations)} operations")
    assert not failures, f"{len(failures)} failures on {connection.vendor}:\n\n" + "\n\n".join(failures)
    assert not never, f"operations that never answered 2xx: {never}"
