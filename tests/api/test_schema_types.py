"""Every request and response body of the OpenAPI schema is typed (issue 17).

Why: a body documented as a bare object (``{"type": "object"}`` with nothing inside) or with no
schema at all tells a generated client nothing, so it hands back an untyped dictionary; that was
about 30 operations of exchanges, aftercare and payments. Each body must be a component with
its properties, an array of such, or a primitive type. Errors share one documented shape.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client_for):
    return client_for("registrar").get("/api/schema/?format=json").json()


def _untyped(schema: dict, components: dict) -> str | None:
    """Why a body's schema says nothing about its content, or None when it is typed."""
    if not schema:
        return "no schema"
    if "$ref" in schema:
        target = components[schema["$ref"].rsplit("/", 1)[1]]
        if target.get("type") == "object" and not target.get("properties"):
            return f"{schema['$ref']} has no properties"
        return None
    if schema.get("type") == "array":
        return _untyped(schema.get("items") or {}, components)
    if schema.get("type") == "object" and not schema.get("properties") and not isinstance(
            schema.get("additionalProperties"), dict):
        return "a bare object"
    if "type" not in schema and not any(k in schema for k in ("oneOf", "anyOf", "allOf", "enum")):
        return "no type"
    return None


def _bodies(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for kind, content in (("request", operation.get("requestBody", {}).get("content", {})),):
                for media, body in content.items():
                    if media == "application/json":
                        yield f"{method.upper()} {path} {kind}", body.get("schema", {})
            for code, response in operation.get("responses", {}).items():
                content = response.get("content")
                if content is None:
                    yield f"{method.upper()} {path} {code}", {}
                    continue
                for media, body in content.items():
                    yield f"{method.upper()} {path} {code} {media}", body.get("schema", {})


def test_no_request_or_response_body_is_untyped(schema):
    components = schema["components"]["schemas"]
    problems = [f"{where}: {why}" for where, body in _bodies(schema) if (why := _untyped(body, components))]
    assert not problems, "\n".join(problems)


def test_every_operation_documents_its_errors_in_one_shape(schema):
    missing = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = {"401", "403"} | ({"404"} if "{" in path else set())
            if method in ("post", "put", "patch"):
                codes.add("400")
            for code in sorted(codes):
                body = operation["responses"].get(code, {}).get("content", {}).get("application/json", {})
                ref = body.get("schema", {}).get("$ref", "")
                if not ref.endswith(("/Error", "/Conflict")):
                    missing.append(f"{method.upper()} {path} {code}: {ref or 'undocumented'}")
    assert not missing, "\n".join(missing)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "errors"} and error["required"] == ["detail"]


def test_the_documented_error_is_the_one_answered(client_for):
    """A 400 names the field under ``errors``; a 403 and a 404 carry only ``detail``."""
    c = client_for("registrar")
    bad = c.post("/api/v1/persons/", {"last_name": 5}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()) == {"detail", "errors"} and "last_name" in bad.json()["errors"]
    assert set(c.get("/api/v1/agreements/").json()) == {"detail"}
    assert set(c.get("/api/v1/persons/999999/").json()) == {"detail"}
    assert c.options("/api/v1/persons/").status_code == 405
