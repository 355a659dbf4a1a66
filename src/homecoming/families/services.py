"""Every write of the families app: inquiries, links, portal attempts and lock-outs,
notifications. Each write runs in one transaction, checks the actor's permission and writes
the audit event. The secret code of an inquiry exists in clear only in memory, while it is
shown (and e-mailed) once: it is never stored, logged, audited or handed to the task queue.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from homecoming.audit.services import record, record_many
from homecoming.common.text import name_problem, sentence, text_problem
from homecoming.linkage import parse_partial_date
from homecoming.registry import services as registry_services
from homecoming.registry.models import Person, Side, SourceKind, Status

from . import codes
from .channels import get_channel
from .models import (
    BirthPrecision,
    FiledVia,
    Inquiry,
    InquiryState,
    Language,
    LockOut,
    LockOutKind,
    Notification,
    NotificationState,
    PortalAttempt,
    Relation,
)
from .status import FamilyView, family_state, family_view, headquarters_contact, news

logger = logging.getLogger(__name__)

PORTAL_ACTOR = "family-portal"
EARLIEST_INCIDENT = registry_services.EARLIEST_INCIDENT
EARLIEST_BIRTH = registry_services.EARLIEST_BIRTH
MAX_ATTEMPTS = 5  # deliveries of one notification before it is marked failed
REDACTED_CODE = "••••-••••-••••-••••"

INQUIRY_FIELDS = (
    "last_name", "first_name", "patronymic", "birth_date", "service_number", "unit", "incident_date",
    "incident_place", "circumstances", "inquirer_name", "relation", "phone", "email", "language", "consent",
)
_PHONE_RE = re.compile(r"^\+?\d{7,15}$")


def portal_limits() -> dict[str, int]:
    """Failures allowed before a lock-out: per address in a window, per reference in a day."""
    return {
        "address_failures": getattr(settings, "FAMILIES_PORTAL_ADDRESS_FAILURES", 5),
        "address_minutes": getattr(settings, "FAMILIES_PORTAL_ADDRESS_MINUTES", 15),
        "reference_failures": getattr(settings, "FAMILIES_PORTAL_REFERENCE_FAILURES", 10),
        "reference_minutes": getattr(settings, "FAMILIES_PORTAL_REFERENCE_MINUTES", 24 * 60),
    }


def _require(actor, *perms: str) -> None:
    for perm in perms:
        if actor is None or not getattr(actor, "has_perm", None) or not actor.has_perm(perm):
            raise PermissionDenied(pgettext("families", "You do not have the permission to do this."))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- filing ---------------------------------------------------------------------------------

def _clean_inquiry(data: dict[str, Any]) -> dict[str, Any]:
    """Plain values -> model values; every problem named by its field. Changes nothing."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(INQUIRY_FIELDS))
    if unknown:
        errors["__all__"] = [_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)}]
    out: dict[str, Any] = {}

    def text(name: str, max_length: int, *, required: bool = False, name_like: bool = False) -> None:
        value = data.get(name)
        value = "" if value is None else " ".join(str(value).split()) if name != "circumstances" \
            else str(value).strip()
        if required and not value:
            errors.setdefault(name, []).append(pgettext("families", "This field is required."))
        elif len(value) > max_length:
            errors.setdefault(name, []).append(pgettext("families", "At most %(n)s characters.") % {"n": max_length})
        elif value and name_like and name_problem(value):
            errors.setdefault(name, []).append(sentence(name_problem(value)))
        elif value and text_problem(value, multiline=name == "circumstances"):
            errors.setdefault(name, []).append(sentence(text_problem(value, multiline=name == "circumstances")))
        out[name] = value

    text("last_name", 100, required=True, name_like=True)
    text("first_name", 100, required=True, name_like=True)
    text("patronymic", 100, name_like=True)
    text("service_number", 40)
    text("unit", 200)
    text("incident_place", 200)
    text("circumstances", 2000)
    text("inquirer_name", 200, required=True, name_like=True)

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
        if len(email) > 254:
            errors.setdefault("email", []).append(pgettext("families", "At most %(n)s characters.") % {"n": 254})
    out["email"] = email
    if not phone and not email and "phone" not in errors and "email" not in errors:
        errors.setdefault("phone", []).append(_("Give a phone number or an e-mail address, so that we can reach you."))

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


