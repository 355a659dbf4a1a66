"""Filing an inquiry: the family's words checked field by field (nothing is stored on an
error), the inquiry saved with a reference and a one-time code, a confirmation sent.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from homecoming.audit.services import record
from homecoming.common.text import name_problem, sentence, text_problem
from homecoming.linkage import parse_partial_date
from homecoming.registry.limits import length_errors

from .. import codes
from ..channels import get_channel
from ..models import (
    BirthPrecision,
    FiledVia,
    Inquiry,
    Language,
    Notification,
    NotificationState,
    Relation,
)
from ..status import headquarters_contact
from .common import EARLIEST_BIRTH, EARLIEST_INCIDENT, PORTAL_ACTOR, REDACTED_CODE, _require, _user, logger

INQUIRY_FIELDS = (
    "last_name", "first_name", "patronymic", "birth_date", "service_number", "unit", "incident_date",
    "incident_place", "circumstances", "inquirer_name", "relation", "phone", "email", "language", "consent",
)
_PHONE_RE = re.compile(r"^\+?\d{7,15}$")


def _at_most(n: int) -> str:
    """The families' own words for a limit (their catalogue has its context)."""
    return pgettext("families", "At most %(n)s characters.") % {"n": n}


def _clean_inquiry(data: dict[str, Any]) -> dict[str, Any]:
    """Plain values -> model values; every problem named by its field. Changes nothing."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(INQUIRY_FIELDS))
    if unknown:
        errors["__all__"] = [_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}]
    out: dict[str, Any] = {}

    def text(name: str, *, required: bool = False, name_like: bool = False) -> None:
        value = data.get(name)
        value = "" if value is None else " ".join(str(value).split()) if name != "circumstances" \
            else str(value).strip()
        if required and not value:
            errors.setdefault(name, []).append(pgettext("families", "This field is required."))
        elif too_long := length_errors(Inquiry, {name: value}, message=_at_most):
            errors.setdefault(name, []).extend(too_long[name])
        elif value and name_like and name_problem(value):
            errors.setdefault(name, []).append(sentence(name_problem(value)))
        elif value and text_problem(value, multiline=name == "circumstances"):
            errors.setdefault(name, []).append(sentence(text_problem(value, multiline=name == "circumstances")))
        out[name] = value

    text("last_name", required=True, name_like=True)
    text("first_name", required=True, name_like=True)
    text("patronymic", name_like=True)
    text("service_number")
    text("unit")
    text("incident_place")
    text("circumstances")
    text("inquirer_name", required=True, name_like=True)
    _clean_dates(data, out, errors)
    _clean_contact(data, out, errors)
    language = str(data.get("language") or "")
    if language not in Language.values:
        errors.setdefault("language", []).append(_("Choose Ukrainian or English."))
    out["language"] = language

    consent = data.get("consent")
    if consent not in (True, "on", "true", "1", 1):
        errors.setdefault("consent", []).append(
            _("We can only accept the inquiry with your consent to the processing of this information."))
    if errors:
        raise ValidationError(errors)
    return out


def _clean_dates(data: dict[str, Any], out: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """The date of birth (as much of it as the family knows) and the date of the incident."""
    today = timezone.localdate()
    birth = data.get("birth_date")
    out["birth_date"], out["birth_date_precision"] = None, BirthPrecision.DAY
    if isinstance(birth, dt.date):
        out["birth_date"] = birth
    elif birth not in (None, ""):
        try:
            partial_date = parse_partial_date(str(birth))
        except ValueError:
            partial_date = None
            errors.setdefault("birth_date", []).append(
                _("Enter the date of birth as 17.05.1990, 1990-05-17, 05.1990 or 1990 (as much as you know)."))
        if partial_date is not None:
            out["birth_date"] = dt.date(partial_date.year, partial_date.month or 1, partial_date.day or 1)
            out["birth_date_precision"] = partial_date.precision
    if out["birth_date"] is not None:
        if out["birth_date"] > today:
            errors.setdefault("birth_date", []).append(
                pgettext("families", "The date of birth cannot be in the future."))
        elif out["birth_date"] < EARLIEST_BIRTH:
            errors.setdefault("birth_date", []).append(pgettext("families", "The date of birth is before 1900."))

    incident = data.get("incident_date")
    out["incident_date"] = None
    if isinstance(incident, dt.date):
        out["incident_date"] = incident
    elif incident not in (None, ""):
        try:
            out["incident_date"] = dt.date.fromisoformat(str(incident).strip())
        except ValueError:
            errors.setdefault("incident_date", []).append(pgettext("families", "Enter a date as YYYY-MM-DD."))
    if out["incident_date"] is not None:
        if out["incident_date"] > today:
            errors.setdefault("incident_date", []).append(pgettext("families", "The date cannot be in the future."))
        elif out["incident_date"] < EARLIEST_INCIDENT:
            errors.setdefault("incident_date", []).append(
                pgettext("families", "The date is before the war began (20 February 2014)."))
        elif out["birth_date"] and out["incident_date"] < out["birth_date"]:
            errors.setdefault("incident_date", []).append(pgettext("families", "The date is before the date of birth."))


def _clean_contact(data: dict[str, Any], out: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """How the family is related and how to reach them (a phone number or an e-mail address)."""
    relation = str(data.get("relation") or "")
    if relation not in Relation.values:
        errors.setdefault("relation", []).append(_("Choose how you are related."))
    out["relation"] = relation

    phone = re.sub(r"[\s()\-.]", "", str(data.get("phone") or ""))
    if phone and not _PHONE_RE.match(phone):
        errors.setdefault("phone", []).append(
            _("Enter a phone number of 7 to 15 digits, for example +380 44 123 45 67."))
    out["phone"] = phone
    email = str(data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(_("Enter an e-mail address such as name@example.org."))
        if too_long := length_errors(Inquiry, {"email": email}, message=_at_most):
            errors.setdefault("email", []).extend(too_long["email"])
    out["email"] = email
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors.setdefault("phone", []).append(_("Give a phone number or an e-mail address, so that we can reach you."))


@dataclass
class Filed:
    inquiry: Inquiry
    secret: str  # in clear, to be shown once; never stored
    emailed: bool


class AlreadyFiled(Exception):
    """The same filing form was sent again (a reload, a double click, the back button): nothing
    was filed a second time. ``inquiry`` is the one the first sending filed."""

    def __init__(self, inquiry: Inquiry):
        self.inquiry = inquiry
        super().__init__(inquiry.reference)


def submission_key(token: str) -> str:
    """The stored digest of a filing form's one-time token (never the token itself)."""
    import hashlib

    return hashlib.sha256(f"inquiry-form:{token}".encode()).hexdigest() if token else ""


