"""The API base: token and session authentication, schema, docs."""

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from homecoming.audit.models import AuditEvent


@pytest.mark.django_db
def test_anonymous_gets_401_json(client):
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()
    assert client.get("/api/schema/").status_code in (401, 403)


@pytest.mark.django_db
def test_token_command_creates_a_working_token(make_user, capsys):
    make_user("analyst", username="taras")
    call_command("token", "create", "taras")
    key = capsys.readouterr().out.strip()
    assert len(key) == 40
    assert AuditEvent.objects.filter(action="token.create").exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {"username": "taras", "roles": ["analyst"]}
    # A new token replaces the old one.
    call_command("token", "create", "taras")
    assert api.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_token_for_unknown_user_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        call_command("token", "create", "nobody")
    assert Token.objects.count() == 0


@pytest.mark.django_db
def test_bad_token_is_refused(db):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_session_authentication_for_the_browser(client_for):
    client = client_for("registrar")
    assert client.get("/api/v1/me/").json()["roles"] == ["registrar"]
    assert client.get("/api/v1/").status_code == 200


@pytest.mark.django_db
def test_schema_and_docs_for_signed_in_users(client_for):
    client = client_for("analyst")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/me/" in schema.content.decode()
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/persons/not-a-number/", "/api/v1/no-such-thing/"])
def test_an_address_outside_the_routes_is_a_json_404(client_for, path):
    response = client_for("registrar").get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json") and response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("lang, text", [("en", "Not found."), ("uk", "Не знайдено.")])
def test_an_unknown_record_is_a_plain_404_in_the_readers_language(client_for, lang, text):
    response = client_for("registrar").get("/api/v1/persons/999999/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 404
    assert response.json() == {"detail": text}  # never the model's name


def test_the_schema_says_what_the_answers_are(client_for):
    """Two of the response-schema violations schemathesis found (issue 16): a status event without
    an author answers ``"author": null`` (the schema must allow it), and the list of aftercare cases
    is an array, not an object (since issue 17 the array of a page: ``results``)."""
    c = client_for("registrar")
    schema = c.get("/api/schema/?format=json").json()
    author = schema["components"]["schemas"]["StatusEvent"]["properties"]["author"]
    assert author.get("nullable") is True
    cases = schema["paths"]["/api/v1/aftercare/cases/"]["get"]["responses"]["200"]["content"]["application/json"]
    page = schema["components"]["schemas"][cases["schema"]["$ref"].rsplit("/", 1)[1]]
    assert page["properties"]["results"]["type"] == "array"