# --- linking --------------------------------------------------------------------------------

@transaction.atomic
def link_inquiry(actor, inquiry_id: int, person_id: int, *, request=None) -> Inquiry:
    """Link an inquiry to a person of the register (ours, not merged away)."""
    _require(actor, "families.change_inquiry", "registry.view_person")
    inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    if inquiry is None:
        raise ValidationError(_("No such inquiry."))
    person = Person.objects.filter(pk=person_id).first() if str(person_id).isascii() and str(person_id).isdigit() \
        else None
    if person is None:
        raise ValidationError({"person": [_("No person with this reference in the register.")]})
    if person.merged_into_id:
        raise ValidationError({"person": [_("This record was merged into %(ref)s; link to that one.")
                                          % {"ref": person.merged_into.reference}]})
    if person.side != Side.OURS:
        raise ValidationError({"person": [_("Families inquire about our own people only.")]})
    if inquiry.state == InquiryState.CLOSED:
        raise ValidationError(_("This inquiry is closed."))
    previous = inquiry.person_id
    inquiry.person = person
    inquiry.state = InquiryState.LINKED
    inquiry.linked_at = timezone.now()
    inquiry.linked_by = _user(actor)
    inquiry.moved_by_merge_from = None
    inquiry.save()
    record(actor, "inquiry.link", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference, "person": person.reference, "previous": previous},
           request=request)
    _notify_if_news(inquiry)
    return inquiry


@transaction.atomic
def unlink_inquiry(actor, inquiry_id: int, *, request=None) -> Inquiry:
    """Undo a wrong link: the inquiry goes back to the ones to link."""
    _require(actor, "families.change_inquiry")
    inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    if inquiry is None:
        raise ValidationError(_("No such inquiry."))
    if inquiry.person_id is None:
        raise ValidationError(_("This inquiry is not linked."))
    previous = inquiry.person.reference
    inquiry.person = None
    inquiry.state = InquiryState.NEW
    inquiry.linked_at = None
    inquiry.linked_by = None
    inquiry.moved_by_merge_from = None
    inquiry.notified_state = ""
    inquiry.save()
    record(actor, "inquiry.unlink", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference, "previous": previous}, request=request)
    return inquiry


@transaction.atomic
def record_told_in_person(actor, inquiry_id: int, *, request=None) -> Inquiry:
    """A case worker or registrar told the family in person of their relative's death, as the
    register holds it now: from then on the portal may say it (status.death_told). Refused while
    the register holds no death, or when this death was told already."""
    from .status import current_death_id

    _require(actor, "families.tell_family")
    inquiry = Inquiry.objects.select_for_update(of=("self",)).select_related("person").filter(pk=inquiry_id).first()
    if inquiry is None:
        raise ValidationError(_("No such inquiry."))
    death = current_death_id(inquiry.person)
    if death is None:
        raise ValidationError(_("The register does not hold the death of this inquiry's relative."))
    if inquiry.told_in_person_event_id == death:
        raise ValidationError(_("It is already recorded that the family was told in person."))
    inquiry.told_in_person_event_id = death
    inquiry.told_in_person_at = timezone.now()
    inquiry.told_in_person_by = _user(actor)
    inquiry.save(update_fields=["told_in_person_event", "told_in_person_at", "told_in_person_by", "updated_at"])
    record(actor, "inquiry.told_in_person", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference, "event": death}, request=request)
    return inquiry


