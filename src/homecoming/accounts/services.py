"""Writes to accounts: create a user with roles, change roles, tokens. All audited."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from homecoming.audit.services import record

from .roles import ROLE_BY_SLUG, group_name

#: the languages of the pages (settings.LANGUAGES), by code
OFFERED_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


def _check_roles(roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(ROLE_BY_SLUG))
    if unknown:
        raise ValidationError(f"Unknown role(s): {', '.join(unknown)}. Known: {', '.join(ROLE_BY_SLUG)}.")


def _require_manager(actor) -> None:
    if actor is not None and not actor.has_perm("accounts.manage_accounts"):
        raise PermissionDenied("Only an administrator can manage accounts.")


@transaction.atomic
def create_user(actor, *, username: str, password: str, roles: list[str], **fields):
    """Create an account with the given roles. ``actor`` None means the system (set-up commands)."""
    _require_manager(actor)
    _check_roles(roles)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"A user named {username!r} already exists.")
    user = User(username=username, **fields)
    user.set_password(password)
    # a password an administrator typed or was given for someone else is only for the first sign-in
    user.password_is_temporary = actor is not None
    user.is_staff = "administrator" in roles  # the Django admin is for administrators only
    user.save()
    set_roles(actor, user, roles)
    record(actor or "system", "user.create", object_type="user", object_id=user.pk,
           details={"username": username, "roles": sorted(roles)})
    return user


@transaction.atomic
def set_roles(actor, user, roles: list[str]) -> None:
    _require_manager(actor)
    _check_roles(roles)
    before = sorted(user.groups.values_list("name", flat=True))
    groups = [Group.objects.get_or_create(name=group_name(ROLE_BY_SLUG[slug]))[0] for slug in roles]
    user.groups.set(groups)
    user.is_staff = "administrator" in roles
    user.save(update_fields=["is_staff"])
    if before != sorted(roles):
        record(actor or "system", "user.roles", object_type="user", object_id=user.pk,
               details={"before": before, "after": sorted(roles)})


def set_preferred_language(user, language: str) -> bool:
    """Keep the language a person chose with the switch on their account (accounts/language.py).
    A language the project does not offer is refused. Returns whether anything changed."""
    if language not in OFFERED_LANGUAGES:
        raise ValidationError(f"Unknown language {language!r}.")
    if user.preferred_language == language:
        return False
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return True


def temporary_password() -> str:
    """A password for a new account or a reset one, handed to its owner once: 4 groups of 4
    letters and digits without look-alikes (about 79 bits), easy to read out and to type."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def _check_not_self_lockout(actor, user, *, roles: list[str] | None = None, is_active: bool | None = None) -> None:
    """An administrator cannot take away their own administrator role or switch off their own
    account: the headquarters would be left without anyone to manage accounts by a slip."""
    if actor is None or actor.pk != user.pk:
        return
    if roles is not None and "administrator" not in roles:
        raise ValidationError({"roles": [gettext("You cannot take away your own administrator role; ask another "
                                                 "administrator.")]})
    if is_active is False:
        raise ValidationError({"is_active": [gettext("You cannot switch off your own account.")]})


@transaction.atomic
def update_account(actor, user, *, roles: list[str], is_active: bool, first_name: str = "", last_name: str = "",
                   email: str = "", family_phone: str | None = None, family_email: str | None = None) -> list[str]:
    """Change an account's name, e-mail, roles and whether it may sign in, in one audited step.
    Returns the names of what changed (empty: nothing did, and nothing is recorded). A switched-off
    account keeps its history and audit trail; its API token stops working with it."""
    _require_manager(actor)
    _check_roles(roles)
    _check_not_self_lockout(actor, user, roles=roles, is_active=is_active)
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    published = _family_contact(family_phone, family_email)
    changed = []
    for field, value in (("first_name", first_name), ("last_name", last_name), ("email", email),
                         ("is_active", is_active), *published.items()):
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
        record(actor, "user.update", object_type="user", object_id=user.pk,
               details={"username": user.get_username(), "changed": changed})
    before = sorted(g for g in user.groups.values_list("name", flat=True))
    set_roles(actor, user, roles)
    if sorted(group_name(ROLE_BY_SLUG[slug]) for slug in roles) != before:
        changed.append("roles")
    return changed


_PHONE = re.compile(r"^\+?[0-9 ()-]{5,20}$")


def _family_contact(phone: str | None, email: str | None) -> dict[str, str]:
    """The work phone and e-mail an account publishes to families (None: left as they are),
    checked: a phone of digits, spaces, brackets and dashes; an e-mail address."""
    out, errors = {}, {}
    if phone is not None:
        phone = phone.strip()
        if phone and not _PHONE.match(phone):
            errors["family_phone"] = [gettext("A phone number: digits, spaces, brackets and dashes, at most 20.")]
        out["family_phone"] = phone
    if email is not None:
        email = email.strip()
        try:
            if email:
                validate_email(email)
        except ValidationError:
            errors["family_email"] = [gettext("Enter a valid e-mail address.")]
        out["family_email"] = email
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def reset_password(actor, user) -> str:
    """Give an account a new temporary password (the old one stops working at once) and return
    it, to be handed to its owner, who changes it after signing in. The password is never
    recorded, only that it was reset."""
    _require_manager(actor)
    password = temporary_password()
    user.set_password(password)
    user.password_is_temporary = True
    user.save(update_fields=["password", "password_is_temporary"])
    record(actor, "user.password_reset", object_type="user", object_id=user.pk,
           details={"username": user.get_username()})
    return password