def file_inquiry(actor, data: dict[str, Any], *, via: str = FiledVia.PORTAL, submission: str = "",
                 request=None) -> Filed:
    """File an inquiry from plain values (see ``INQUIRY_FIELDS``). ``actor`` is ``None`` for a
    family on the public page; a registrar filing on a family's behalf needs
    ``families.change_inquiry``. Returns the inquiry and its secret code, which is e-mailed
    when an address is given and is not kept anywhere.

    ``submission``: the one-time token of the form; the same token again raises
    :class:`AlreadyFiled` and files nothing (also when both arrive at the same moment)."""
    if via == FiledVia.STAFF:
        _require(actor, "families.change_inquiry")
    elif via != FiledVia.PORTAL:
        raise ValueError(via)
    key = submission_key(submission)
    if key:
        earlier = Inquiry.objects.filter(submission_key=key).first()
        if earlier is not None:
            raise AlreadyFiled(earlier)
    values = _clean_inquiry(data)
    if via == FiledVia.PORTAL and request is not None:
        _check_filing_rate(request)
    secret = codes.new_secret()
    secret_hash = codes.hash_secret(secret)
    for _attempt in range(10):
        try:
            with transaction.atomic():
                inquiry = Inquiry.objects.create(
                    reference=codes.new_reference(), secret_hash=secret_hash, consent_at=timezone.now(),
                    filed_via=via, filed_by=_user(actor) if via == FiledVia.STAFF else None,
                    submission_key=key, **values,
                )
                record(_user(actor) or PORTAL_ACTOR, "inquiry.file", object_type="inquiry", object_id=inquiry.pk,
                       details={"reference": inquiry.reference, "via": via}, request=request)
            break
        except IntegrityError:  # the random reference is taken (draw another), or the form was filed a moment ago
            earlier = Inquiry.objects.filter(submission_key=key).first() if key else None
            if earlier is not None:
                raise AlreadyFiled(earlier) from None
            continue
    else:  # pragma: no cover - 887 million references
        raise RuntimeError("could not draw a free inquiry reference")
    emailed = False
    if inquiry.email:
        emailed = _send_confirmation(inquiry, secret)
    return Filed(inquiry=inquiry, secret=secret, emailed=emailed)


def _check_filing_rate(request) -> None:
    """The public form accepts a limited number of inquiries per address and hour (setting
    ``FAMILIES_FILING_PER_HOUR``), so that nobody floods the registrars' queue."""
    from homecoming.audit.models import AuditEvent
    from homecoming.audit.services import client_ip

    address = client_ip(request)
    limit = getattr(settings, "FAMILIES_FILING_PER_HOUR", 10)
    if address and AuditEvent.objects.filter(
            action="inquiry.file", ip_address=address, actor_id__isnull=True,
            created_at__gte=timezone.now() - dt.timedelta(hours=1)).count() >= limit:
        raise ValidationError(_("Too many inquiries were sent from this connection in the last hour. Try again "
                                "later, or call the headquarters."))


def _render_message(template: str, inquiry: Inquiry, **context) -> tuple[str, str]:
    with translation.override(inquiry.language):
        portal_url = getattr(settings, "FAMILIES_PORTAL_URL", None) or os.environ.get("FAMILIES_PORTAL_URL", "")
        ctx = {"inquiry": inquiry, "hq": headquarters_contact(), "portal_url": portal_url, **context}
        subject = " ".join(render_to_string(f"families/messages/{template}_subject.txt", ctx).split())
        body = render_to_string(f"families/messages/{template}.txt", ctx)
    return subject, body


def _send_confirmation(inquiry: Inquiry, secret: str) -> bool:
    """Sent at once, not through the task queue: the queue stores its arguments, and the code
    must not be stored anywhere. The record keeps the text with the code blanked out."""
    subject, body = _render_message("filed", inquiry, secret=secret)
    note = Notification(inquiry=inquiry, channel="email", recipient=inquiry.email, template="filed",
                        language=inquiry.language, subject=subject,
                        body=body.replace(secret, REDACTED_CODE), attempts=1)
    try:
        get_channel("email").send(inquiry.email, subject, body)
    except Exception as exc:  # noqa: BLE001 - the family still sees the code on the page
        note.state = NotificationState.FAILED
        note.last_error = type(exc).__name__
        logger.warning("confirmation of inquiry %s could not be sent (%s)", inquiry.pk, type(exc).__name__)
    else:
        note.state = NotificationState.SENT
        note.sent_at = timezone.now()
    with transaction.atomic():
        note.save()
        record(PORTAL_ACTOR, "notification.send", object_type="inquiry", object_id=inquiry.pk,
               details={"notification": note.pk, "template": "filed", "channel": "email", "state": note.state})
    return note.state == NotificationState.SENT
