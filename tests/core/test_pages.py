"""Every page so far, for the anonymous and for every role."""

import pytest
from django.urls import reverse

from homecoming.accounts import roles as r
from homecoming.audit.services import record

ALL_ROLES = [role.slug for role in r.ROLES]

# page -> roles allowed (None: every signed-in user)
PAGES = {
    "/": None,
    "/accounts/password/": None,
    "/audit/": {r.ADMINISTRATOR},
    "/admin/": {r.ADMINISTRATOR},
    "/api/docs/": None,
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login")) or response.url.startswith("/admin/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_page_permissions_per_role(client_for, role, path):
    client = client_for(role)
    response = client.get(path)
    allowed = PAGES[path] is None or role in PAGES[path]
    if allowed:
        assert response.status_code == 200, (role, path, response.status_code)
    elif path.startswith("/admin/"):
        assert response.status_code == 302  # the admin sends non-staff to its own login
    else:
        assert response.status_code == 403, (role, path)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_start_page_shows_the_navigation_of_the_role(client_for, role):
    client = client_for(role)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    label = str(r.ROLE_BY_SLUG[role].label)
    assert label in html
    assert ('href="/audit/"' in html) is (role == r.ADMINISTRATOR)
    assert ('href="/admin/"' in html) is (role == r.ADMINISTRATOR)


@pytest.mark.django_db
def test_audit_viewer_filters(client_for):
    client = client_for(r.ADMINISTRATOR)
    record("alice", "person.view", object_type="person", object_id=7)
    record(client.user, "person.update", object_type="person", object_id=8)
    html = client.get("/audit/", {"who": "-"}).content.decode()  # no account
    assert 'data-action="person.view"' in html and 'data-action="person.update"' not in html
    html = client.get("/audit/", {"what": "person.update"}).content.decode()
    assert 'data-action="person.update"' in html and 'data-action="person.view"' not in html
    html = client.get("/audit/", {"object_type": "person", "object_id": "8"}).content.decode()
    assert 'data-action="person.update"' in html and 'data-action="person.view"' not in html


@pytest.mark.django_db
def test_audit_viewer_rejects_a_reversed_date_range(client_for):
    client = client_for(r.ADMINISTRATOR)
    record("alice", "person.view", object_type="person", object_id=7)
    response = client.get("/audit/", {"date_from": "2025-06-12", "date_to": "2025-06-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    response = client.get("/audit/", {"date_from": "not-a-date"})
    assert "error-summary" in response.content.decode()


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client_for):
    response = client_for(r.ANALYST).get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "There is no such page" in response.content.decode()


@pytest.mark.django_db
def test_language_switch_changes_the_page_language(client_for):
    client = client_for(r.REGISTRAR)
    assert "Почати" in client.get("/").content.decode() or "Початок" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Start" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
    assert 'lang="uk"' in client.get("/").content.decode()


def test_pages_carry_no_inline_script_or_style(client_for):
    client = client_for(r.ADMINISTRATOR)
    for path in ("/", "/audit/", "/accounts/password/"):
        html = client.get(path).content.decode()
        assert "<script" not in html, path
        assert "style=" not in html, path


@pytest.mark.django_db
def test_anonymous_can_switch_language_on_the_login_page(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert "<h1>Sign in</h1>" in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_language_switch_refuses_an_outside_redirect(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"


def test_every_page_names_its_icon(client_for):
    """Issue 19: no favicon (the browser asked for /favicon.ico on every page and got a 404)."""
    from django.contrib.staticfiles import finders

    page = client_for("registrar").get("/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    assert finders.find("homecoming/favicon.svg")