@transaction.atomic
def create_token(actor, user) -> str:
    """A new API token for ``user`` (any earlier one stops working)."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record(actor or "system", "token.create", object_type="user", object_id=user.pk)
    return token.key


# --- two-factor login (TOTP) -----------------------------------------------------------------

@transaction.atomic
def start_otp_enrolment(user):
    """The unconfirmed device of an enrolment in progress (made on the first call, kept until
    confirmed so that the secret shown does not change on every reload)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .otp import DEVICE_NAME

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


#: wrong passwords given to the password change or the enrolment of an authenticator within
#: PASSWORD_WINDOW before both refuse for the rest of the window (audited)
PASSWORD_FAILURES = 5
PASSWORD_WINDOW_MINUTES = 15


def _password_throttled(user) -> bool:
    import datetime as dt

    from django.utils import timezone

    from homecoming.audit.models import AuditEvent

    since = timezone.now() - dt.timedelta(minutes=int(getattr(settings, "PASSWORD_WINDOW_MINUTES",
                                                               PASSWORD_WINDOW_MINUTES)))
    limit = int(getattr(settings, "PASSWORD_FAILURES", PASSWORD_FAILURES))
    return AuditEvent.objects.filter(actor_id=user.pk, action="password.failed", created_at__gte=since).count() >= limit


def check_own_password(user, password: str, *, purpose: str, request=None) -> None:
    """Ask a signed-in person for their password again (changing it, enrolling an authenticator):
    a stolen session alone is then not enough. Wrong answers are audited (``password.failed``)
    and, after PASSWORD_FAILURES within PASSWORD_WINDOW_MINUTES, refused without checking
    (``password.throttled``). Raises ValidationError on ``password``. Not in a transaction of its
    own: the failure's audit event must stay when the caller's work is refused."""
    if _password_throttled(user):
        record(user, "password.throttled", object_type="user", object_id=user.pk, details={"purpose": purpose},
               request=request)
        raise ValidationError({"password": [gettext("Too many wrong passwords: wait %(n)s minutes and try again.")
                                            % {"n": PASSWORD_WINDOW_MINUTES}]})
    if not user.check_password(password or ""):
        record(user, "password.failed", object_type="user", object_id=user.pk, details={"purpose": purpose},
               request=request)
        raise ValidationError({"password": [gettext("The password is not right.")]})


@transaction.atomic
def set_own_password(user, new_password: str, *, request=None) -> None:
    """A person's new password (after :func:`check_own_password` and the password validators, in
    the form); audited as ``password.change``, never with the password."""
    user.set_password(new_password)
    user.password_is_temporary = False
    user.save(update_fields=["password", "password_is_temporary"])
    record(user, "password.change", object_type="user", object_id=user.pk, request=request)


@transaction.atomic
def set_otp_required(actor, user, required: bool) -> bool:
    """An administrator requires (or no longer requires) two-factor login of one account, at its
    next sign-in. Returns whether anything changed."""
    _require_manager(actor)
    if user.otp_required == required:
        return False
    user.otp_required = required
    user.save(update_fields=["otp_required"])
    record(actor or "system", "user.otp_required", object_type="user", object_id=user.pk,
           details={"username": user.get_username(), "required": required})
    return True


def confirm_otp_enrolment(user, token: str, *, password: str | None = None, request=None):
    """Confirm the pending device with a code from the app; it replaces any earlier device. The
    person's password is asked again first (``password``; None only for the set-up commands):
    someone holding a stolen session cannot put their own phone on the account. Raises
    ValidationError (nothing changed) when the password or the code is wrong."""
    if password is not None:
        check_own_password(user, password, purpose="otp_enrol", request=request)
    return _confirm_otp_enrolment(user, token, request=request)


@transaction.atomic
def _confirm_otp_enrolment(user, token: str, *, request=None):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    if device is None or not device.verify_token(_clean_token(token)):
        record(user, "otp.enrol_failed", object_type="user", object_id=user.pk, request=request)
        raise ValidationError({"token": [gettext("The code is not right: check the time on your phone and "
                                                 "type the 6 digits shown now.")]})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(user, "otp.enrol", object_type="user", object_id=user.pk, request=request)
    return device


def verify_otp(user, token: str, *, request=None):
    """The second step of login: the device whose code matches, or ValidationError. Failures are
    audited and slowed down (django-otp doubles the wait after each wrong code)."""
    from .otp import confirmed_device

    device = confirmed_device(user)
    if device is None:
        raise ValidationError({"token": [gettext("You have no authenticator yet: set one up first.")]})
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        record(user, "otp.throttled", object_type="user", object_id=user.pk, request=request)
        raise ValidationError({"token": [gettext("Too many wrong codes: wait a little and try again.")]})
    if not device.verify_token(_clean_token(token)):
        record(user, "otp.failed", object_type="user", object_id=user.pk, request=request)
        raise ValidationError({"token": [gettext("The code is not right: type the 6 digits your app shows now.")]})
    record(user, "otp.verified", object_type="user", object_id=user.pk, request=request)
    return device


@transaction.atomic
def reset_otp(actor, user) -> int:
    """Remove a person's authenticator (lost phone): at the next login they enrol a new one.
    ``actor`` None means the system (the ``homecoming otp-reset`` command run by an administrator)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require_manager(actor)
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    record(actor or "system", "otp.reset", object_type="user", object_id=user.pk,
           details={"username": user.get_username(), "devices_removed": removed})
    return removed


def _clean_token(token) -> str:
    return "".join(str(token or "").split())[:12]
