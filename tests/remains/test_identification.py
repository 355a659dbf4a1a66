"""Identification: proposed by a forensic expert, confirmed by a registrar who is someone else; the
death goes through the status model; the family is told in person before the portal says anything."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from homecoming.common.confirm import ChangedSincePreview
from homecoming.families import services as family_services
from homecoming.registry import services as registry_services
from homecoming.registry.models import Person, StatusEvent
from homecoming.remains import services
from homecoming.remains.models import Identification, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(make_person):
    return make_person(birth_date="1995-04-02", incident_date="2025-02-20", incident_place="Synthetic village")


@pytest.fixture
def sample(expert, person):
    return services.add_reference_sample(
        expert, person.pk, donor_name="Synthetic Mother", relationship="mother", consent_purpose="identification",
        consent_on=dt.date(2025, 3, 1), barcode="UA-SYN-0001", collected_on=dt.date(2025, 3, 1))


@pytest.fixture
def proposed(expert, remains, person, sample):
    identification = services.open_identification(expert, remains.pk, person.pk, method="dna")
    with pytest.raises(ValidationError, match="kinship match report"):
        services.propose_identification(expert, identification.pk)
    services.add_kinship_report(expert, identification.pk, laboratory="Synthetic lab", report_reference="LR-1",
                                reported_on=dt.date(2025, 7, 1), likelihood_ratio="250000000",
                                sample_ids=[sample.pk])
    return services.propose_identification(expert, identification.pk, reasoning="DNA match with the mother")


def _confirm(actor, identification):
    identification = Identification.objects.get(pk=identification.pk)
    return services.confirm_identification(actor, identification.pk,
                                           fingerprint=services.confirmation_fingerprint(identification))


def test_confirmation_writes_the_death_through_the_status_model_and_tells_the_family_first(
        proposed, registrar, person, remains):
    identification = _confirm(registrar, proposed)
    person = Person.objects.get(pk=person.pk)
    assert person.current_status == "deceased" and person.current_status_date == remains.declared_date
    event = StatusEvent.objects.get(pk=identification.death_event_id)
    assert (event.managed_by, event.source.kind) == ("remains", "identified_remains")
    assert [t.kind for t in Task.objects.filter(identification=identification)] == ["tell_family", "hand_over",
                                                                                     "burial"]
    hand_over = Task.objects.get(identification=identification, kind="hand_over")
    with pytest.raises(ValidationError, match="told in person first"):
        services.complete_task(registrar, hand_over.pk, outcome="Handed over")


def test_the_proposer_can_never_confirm_even_with_both_roles(make_user, remains, person, sample):
    both = make_user("forensic_expert", "registrar")
    identification = services.open_identification(both, remains.pk, person.pk, method="documents")
    services.propose_identification(both, identification.pk)
    with pytest.raises(PermissionDenied, match="second person"):
        _confirm(both, identification)
    assert Identification.objects.get(pk=identification.pk).state == "preliminary"
    assert Person.objects.get(pk=person.pk).current_status == "missing"
    assert not StatusEvent.objects.filter(status="deceased").exists()


def test_a_forensic_expert_cannot_confirm_and_a_registrar_cannot_propose(proposed, make_user, remains, person):
    with pytest.raises(PermissionDenied):
        _confirm(make_user("forensic_expert"), proposed)
    with pytest.raises(PermissionDenied):
        services.open_identification(make_user("registrar"), remains.pk, person.pk, method="dental")
    assert Identification.objects.get(pk=proposed.pk).state == "preliminary"


def test_a_confirmation_against_an_old_preview_is_refused(proposed, registrar, expert):
    stale = services.confirmation_fingerprint(Identification.objects.get(pk=proposed.pk))
    services.add_kinship_report(expert, proposed.pk, laboratory="Second lab", report_reference="LR-2",
                                reported_on=dt.date(2025, 7, 5), probability="0.9999",
                                sample_ids=list(proposed.person.reference_samples.values_list("pk", flat=True)))
    with pytest.raises(ChangedSincePreview):
        services.confirm_identification(registrar, proposed.pk, fingerprint=stale)
    with pytest.raises(ChangedSincePreview):
        services.confirm_identification(registrar, proposed.pk, fingerprint=None)
    assert Identification.objects.get(pk=proposed.pk).state == "preliminary"


def test_one_confirmed_identification_per_remains_and_per_person(proposed, registrar, expert, transfer, person,
                                                                 make_person):
    other_remains = services.record_remains(expert, transfer.pk)
    second = services.open_identification(expert, other_remains.pk, person.pk, method="dental")
    _confirm(registrar, proposed)
    assert Identification.objects.get(pk=second.pk).state == "excluded"  # closed by the confirmation
    with pytest.raises(ValidationError, match="identified already"):
        services.open_identification(expert, other_remains.pk, person.pk, method="dental")
    with pytest.raises(ValidationError, match="identified already"):
        services.open_identification(expert, proposed.remains_id, make_person(last="Другенко").pk, method="dental")


def test_the_registrar_cannot_type_the_death_of_identified_remains_nor_correct_it(proposed, registrar, person):
    with pytest.raises(ValidationError, match="confirming the identification"):
        registry_services.add_status_event(registrar, person.pk, status="deceased", effective_date="2025-03-01",
                                           source_kind="identified_remains")
    identification = _confirm(registrar, proposed)
    with pytest.raises(ValidationError, match="identification of remains"):
        registry_services.add_status_event(registrar, person.pk, status="missing", effective_date="2025-03-01",
                                           source_kind="unit_report", corrects=identification.death_event_id,
                                           exception_reason="typed by hand")


CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _portal(reference, secret) -> str:
    client = Client()
    client.cookies["homecoming_language"] = "en"
    html = client.post("/family/", {"reference": reference, "code": secret}).content.decode()
    return CSRF_RE.sub("", html)


def test_the_portal_shows_nothing_new_until_the_family_is_told_and_nothing_about_remains_ever(
        proposed, registrar, person, remains, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    filed = family_services.file_inquiry(None, {
        "last_name": "Тестенко", "first_name": "Арсеній", "patronymic": "Вигаданович", "birth_date": "1995",
        "service_number": "", "unit": "", "incident_date": "2025-02-20", "incident_place": "", "circumstances": "",
        "inquirer_name": "Олена Тестенко", "relation": "mother", "phone": "+380501112233",
        "email": "family@example.org", "language": "en", "consent": True})
    family_services.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    before = _portal(filed.inquiry.reference, filed.secret)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        identification = _confirm(registrar, proposed)
    after = _portal(filed.inquiry.reference, filed.secret)
    assert after == before  # not even "please contact us": a person tells them first
    assert mail.outbox == []
    tell = Task.objects.get(identification=identification, kind="tell_family")
    with pytest.raises(PermissionDenied):
        services.complete_task(proposed.proposed_by, tell.pk, outcome="Visited")
    services.complete_task(registrar, tell.pk, outcome="The family was visited at home on 2025-07-10")
    told = _portal(filed.inquiry.reference, filed.secret)
    assert "We share your grief" in told and mail.outbox == []
    for html in (before, after, told):
        for text in (remains.case_number, "remains", "Remains", "identif", "Synthetic lab", "UA-SYN-0001", "LR-1"):
            assert text not in html


def test_remains_are_never_identified_as_a_person_the_register_knows_came_home(expert, registrar, remains, proposed,
                                                                                person, make_person):
    # opening: a person recorded as returned home is not a candidate identity
    home = make_person("Повернений", status="returned", status_date=dt.date(2025, 5, 1))
    with pytest.raises(ValidationError, match="came home"):
        services.open_identification(expert, remains.pk, home.pk, method="documents")
    assert not Identification.objects.filter(person=home).exists()
    # confirming: the register learnt of the return after the proposal (the stateful test found this: the
    # portal showed "returned" to a family whose relative the register then held dead)
    registry_services.add_status_event(registrar, person.pk, status="returned", effective_date=dt.date(2025, 6, 1),
                                       source_kind="unit_report", source_reference="synthetic return")
    with pytest.raises(ValidationError, match="came home"):
        _confirm(registrar, proposed)
    proposed.refresh_from_db()
    assert proposed.state == "preliminary" and not Task.objects.exists()
    assert Person.objects.get(pk=person.pk).current_status == "returned"


def test_the_register_keeps_an_identified_person_dead_until_the_identification_is_reversed(proposed, registrar,
                                                                                          person):
    # the stateful test found a registrar's later "found" leaving a confirmed identification of a living person
    _confirm(registrar, proposed)
    with pytest.raises(ValidationError, match="reverse the identification"):
        registry_services.add_status_event(registrar, person.pk, status="found", effective_date=dt.date(2026, 9, 15),
                                           source_kind="unit_report", source_reference="synthetic report",
                                           exception_reason="The unit reports him alive")
    person = Person.objects.get(pk=person.pk)
    assert person.current_status == "deceased" and not person.status_events.filter(status="found").exists()
