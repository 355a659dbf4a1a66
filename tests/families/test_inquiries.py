"""Filing an inquiry, secret handling, bad input, linking and merges."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from homecoming.audit.models import AuditEvent
from homecoming.families import services
from homecoming.families.models import Inquiry, InquiryState, Notification
from homecoming.registry import services as registry_services
from homecoming.registry.models import Person

from .conftest import inquiry_data


def test_filing_gives_reference_and_code_and_keeps_only_a_hash(file_inquiry, caplog):
    caplog.set_level(logging.DEBUG)
    filed = file_inquiry()
    inquiry = Inquiry.objects.get()
    assert inquiry.reference == filed.inquiry.reference and inquiry.reference.startswith("INQ-")
    compact = filed.secret.replace("-", "")
    for value in Inquiry.objects.values().get().values():
        assert filed.secret not in str(value) and compact not in str(value)
    assert inquiry.birth_date == dt.date(1995, 1, 1) and inquiry.birth_date_precision == "year"
    # The code is in the e-mail to the family, but not in the record of what was sent, the audit or the log.
    assert filed.emailed and len(mail.outbox) == 1 and filed.secret in mail.outbox[0].body
    assert mail.outbox[0].to == ["family@example.org"]
    note = Notification.objects.get()
    assert note.state == "sent" and filed.secret not in note.body and services.REDACTED_CODE in note.body
    for event in AuditEvent.objects.all():
        assert filed.secret not in str(event.details) and compact not in str(event.details)
    assert filed.secret not in caplog.text and compact not in caplog.text
    assert AuditEvent.objects.filter(action="inquiry.file", object_id=str(inquiry.pk)).exists()


def test_without_email_nothing_is_sent(file_inquiry):
    filed = file_inquiry(email="")
    assert not filed.emailed and mail.outbox == [] and not Notification.objects.exists()


def test_a_failing_mail_server_does_not_lose_the_inquiry(file_inquiry, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    filed = file_inquiry()
    assert not filed.emailed
    note = Notification.objects.get()
    assert note.state == "failed" and filed.secret not in note.body and note.last_error
    assert Inquiry.objects.filter(pk=filed.inquiry.pk).exists()


@pytest.mark.parametrize("field, value, words", [
    ("last_name", "", "required"),
    ("first_name", "   ", "required"),
    ("last_name", "Тест3нко", "digits"),
    ("last_name", "Т" * 101, "100"),
    ("birth_date", "31.02.1990", "17.05.1990"),
    ("birth_date", "someday", "17.05.1990"),
    ("birth_date", "2999", "future"),
    ("incident_date", "2023-13-01", "YYYY-MM-DD"),
    ("incident_date", "2010-01-01", "2014"),
    ("inquirer_name", "", "required"),
    ("relation", "cousin-twice-removed", "related"),
    ("phone", "call me", "digits"),
    ("email", "not-an-address", "e-mail"),
    ("language", "de", "Ukrainian"),
    ("consent", False, "consent"),
    ("circumstances", "x" * 2001, "2000"),
])
def test_bad_input_names_the_field_and_changes_nothing(file_inquiry, field, value, words):
    before = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        file_inquiry(**{field: value})
    assert field in exc.value.message_dict
    assert words.lower() in " ".join(exc.value.message_dict[field]).lower()
    assert not Inquiry.objects.exists() and AuditEvent.objects.count() == before and mail.outbox == []


def test_a_contact_is_required(file_inquiry):
    with pytest.raises(ValidationError) as exc:
        file_inquiry(phone="", email="")
    assert "phone" in exc.value.message_dict and not Inquiry.objects.exists()


def test_staff_filing_needs_the_permission(make_user):
    analyst = make_user("analyst")
    with pytest.raises(PermissionDenied):
        services.file_inquiry(analyst, inquiry_data(), via="staff")
    assert not Inquiry.objects.exists()
    registrar = make_user("registrar")
    filed = services.file_inquiry(registrar, inquiry_data(), via="staff")
    assert filed.inquiry.filed_by == registrar and filed.inquiry.filed_via == "staff"


def test_link_and_create_person(file_inquiry, make_person, registrar, make_user):
    person = make_person()
    filed = file_inquiry()
    with pytest.raises(PermissionDenied):
        services.link_inquiry(make_user("case_worker"), filed.inquiry.pk, person.pk)
    with pytest.raises(ValidationError):
        services.link_inquiry(registrar, filed.inquiry.pk, 999999)
    inquiry = services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    assert inquiry.person == person and inquiry.state == InquiryState.LINKED
    other = file_inquiry(last_name="Вигаданий", first_name="Богдан", birth_date="1999-02-03")
    created = services.create_person_for_inquiry(registrar, other.inquiry.pk)
    assert created.last_name == "Вигаданий" and created.birth_date == dt.date(1999, 2, 3)
    assert created.current_status == "missing"
    assert created.status_events.get().source.reference == other.inquiry.reference
    assert other.secret not in created.family_contacts
    assert Inquiry.objects.get(pk=other.inquiry.pk).person == created


def test_linkage_proposes_the_person_across_scripts(file_inquiry, make_person):
    from homecoming.families.selectors import linkage_proposals

    target = make_person(birth_date="1995-03-04", birth_date_precision="day")
    make_person("Іншенко", "Арсеній", "Петрович", birth_date="1970-01-01")
    filed = file_inquiry(last_name="Тестенко", first_name="Арсений", patronymic="", birth_date="04.03.1995")
    decision, proposals = linkage_proposals(filed.inquiry)
    assert decision in ("match", "review")
    assert proposals[0].person == target and proposals[0].candidate.explanation
    assert all(p.person.last_name != "Іншенко" for p in proposals)


def test_a_merge_moves_inquiries_and_its_undo_moves_them_back(file_inquiry, make_person, make_user, registrar):
    survivor, duplicate = make_person(), make_person(birth_date="1995-03-04")
    filed = file_inquiry()
    services.link_inquiry(registrar, filed.inquiry.pk, duplicate.pk)
    merge = registry_services.merge_persons(registrar, survivor.pk, duplicate.pk)
    assert Inquiry.objects.get().person_id == survivor.pk
    registry_services.undo_merge(registrar, merge.pk)
    assert Inquiry.objects.get().person_id == duplicate.pk


def test_unlink_and_close(file_inquiry, make_person, registrar):
    person = make_person()
    filed = file_inquiry()
    services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    inquiry = services.unlink_inquiry(registrar, filed.inquiry.pk)
    assert inquiry.person is None and inquiry.state == InquiryState.NEW
    with pytest.raises(ValidationError):
        services.unlink_inquiry(registrar, filed.inquiry.pk)
    services.close_inquiry(registrar, filed.inquiry.pk)
    with pytest.raises(ValidationError):
        services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    assert Person.objects.count() == 1
