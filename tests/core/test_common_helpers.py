"""The helpers every app's views share (homecoming.common): one meaning each, tested once here."""

from __future__ import annotations

import os
import subprocess
import sys
import types

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from homecoming.common.actors import actor, user_of
from homecoming.common.errors import apply_errors, flash_outcome, form_saved, message_of
from homecoming.common.names import language, localised
from homecoming.common.permissions import has_all, has_any, require_all, require_any
from homecoming.common.routes import route, urlpatterns_of


class _User:
    is_authenticated = True

    def __init__(self, *perms):
        self.perms = set(perms)

    def has_perm(self, perm):
        return perm in self.perms


def _request(rf, user):
    request = rf.post("/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_the_actor_is_the_signed_in_user_or_none(rf):
    user = _User()
    assert actor(_request(rf, user)) is user
    assert actor(_request(rf, AnonymousUser())) is None
    assert user_of("system") is None and user_of(None) is None and user_of(user) is user


def test_require_all_needs_every_permission_and_require_any_one(rf):
    one = _request(rf, _User("a.view"))
    both = _request(rf, _User("a.view", "a.change"))
    require_all(both, "a.view", "a.change")
    require_any(one, "a.view", "a.change")
    with pytest.raises(PermissionDenied):
        require_all(one, "a.view", "a.change")
    with pytest.raises(PermissionDenied):
        require_any(one, "b.view", "b.change")
    # an actor works as well as a request; nobody signed in holds nothing
    assert has_all(_User("a.view"), "a.view") and not has_any(AnonymousUser(), "a.view")
    with pytest.raises(PermissionDenied):
        require_any(_request(rf, AnonymousUser()), "a.view")


class _Form(forms.Form):
    name = forms.CharField()


def test_a_services_errors_land_beside_their_fields_or_above_the_form():
    form = _Form({"name": "x"})
    assert form.is_valid()
    apply_errors(form, ValidationError({"name": ["Too short."], "elsewhere": ["Not on this form."]}))
    assert form.errors["name"] == ["Too short."]
    assert form.non_field_errors() == ["Not on this form."]
    plain = _Form({"name": "x"})
    plain.is_valid()
    apply_errors(plain, ValidationError(["One.", "Two."]))
    assert plain.non_field_errors() == ["One.", "Two."]
    assert message_of(ValidationError(["One.", "Two."])) == "One. Two."


def test_a_button_says_how_it_went(rf):
    request = _request(rf, _User())
    assert flash_outcome(request, lambda: None, "Done.") is True

    def refuse():
        raise ValidationError(["Not now.", "Later."])

    assert flash_outcome(request, refuse, "Done.") is False
    assert [str(m) for m in get_messages(request)] == ["Done.", "Not now. Later."]


def test_a_form_is_saved_or_shows_why_not(rf):
    request = _request(rf, _User())
    form = _Form({"name": "x"})
    form.is_valid()

    def refuse():
        raise ValidationError({"name": ["Taken."]})

    assert form_saved(request, form, refuse, "Saved.") is False
    assert form.errors["name"] == ["Taken."]
    assert form_saved(request, _Form({"name": "y"}), lambda: None, "Saved.") is True
    assert [str(m) for m in get_messages(request)] == ["Saved."]


def test_a_reference_row_is_named_in_the_readers_language():
    row = types.SimpleNamespace(name_uk="Сухопутні війська", name_en="Ground Forces", title_uk="План", title_en="Plan")
    with translation.override("en"):
        assert language() == "en" and localised(row) == "Ground Forces" and localised(row, "title") == "Plan"
    with translation.override("uk"):
        assert language() == "uk" and localised(row) == "Сухопутні війська"


def test_routes_are_read_from_the_views_in_their_order():
    module = types.ModuleType("fake_views")

    def first(request):
        return None

    def second(request, pk):
        return None

    def unrouted(request):
        return None

    for view in (first, second, unrouted):
        view.__module__ = module.__name__
        setattr(module, view.__name__, view)
    route("")(first)
    route("<int:pk>/", name="detail")(second)
    module.imported = route("x/")(lambda request: None)  # another module's view is not this app's
    patterns = urlpatterns_of(module)
    assert [(str(p.pattern), p.name) for p in patterns] == [("", "first"), ("<int:pk>/", "detail")]


def test_test_mode_is_switched_on_explicitly_not_guessed_from_imports(tmp_path, settings):
    """Under pytest the switch is set (homecoming.common.testmode); importing pytest alone does not
    turn test mode on."""
    assert os.environ["HOMECOMING_TESTING"] == "1" and settings.TESTING
    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")
    env = {k: v for k, v in os.environ.items() if k != "HOMECOMING_TESTING"}
    env.update({"HOMECOMING_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "homecoming.settings"})
    code = ("import pytest\nfrom django.conf import settings\n"
            "print(settings.TESTING, settings.TASKS['default']['BACKEND'], settings.PASSWORD_HASHERS[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.split() == ["False", "django_tasks_db.DatabaseBackend",
                           "django.contrib.auth.hashers.Argon2PasswordHasher"]