@transaction.atomic
def create_person_for_inquiry(actor, inquiry_id: int, *, request=None) -> Person:
    """No record matches: create one in the register from the inquiry (status missing, source
    the family's application) and link the inquiry to it."""
    _require(actor, "families.change_inquiry", "registry.add_person")
    inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    if inquiry is None:
        raise ValidationError(_("No such inquiry."))
    if inquiry.person_id:
        raise ValidationError(_("This inquiry is already linked to %(ref)s.") % {"ref": inquiry.person.reference})
    data: dict[str, Any] = {
        "last_name": inquiry.last_name, "first_name": inquiry.first_name, "patronymic": inquiry.patronymic,
        "birth_date": inquiry.birth_date, "birth_date_precision": inquiry.birth_date_precision,
        "service_number": inquiry.service_number, "unit": inquiry.unit,
        "incident_date": inquiry.incident_date, "incident_place": inquiry.incident_place,
    }
    if actor.has_perm("registry.view_contacts"):
        contact = ", ".join(p for p in (inquiry.phone, inquiry.email) if p)
        data["family_contacts"] = f"{inquiry.inquirer_name} ({inquiry.get_relation_display()}): {contact} " \
                                  f"[{inquiry.reference}]"
    person = registry_services.create_person(
        actor, data, request=request,
        initial_event={"status": Status.MISSING, "effective_date": inquiry.incident_date or timezone.localdate(),
                       "source_kind": SourceKind.FAMILY_APPLICATION, "source_reference": inquiry.reference},
    )
    link_inquiry(actor, inquiry.pk, person.pk, request=request)
    return person


@transaction.atomic
def close_inquiry(actor, inquiry_id: int, *, request=None) -> Inquiry:
    """Close an inquiry (withdrawn by the family, a duplicate of another). It stays readable."""
    _require(actor, "families.change_inquiry")
    inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    if inquiry is None:
        raise ValidationError(_("No such inquiry."))
    if inquiry.state == InquiryState.CLOSED:
        raise ValidationError(_("This inquiry is closed."))
    inquiry.state = InquiryState.CLOSED
    inquiry.save(update_fields=["state", "updated_at"])
    record(actor, "inquiry.close", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference}, request=request)
    return inquiry


def record_inquiry_view(actor, inquiry: Inquiry, *, request=None, via: str = "page") -> None:
    """Every read of an inquiry (it holds a family's contact and a person's details) is audited."""
    record(actor, "inquiry.view", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference, "via": via}, request=request)


# --- merges in the register -----------------------------------------------------------------

def follow_merge(merge, survivor, duplicate) -> int:
    """A merge folded ``duplicate`` into ``survivor``: its inquiries follow."""
    moved = list(Inquiry.objects.filter(person=duplicate).values_list("pk", flat=True))
    if moved:
        Inquiry.objects.filter(pk__in=moved).update(person=survivor, moved_by_merge_from=duplicate,
                                                    updated_at=timezone.now())
        record(merge.merged_by or PORTAL_ACTOR, "inquiry.follow_merge", object_type="person",
               object_id=survivor.pk, details={"merge": merge.pk, "inquiries": moved})
    retell(survivor)  # both histories together may say something new to every family of the survivor
    return len(moved)


def retell(*persons) -> None:
    """A merge, its undo or a change on the exchange lists changed what a family may be told
    without a status event: each linked family's state is derived again and, where it is news for
    a message, told."""
    for person in persons:
        person.refresh_from_db()
        for inquiry in Inquiry.objects.filter(person=person, state=InquiryState.LINKED):
            inquiry.person = person
            _notify_if_news(inquiry)


def follow_merge_undo(merge, survivor, duplicate) -> int:
    moved = list(Inquiry.objects.filter(person=survivor, moved_by_merge_from=duplicate)
                 .values_list("pk", flat=True))
    if moved:
        Inquiry.objects.filter(pk__in=moved).update(person=duplicate, moved_by_merge_from=None,
                                                    updated_at=timezone.now())
        record(merge.undone_by or PORTAL_ACTOR, "inquiry.follow_merge_undo", object_type="person",
               object_id=duplicate.pk, details={"merge": merge.pk, "inquiries": moved})
    retell(survivor, duplicate)
    return len(moved)


