"""accounts/language.py: the language switch used while signed in is kept on the account and
follows the person to a browser without the language cookie; the cookie still comes first."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse


def _lang(response) -> str:
    return response.headers.get("Content-Language", "")


def _signed_in(user, **headers) -> Client:
    c = Client(**headers)
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_an_account_that_never_switched_follows_the_browser(make_user):
    user = make_user("registrar")
    assert user.preferred_language == ""
    assert _lang(_signed_in(user, HTTP_ACCEPT_LANGUAGE="en").get("/")) == "en"
    assert _lang(_signed_in(user, HTTP_ACCEPT_LANGUAGE="uk").get("/")) == "uk"


@pytest.mark.django_db
def test_the_switch_is_kept_and_follows_the_person_to_another_browser(make_user):
    user = make_user("registrar")
    here = _signed_in(user, HTTP_ACCEPT_LANGUAGE="uk")
    response = here.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "en"
    elsewhere = _signed_in(user, HTTP_ACCEPT_LANGUAGE="uk")  # another computer: no cookie
    page = elsewhere.get("/")
    assert _lang(page) == "en" and '<html lang="en">' in page.content.decode()


@pytest.mark.django_db
def test_the_cookie_of_this_browser_comes_before_the_account(make_user):
    user = make_user("registrar", preferred_language="en")
    c = _signed_in(user, HTTP_ACCEPT_LANGUAGE="en")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"
    assert _lang(c.get("/")) == "uk"


@pytest.mark.django_db
def test_a_switch_before_signing_in_changes_no_account(client, make_user):
    user = make_user("registrar")
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == ""
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["de", "", "uk'; DROP TABLE x", "e" * 200])
def test_an_unknown_language_changes_nothing(make_user, bad):
    user = make_user("registrar", preferred_language="en")
    c = _signed_in(user)
    response = c.post(reverse("set_language"), {"language": bad, "next": "/"})
    assert response.status_code in (302, 204)
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_the_old_default_is_forgotten_by_the_migration(make_user):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("homecoming.accounts.migrations.0003_preferred_language_follows_the_switch")
    old = make_user("registrar", preferred_language="uk")
    chosen = make_user("analyst", preferred_language="en")
    migration.forget_the_old_default(apps, None)
    old.refresh_from_db()
    chosen.refresh_from_db()
    assert old.preferred_language == "" and chosen.preferred_language == "en"


@pytest.mark.django_db
def test_the_service_refuses_an_unknown_language_and_changes_nothing(make_user):
    from django.core.exceptions import ValidationError

    from homecoming.accounts.services import set_preferred_language

    user = make_user("registrar", preferred_language="en")
    with pytest.raises(ValidationError, match="Unknown language 'de'"):
        set_preferred_language(user, "de")
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert set_preferred_language(user, "uk") is True and set_preferred_language(user, "uk") is False
    user.refresh_from_db()
    assert user.preferred_language == "uk"
