"""Administrators manage accounts on their own pages: list, create (temporary password shown
once), change roles and access, reset a password or an authenticator. Every change is audited;
bad input changes nothing; an administrator cannot lock themselves out."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from homecoming.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def admin_client(client_for):
    return client_for("administrator")


def _can_sign_in(username: str, password: str) -> bool:
    """Through the login form, as the person would (django-axes watches it)."""
    resp = Client().post(reverse("login"), {"username": username, "password": password})
    return resp.status_code == 302


def _new(admin_client, **data):
    payload = {"username": "new-analyst", "first_name": "Тарас", "last_name": "Тестовий",
               "email": "taras@example.org", "roles": ["analyst"], "is_active": "on"}
    payload.update(data)
    return admin_client.post(reverse("accounts:user_create"), payload)


def test_list_shows_accounts_with_roles_and_filters_by_role(admin_client, make_user):
    make_user("analyst", username="an-one")
    make_user("registrar", username="reg-one")
    page = admin_client.get(reverse("accounts:user_list")).content.decode()
    assert "an-one" in page and "reg-one" in page
    filtered = admin_client.get(reverse("accounts:user_list"), {"role": "registrar"}).content.decode()
    assert "reg-one" in filtered and "an-one" not in filtered
    off = admin_client.get(reverse("accounts:user_list"), {"state": "inactive"}).content.decode()
    assert "reg-one" not in off


def test_create_shows_a_temporary_password_once_that_signs_in(admin_client):
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    resp = _new(admin_client)
    assert resp.status_code == 200
    password = resp.context["password"]
    assert len(password) == 19 and password in resp.content.decode()
    user = User.objects.get(username="new-analyst")
    assert sorted(user.groups.values_list("name", flat=True)) == ["analyst"]
    assert user.email == "taras@example.org" and user.is_active
    assert _can_sign_in("new-analyst", password)
    created = AuditEvent.objects.filter(pk__gt=last)
    assert created.filter(action="user.create", object_id=str(user.pk)).exists()
    assert password not in json.dumps(list(created.values_list("details", flat=True)))
    # the account page does not show it again
    assert password not in admin_client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()


@pytest.mark.parametrize("data, field", [
    ({"roles": []}, "roles"),
    ({"roles": ["commander"]}, "roles"),
    ({"username": "has space"}, "username"),
    ({"username": ""}, "username"),
    ({"email": "not-an-address"}, "email"),
])
def test_bad_new_account_is_refused_and_nothing_is_created(admin_client, data, field):
    users, events = User.objects.count(), AuditEvent.objects.count()
    resp = _new(admin_client, **data)
    assert resp.status_code == 200 and field in resp.context["form"].errors
    assert User.objects.count() == users and AuditEvent.objects.count() == events


def test_a_user_name_taken_in_any_letter_case_is_refused(admin_client, make_user):
    make_user("analyst", username="Olena")
    users = User.objects.count()
    resp = _new(admin_client, username="olena")
    assert "olena" in str(resp.context["form"].errors["username"])  # named in the message, any language
    assert User.objects.count() == users


def test_change_roles_and_switch_off_is_audited_and_stops_sign_in(admin_client, make_user):
    user = make_user("analyst", username="leaving", password="pw-leaving-123456")
    url = reverse("accounts:user_detail", args=[user.pk])
    resp = admin_client.post(url, {"action": "save", "first_name": "", "last_name": "", "email": "",
                                   "roles": ["analyst", "registrar"]})  # is_active unticked
    assert resp.status_code == 200 and resp.context["saved"]
    user.refresh_from_db()
    assert not user.is_active
    assert sorted(user.groups.values_list("name", flat=True)) == ["analyst", "registrar"]
    assert AuditEvent.objects.filter(action="user.update", object_id=str(user.pk),
                                     details__changed=["is_active"]).exists()
    assert AuditEvent.objects.filter(action="user.roles", object_id=str(user.pk)).exists()
    assert not _can_sign_in("leaving", "pw-leaving-123456")


def test_saving_without_a_change_records_nothing(admin_client, make_user):
    user = make_user("analyst", username="same")
    events = AuditEvent.objects.count()
    resp = admin_client.post(reverse("accounts:user_detail", args=[user.pk]),
                             {"action": "save", "roles": ["analyst"], "is_active": "on",
                              "first_name": user.first_name, "last_name": user.last_name, "email": user.email})
    assert resp.context["saved"] and not resp.context["form"].errors
    assert AuditEvent.objects.count() == events


def test_an_administrator_cannot_lock_themselves_out(admin_client):
    me = admin_client.user
    url = reverse("accounts:user_detail", args=[me.pk])
    resp = admin_client.post(url, {"action": "save", "roles": ["analyst"], "is_active": "on"})
    assert "roles" in resp.context["form"].errors
    resp = admin_client.post(url, {"action": "save", "roles": ["administrator"]})  # not active
    assert "is_active" in resp.context["form"].errors
    me.refresh_from_db()
    assert me.is_active and list(me.groups.values_list("name", flat=True)) == ["administrator"]


def test_password_reset_replaces_the_old_one_and_is_not_recorded(admin_client, make_user):
    user = make_user("registrar", username="forgot", password="old-password-123456")
    resp = admin_client.post(reverse("accounts:user_detail", args=[user.pk]), {"action": "reset_password"})
    new = resp.context["password"]
    assert not _can_sign_in("forgot", "old-password-123456")
    assert _can_sign_in("forgot", new)
    event = AuditEvent.objects.get(action="user.password_reset", object_id=str(user.pk))
    assert new not in json.dumps(event.details)


def test_authenticator_reset_removes_the_device(admin_client, make_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("registrar", username="lost-phone")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page = admin_client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert 'id="reset-otp"' in page
    resp = admin_client.post(reverse("accounts:user_detail", args=[user.pk]), {"action": "reset_otp"})
    assert resp.context["saved"] and not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="otp.reset", object_id=str(user.pk)).exists()


def test_unknown_account_is_404_for_administrators(admin_client):
    assert admin_client.get(reverse("accounts:user_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["registrar", "analyst", "negotiator", "medical_officer", "case_worker",
                                  "finance_officer"])
def test_other_roles_cannot_manage_accounts(client_for, role, make_user):
    target = make_user("analyst", username="target")
    c = client_for(role)
    assert c.get(reverse("accounts:user_list")).status_code == 403
    users = User.objects.count()
    assert c.post(reverse("accounts:user_create"), {"username": "x", "roles": ["administrator"]}).status_code == 403
    assert c.post(reverse("accounts:user_detail", args=[target.pk]),
                  {"action": "save", "roles": ["administrator"], "is_active": "on"}).status_code == 403
    assert User.objects.count() == users and not target.groups.filter(name="administrator").exists()