# --- the portal -----------------------------------------------------------------------------

@dataclass
class PortalAnswer:
    outcome: str  # "ok", "denied" (unknown reference or wrong code: the same) or "locked"
    inquiry: Inquiry | None = None
    view: FamilyView | None = None


def _active_lockout(kind: str, key: str) -> LockOut | None:
    if not key:
        return None
    return LockOut.objects.filter(kind=kind, key=key, until__gt=timezone.now(), lifted_at__isnull=True).first()


def portal_lookup(*, reference: str, code: str, address: str, request=None) -> PortalAnswer:
    """The family's look-up. An unknown reference and a wrong code do the same work (the slow
    hash check runs against a dummy hash) and give the same answer; failures count per
    address and per reference (known or not) towards a lock-out."""
    address = (address or "unknown")[:45]
    ref = codes.normalize_reference(reference)
    ref_key = ref or codes.normalize_secret(reference)[:16]
    if _active_lockout(LockOutKind.ADDRESS, address) or _active_lockout(LockOutKind.REFERENCE, ref_key):
        codes.verify_secret(code, None)  # the same cost as any other answer
        return PortalAnswer("locked")
    inquiry = Inquiry.objects.select_related("person").filter(reference=ref).first() if ref else None
    ok = codes.verify_secret(code, inquiry.secret_hash if inquiry is not None else None,
                             setter=partial(_rehash, inquiry.pk) if inquiry is not None else None)
    if ok and inquiry.state != InquiryState.CLOSED:
        record(PORTAL_ACTOR, "inquiry.portal_view", object_type="inquiry", object_id=inquiry.pk,
               details={"reference": inquiry.reference}, request=request)
        return PortalAnswer("ok", inquiry=inquiry, view=family_view(inquiry))
    _count_failure(address, ref_key, request=request)
    return PortalAnswer("denied")


def _rehash(inquiry_id: int, secret: str) -> None:
    """The hasher's settings changed since filing (more iterations, another algorithm): store a
    hash made with today's settings, so that every inquiry costs the same time to check."""
    Inquiry.objects.filter(pk=inquiry_id).update(secret_hash=codes.hash_secret(secret))


@transaction.atomic
def _count_failure(address: str, ref_key: str, *, request=None) -> None:
    limits = portal_limits()
    now = timezone.now()
    PortalAttempt.objects.create(address=address, reference=ref_key)
    checks = [
        (LockOutKind.ADDRESS, address, {"address": address}, limits["address_failures"], limits["address_minutes"]),
    ]
    if ref_key:
        checks.append((LockOutKind.REFERENCE, ref_key, {"reference": ref_key}, limits["reference_failures"],
                       limits["reference_minutes"]))
    for kind, key, lookup, limit, minutes in checks:
        failures = PortalAttempt.objects.filter(counted=True, created_at__gte=now - dt.timedelta(minutes=minutes),
                                                **lookup).count()
        if failures >= limit and not _active_lockout(kind, key):
            lock = LockOut.objects.create(kind=kind, key=key, failures=failures,
                                          until=now + dt.timedelta(minutes=minutes))
            record(PORTAL_ACTOR, "portal.lockout", object_type="lockout", object_id=lock.pk,
                   details={"kind": kind, "key": key, "failures": failures, "until": lock.until.isoformat()},
                   request=request)


@transaction.atomic
def lift_lockout(actor, lockout_id: int, *, request=None) -> LockOut:
    """A registrar lifts a lock-out (the family called and proved who they are); the failures
    that led to it stop counting."""
    _require(actor, "families.change_inquiry")
    lock = LockOut.objects.select_for_update().filter(pk=lockout_id).first()
    if lock is None:
        raise ValidationError(_("No such lock-out."))
    if lock.lifted_at:
        raise ValidationError(_("This lock-out has already been lifted."))
    lock.lifted_at = timezone.now()
    lock.lifted_by = _user(actor)
    lock.save(update_fields=["lifted_at", "lifted_by"])
    field = "address" if lock.kind == LockOutKind.ADDRESS else "reference"
    PortalAttempt.objects.filter(counted=True, **{field: lock.key}).update(counted=False)
    record(actor, "portal.lockout_lift", object_type="lockout", object_id=lock.pk,
           details={"kind": lock.kind, "key": lock.key}, request=request)
    return lock


