"""The remains pages: forensic expert and registrar, both languages, bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from homecoming.audit.models import AuditEvent
from homecoming.registry.models import Person
from homecoming.remains import services
from homecoming.remains.models import Identification, Transfer

pytestmark = pytest.mark.django_db


def _client(user, lang="en"):
    c = Client()
    c.force_login(user)
    c.cookies["homecoming_language"] = lang
    return c


def test_a_transfer_with_an_unexplained_discrepancy_is_refused_in_the_pages_language(expert):
    data = {"received_on": "2025-06-14", "place": "Synthetic crossing", "declared_count": "10",
            "received_count": "9", "documents": "", "discrepancy_note": ""}
    response = _client(expert, "uk").post("/remains/", data)
    assert response.status_code == 400 and "поясніть розбіжність" in response.content.decode()
    assert not Transfer.objects.exists()
    response = _client(expert).post("/remains/", {**data, "discrepancy_note": "One held back"})
    assert response.status_code == 302 and Transfer.objects.get().discrepancy == 1


def test_the_remains_page_shows_candidates_with_evidence_and_audits_them(expert, remains, make_person):
    person = make_person(birth_date="1995-04-02", incident_date="2025-02-20", incident_place="Synthetic village")
    services.record_ante_mortem(expert, person.pk, source="family", collected_on=dt.date(2025, 1, 5),
                                height_min_cm=178, height_max_cm=182, hair="brown")
    html = _client(expert).get(f"/remains/{remains.pk}/").content.decode()
    assert person.reference in html and "the ranges overlap" in html and "the same place" in html
    read = AuditEvent.objects.get(action="remains.candidates")
    assert str(person.pk) in read.details["ids"]
    uk = _client(expert, "uk").get(f"/remains/{remains.pk}/").content.decode()
    assert "діапазони перетинаються" in uk


def test_the_person_section_says_which_samples_are_missing(expert, make_person):
    person = make_person()
    html = _client(expert).get(f"/remains/persons/{person.pk}/").content.decode()
    assert "Not enough for kinship testing" in html and "Father; Mother" in html
    assert AuditEvent.objects.filter(action="person.forensic_view", object_id=str(person.pk)).exists()


def test_a_registrar_confirms_on_the_page_and_other_staff_read_nothing(expert, registrar, remains, make_person,
                                                                        make_user):
    person = make_person()
    identification = services.open_identification(expert, remains.pk, person.pk, method="documents")
    services.propose_identification(expert, identification.pk)
    page = _client(registrar).get(f"/remains/identifications/{identification.pk}/")
    assert page.status_code == 200 and "Confirm the identification" in page.content.decode()
    fingerprint = page.context["fingerprint"]
    for role in ("case_worker", "analyst", "medical_officer", "negotiator"):
        c = _client(make_user(role))
        assert c.get(f"/remains/{remains.pk}/").status_code == 403
        assert c.get(f"/remains/identifications/{identification.pk}/").status_code == 403
    assert _client(registrar).get(f"/remains/{remains.pk}/").status_code == 403
    _client(registrar).post(f"/remains/identifications/{identification.pk}/confirm/", {"fingerprint": "stale"})
    assert Identification.objects.get(pk=identification.pk).state == "preliminary"
    _client(registrar).post(f"/remains/identifications/{identification.pk}/confirm/", {"fingerprint": fingerprint})
    assert Identification.objects.get(pk=identification.pk).state == "confirmed"
    assert Person.objects.get(pk=person.pk).current_status == "deceased"


def test_the_hand_over_is_recorded_on_the_page_with_its_day_and_recipient(expert, registrar, remains, make_person):
    from homecoming.remains.models import Task

    person = make_person()
    identification = services.open_identification(expert, remains.pk, person.pk, method="documents")
    services.propose_identification(expert, identification.pk)
    identification.refresh_from_db()
    services.confirm_identification(registrar, identification.pk,
                                    fingerprint=services.confirmation_fingerprint(identification))
    tell, hand_over = (Task.objects.get(identification=identification, kind=k) for k in ("tell_family", "hand_over"))
    c = _client(registrar, "uk")
    page = c.get(f"/remains/identifications/{identification.pk}/").content.decode()
    assert f'id="recipient-{hand_over.pk}"' in page and "Кому передано" in page
    c.post(f"/remains/tasks/{tell.pk}/done/", {"outcome": "Повідомлено особисто"})
    c.post(f"/remains/tasks/{hand_over.pk}/done/", {"outcome": "Передано", "happened_on": "not a date",
                                                     "recipient": "Мати"})
    assert Task.objects.get(pk=hand_over.pk).state == "open"  # bad input changes nothing
    today = dt.date.today().isoformat()
    c.post(f"/remains/tasks/{hand_over.pk}/done/", {"outcome": "Передано", "happened_on": today, "recipient": "Мати"})
    done = Task.objects.get(pk=hand_over.pk)
    assert (done.state, done.happened_on.isoformat(), done.recipient) == ("done", today, "Мати")


def test_a_reversal_is_proposed_and_carried_out_on_the_page_by_two_people(expert, registrar, remains, make_person,
                                                                          make_user):
    person = make_person()
    identification = services.open_identification(expert, remains.pk, person.pk, method="documents")
    services.propose_identification(expert, identification.pk)
    identification.refresh_from_db()
    services.confirm_identification(registrar, identification.pk,
                                    fingerprint=services.confirmation_fingerprint(identification))
    url = f"/remains/identifications/{identification.pk}/"
    assert _client(registrar).post(url + "propose-reversal/", {"reason": "x"}).status_code == 403
    _client(expert).post(url + "propose-reversal/", {"reason": " "})
    assert Identification.objects.get(pk=identification.pk).reversal_proposed_at is None  # no reason, no change
    _client(expert, "uk").post(url + "propose-reversal/", {"reason": "Результат ДНК LR-9 виключає матір"})
    page = _client(registrar, "uk").get(url)
    assert "Скасувати ідентифікацію" in page.content.decode()
    assert _client(expert).post(url + "reverse/", {"fingerprint": page.context["reversal_fingerprint"]}) \
        .status_code == 403
    _client(registrar).post(url + "reverse/", {"fingerprint": "stale"})
    assert Identification.objects.get(pk=identification.pk).state == "confirmed"
    _client(registrar).post(url + "reverse/", {"fingerprint": page.context["reversal_fingerprint"]})
    assert Identification.objects.get(pk=identification.pk).state == "reversed"
    assert Person.objects.get(pk=person.pk).current_status == "missing"


def test_one_person_cannot_take_both_steps_on_the_page_and_is_told_so(remains, make_person, make_user):
    both = make_user("forensic_expert", "registrar")
    person = make_person()
    identification = services.open_identification(both, remains.pk, person.pk, method="documents")
    proposed = services.propose_identification(both, identification.pk)
    client = _client(both)
    response = client.post(f"/remains/identifications/{identification.pk}/confirm/",
                           {"fingerprint": services.confirmation_fingerprint(proposed)}, follow=True)
    assert response.status_code == 200 and "cannot confirm it" in response.content.decode()
    identification.refresh_from_db()
    assert identification.state == "preliminary" and not identification.tasks.exists()