# --- notifications --------------------------------------------------------------------------

def _notify_if_news(inquiry: Inquiry) -> list[Notification]:
    """Inside the caller's transaction: when the family's state is news by :func:`status.news`,
    queue a message on every channel they gave; delivery starts after commit. ``notified_state``
    keeps what the last message told (no repeats, and what a later state may take back)."""
    notes = _status_messages(inquiry, family_state(inquiry))
    for note in notes:
        note.save()
        record(PORTAL_ACTOR, "notification.queue", object_type="inquiry", object_id=inquiry.pk,
               details={"notification": note.pk, "template": "status", "channel": note.channel,
                        "state": inquiry.notified_state})
        transaction.on_commit(partial(_enqueue, note.pk))
    return notes


def _status_messages(inquiry: Inquiry, now: str, *, save_state: bool = True) -> list[Notification]:
    """The status messages (unsaved) for a family whose state is ``now``, one on every channel they
    gave that is installed; none when it is no news for a message (status.news). Sets
    ``notified_state`` when there is news, even with no channel to send it on (saved unless the
    caller saves many at once)."""
    said = news(inquiry.notified_state, now)
    if said is None or inquiry.state == InquiryState.CLOSED:
        return []
    if save_state:
        Inquiry.objects.filter(pk=inquiry.pk).update(notified_state=now)
    inquiry.notified_state = now
    view = family_view(inquiry, state=said)
    subject, body = _render_message("status", inquiry, view=view, portal_says_the_same=said == now)
    recipients = [("email", inquiry.email)] if inquiry.email else []
    if inquiry.phone:
        recipients.append(("sms", inquiry.phone))
    from .channels import channel_names

    # A channel that is not installed (SMS) is skipped: the registrar sees that no message went.
    return [Notification(inquiry=inquiry, channel=channel, recipient=recipient, template="status",
                         language=inquiry.language, subject=subject, body=body)
            for channel, recipient in recipients if channel in channel_names()]


def _enqueue(notification_id: int, *, delay: dt.timedelta | None = None) -> None:
    from .tasks import deliver_notification

    task = deliver_notification
    if delay is not None and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(notification_id)


def status_changed(person, event) -> list[Notification]:
    """The register added a status event to ``person`` (inside its transaction)."""
    notes: list[Notification] = []
    for inquiry in Inquiry.objects.select_related("person").filter(person=person, state=InquiryState.LINKED):
        inquiry.person = person
        notes += _notify_if_news(inquiry)
    return notes


def statuses_changed(events, persons: dict) -> list[Notification]:
    """The register added many status events at once (``persons``: id -> Person with the refreshed
    status; inside its transaction): the same as :func:`status_changed` for each event, in a few
    queries. Each family whose state changed is told once, whatever the number of events."""
    order = list(dict.fromkeys(e.person_id for e in events))
    by_person: dict[int, list[Inquiry]] = {}
    for start in range(0, len(order), 500):
        for inquiry in Inquiry.objects.filter(person_id__in=order[start:start + 500], state=InquiryState.LINKED):
            by_person.setdefault(inquiry.person_id, []).append(inquiry)
    changed: dict[str, list[int]] = {}
    pending: list[tuple[Notification, str]] = []
    from homecoming.exchanges.selectors import list_standing

    listed = [pid for pid in by_person if persons[pid].current_status == Status.ON_EXCHANGE_LIST]
    standing = list_standing(listed) if listed else {}
    for pid in order:
        for inquiry in by_person.get(pid, []):
            inquiry.person = persons[pid]
            state = family_state(inquiry, standing=standing.get(pid, ""))
            if news(inquiry.notified_state, state) is None or inquiry.state == InquiryState.CLOSED:
                continue
            changed.setdefault(state, []).append(inquiry.pk)
            pending += [(note, state) for note in _status_messages(inquiry, state, save_state=False)]
    for state, ids in changed.items():
        for start in range(0, len(ids), 500):
            Inquiry.objects.filter(pk__in=ids[start:start + 500]).update(notified_state=state)
    notes = Notification.objects.bulk_create([note for note, _state in pending], batch_size=500)
    record_many(PORTAL_ACTOR, [
        {"action": "notification.queue", "object_type": "inquiry", "object_id": note.inquiry_id,
         "details": {"notification": note.pk, "template": "status", "channel": note.channel, "state": state}}
        for note, state in pending
    ])
    for note in notes:
        transaction.on_commit(partial(_enqueue, note.pk))
    return notes


def deliver_notification(notification_id: int) -> str:
    """Try to hand one queued message to its channel; on failure count the attempt, keep the
    error and try again later, up to ``MAX_ATTEMPTS``. Returns the state."""
    with transaction.atomic():
        note = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if note is None or note.state != NotificationState.QUEUED:
            return note.state if note else "missing"
        note.attempts += 1
        try:
            get_channel(note.channel).send(note.recipient, note.subject, note.body)
        except Exception as exc:  # noqa: BLE001 - any failure of the channel is retried
            note.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            if note.attempts >= MAX_ATTEMPTS:
                note.state = NotificationState.FAILED
            else:
                transaction.on_commit(partial(_enqueue, note.pk, delay=dt.timedelta(minutes=2 ** note.attempts)))
        else:
            note.state = NotificationState.SENT
            note.sent_at = timezone.now()
            note.last_error = ""
        note.save(update_fields=["attempts", "last_error", "state", "sent_at"])
        if note.state != NotificationState.QUEUED:
            record(PORTAL_ACTOR, "notification.send", object_type="inquiry", object_id=note.inquiry_id,
                   details={"notification": note.pk, "template": note.template, "channel": note.channel,
                            "state": note.state, "attempts": note.attempts})
    return note.state


@transaction.atomic
def retry_notification(actor, notification_id: int, *, request=None) -> Notification:
    """A registrar sends a failed message again."""
    _require(actor, "families.change_inquiry")
    note = Notification.objects.select_for_update().filter(pk=notification_id).first()
    if note is None:
        raise ValidationError(_("No such message."))
    if note.state != NotificationState.FAILED or note.template == "filed":
        raise ValidationError(_("Only a failed status message can be sent again."))
    note.state = NotificationState.QUEUED
    note.attempts = 0
    note.save(update_fields=["state", "attempts"])
    record(actor, "notification.retry", object_type="inquiry", object_id=note.inquiry_id,
           details={"notification": note.pk}, request=request)
    transaction.on_commit(partial(_enqueue, note.pk))
    return note


# --- housekeeping -----------------------------------------------------------------------------

def requeue_stale_notifications(*, older_than: dt.timedelta = dt.timedelta(minutes=30)) -> int:
    """Queued messages whose delivery never started (a worker lost, an enqueue lost with a crash)
    are handed to the task queue again. Returns how many."""
    cutoff = timezone.now() - older_than
    ids = list(Notification.objects.filter(state=NotificationState.QUEUED, created_at__lt=cutoff)
               .values_list("pk", flat=True))
    for pk in ids:
        _enqueue(pk)
    return len(ids)


@transaction.atomic
def purge_portal_attempts(*, older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Failed portal attempts are needed only for the lock-out windows; older ones go."""
    deleted, _ = PortalAttempt.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    if deleted:
        record("housekeeping", "portal.attempts_purge", object_type="portalattempt", details={"deleted": deleted})
    return deleted
