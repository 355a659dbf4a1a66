"""Remains and identification through the API (/api/v1/remains/...): the forensic expert's work
from a transfer to a proposed identification, a registrar's confirmation against the fingerprint,
who may call what (forensic data for forensic experts only, identifications also for registrars,
nothing for anyone else or a family), every read audited, bad input refused with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from homecoming.audit.models import AuditEvent
from homecoming.registry import services as registry
from homecoming.remains import services as forensic
from homecoming.remains.models import Identification, Mark, Remains, Task, Transfer

ROLES = ("registrar", "analyst", "negotiator", "medical_officer", "case_worker", "finance_officer", "administrator",
         "leadership")


@pytest.fixture
def api_as(make_user):
    def _api(*roles, user=None):
        api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        api.user = user or make_user(*roles)
        api.force_authenticate(api.user)
        return api

    return _api


@pytest.fixture
def expert_api(api_as):
    return api_as("forensic_expert")


@pytest.fixture
def registrar_api(api_as):
    return api_as("registrar")


@pytest.fixture
def missing(make_user):
    registrar = make_user("registrar")
    return registry.create_person(registrar, {
        "last_name": "Тестенко", "first_name": "Арсеній", "patronymic": "Вигаданович", "sex": "male",
        "birth_date": "1995-04-02", "incident_place": "Синтетичне", "incident_date": "2024-11-02"},
        initial_event={"status": "missing", "effective_date": dt.date(2024, 11, 2), "source_kind": "unit_report",
                       "source_reference": "synthetic unit report"})


def _url(name, *args):
    return reverse(f"api:{name}", args=args)


def _events(action):
    return AuditEvent.objects.filter(action=action)


@pytest.mark.django_db
def test_forensic_expert_works_from_a_transfer_to_a_confirmed_identification(expert_api, registrar_api, missing):
    # a transfer, remains with a mark and a document bearing the name in Russian
    r = expert_api.post(_url("remains-transfer-list"), {"received_on": "2025-06-14", "place": "Синтетичний пункт",
                                                        "declared_count": 2, "received_count": 2}, format="json")
    assert r.status_code == 201, r.json()
    transfer = r.json()
    assert transfer["reference"].startswith("TR-") and transfer["remains_recorded"] == 0
    r = expert_api.post(_url("remains-transfer-remains", transfer["id"]), {
        "sex": "male", "age_min": 25, "age_max": 35, "height_min_cm": 175, "height_max_cm": 185,
        "declared_place": "Синтетичне", "declared_date": "2025-03-01"}, format="json")
    assert r.status_code == 201, r.json()
    remains = r.json()
    assert remains["case_number"] == f"{transfer['reference']}-0001"
    assert expert_api.post(_url("remains-marks", remains["id"]), {"kind": "tattoo", "location": "left_arm",
                                                                  "description": "якір"},
                           format="json").status_code == 201
    assert expert_api.post(_url("remains-effects", remains["id"]), {
        "kind": "military_id", "description": "жетон", "name_as_found": "Тестенко Арсений Выдуманович"},
        format="json").status_code == 201
    detail = expert_api.get(_url("remains-detail", remains["id"])).json()
    assert [m["kind"] for m in detail["marks"]] == ["tattoo"]
    assert detail["effects"][0]["name_as_found"] == "Тестенко Арсений Выдуманович"

    # ante-mortem data and references: not enough with the mother alone, enough with both parents
    r = expert_api.put(_url("remains-ante-mortem", missing.pk), {"source": "family", "collected_on": "2025-01-10",
                                                                 "height_min_cm": 178, "height_max_cm": 182},
                       format="json")
    assert r.status_code == 200, r.json()
    assert expert_api.post(_url("remains-ante-mortem-marks", missing.pk), {"kind": "tattoo", "location": "left_arm"},
                           format="json").status_code == 201
    sample = {"consent_purpose": "identification", "consent_on": "2025-01-05", "collected_on": "2025-01-05"}
    r = expert_api.post(_url("remains-samples", missing.pk), {**sample, "donor_name": "Ганна Тестенко",
                                                              "relationship": "mother", "barcode": "ua-t-0001"},
                        format="json")
    assert r.status_code == 201 and r.json()["barcode"] == "UA-T-0001"
    section = expert_api.get(_url("remains-person", missing.pk)).json()
    assert section["sufficiency"]["enough"] is False
    assert ["father"] in section["sufficiency"]["ask_for"]
    assert "Not enough" in section["sufficiency"]["message"]
    expert_api.post(_url("remains-samples", missing.pk), {**sample, "donor_name": "Петро Тестенко",
                                                          "relationship": "father", "barcode": "UA-T-0002"},
                    format="json")
    section = expert_api.get(_url("remains-person", missing.pk)).json()
    assert section["sufficiency"] | {"message": ""} == {"enough": True, "rule": "both_parents", "ask_for": [],
                                                         "message": ""}
    assert section["ante_mortem"]["marks"][0]["location"] == "left_arm"

    # the candidates: the person first, with the evidence field by field (weights are counted in the
    # register, so it holds others missing too: in a register of one, every share is the person's own)
    for i, (last, first) in enumerate([("Вигаденко", "Павло"), ("Синтетичний", "Олег"), ("Умовний", "Ігор"),
                                       ("Зразковий", "Тарас"), ("Пробний", "Денис")]):
        registry.create_person(registrar_api.user, {
            "last_name": last, "first_name": first, "sex": "male", "birth_date": f"199{i}-01-0{i + 1}",
            "incident_place": "Інше", "incident_date": "2024-10-01"},
            initial_event={"status": "missing", "effective_date": dt.date(2024, 10, 1), "source_kind": "unit_report",
                           "source_reference": "synthetic unit report"})
    r = expert_api.get(_url("remains-candidates", remains["id"]))
    assert r.status_code == 200
    first = r.json()["results"][0]
    assert first["person"] == missing.pk and first["rank"] == 1
    fields = {e["field"]: e for e in first["evidence"]}
    assert fields["mark"]["weight"] > 0 and fields["documents"]["weight"] > 0
    assert fields["sex"]["label"] == "Sex" and fields["mark"]["reason"]

    # open, propose; the registrar reads it with its fingerprint and confirms it
    r = expert_api.post(_url("remains-identification-list"), {"remains": remains["id"], "person": missing.pk,
                                                              "method": "documents", "reasoning": "жетон"},
                        format="json")
    assert r.status_code == 201, r.json()
    ident = r.json()
    assert ident["state"] == "pending" and ident["fingerprint"] is None
    r = expert_api.post(_url("remains-identification-propose", ident["id"]), {}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "preliminary"
    listed = registrar_api.get(_url("remains-identification-list") + "?state=preliminary").json()
    assert [i["id"] for i in listed["results"]] == [ident["id"]]
    read = registrar_api.get(_url("remains-identification-detail", ident["id"])).json()
    assert read["date_of_death"] == "2025-03-01" and read["fingerprint"]
    r = registrar_api.post(_url("remains-identification-confirm", ident["id"]),
                           {"fingerprint": read["fingerprint"]}, format="json")
    assert r.status_code == 200, r.json()
    confirmed = r.json()
    assert confirmed["state"] == "confirmed" and confirmed["confirmed_by"] == registrar_api.user.username
    assert [t["kind"] for t in confirmed["tasks"]][0] == "tell_family"
    missing.refresh_from_db()
    assert missing.current_status == "deceased"


@pytest.fixture
def proposed(expert, missing):
    transfer = forensic.record_transfer(expert, received_on=dt.date(2025, 6, 14), place="Синтетичний пункт",
                                        declared_count=2, received_count=2)
    remains = forensic.record_remains(expert, transfer.pk, sex="male", declared_date=dt.date(2025, 3, 1))
    opened = forensic.open_identification(expert, remains.pk, missing.pk, method="documents")
    return forensic.propose_identification(expert, opened.pk)


@pytest.fixture
def expert(make_user):
    return make_user("forensic_expert")


@pytest.mark.django_db
def test_a_confirmation_against_an_old_fingerprint_is_a_conflict_and_changes_nothing(registrar_api, expert,
                                                                                     proposed, missing):
    read = registrar_api.get(_url("remains-identification-detail", proposed.pk)).json()
    forensic.update_remains(expert, proposed.remains_id, declared_date=dt.date(2025, 2, 1))  # the date of death
    r = registrar_api.post(_url("remains-identification-confirm", proposed.pk), {"fingerprint": read["fingerprint"]},
                           format="json")
    assert r.status_code == 409
    assert r.json()["detail"]
    proposed.refresh_from_db()
    missing.refresh_from_db()
    assert proposed.state == "preliminary" and missing.current_status == "missing"
    assert not Task.objects.exists()


@pytest.mark.django_db
def test_the_proposer_cannot_confirm_even_holding_both_roles(api_as, make_user, missing):
    both = make_user("forensic_expert", "registrar")
    api = api_as(user=both)
    transfer = forensic.record_transfer(both, received_on=dt.date(2025, 6, 14), place="Синтетичний пункт",
                                        declared_count=1, received_count=1)
    remains = forensic.record_remains(both, transfer.pk, sex="male")
    ident = forensic.open_identification(both, remains.pk, missing.pk, method="documents")
    forensic.propose_identification(both, ident.pk)
    fingerprint = api.get(_url("remains-identification-detail", ident.pk)).json()["fingerprint"]
    r = api.post(_url("remains-identification-confirm", ident.pk), {"fingerprint": fingerprint}, format="json")
    assert r.status_code == 403
    assert "second person" in r.json()["detail"]
    ident.refresh_from_db()
    assert ident.state == "preliminary" and ident.confirmed_by is None


@pytest.mark.django_db
def test_a_forensic_expert_may_not_confirm(expert_api, proposed):
    r = expert_api.post(_url("remains-identification-confirm", proposed.pk), {"fingerprint": "x"}, format="json")
    assert r.status_code == 403
    proposed.refresh_from_db()
    assert proposed.state == "preliminary"


def _forensic_calls(o):
    """(method, url) of every forensic endpoint, on records that exist."""
    return [
        ("get", _url("remains-transfer-list")), ("post", _url("remains-transfer-list")),
        ("get", _url("remains-transfer-detail", o["transfer"])),
        ("patch", _url("remains-transfer-detail", o["transfer"])),
        ("get", _url("remains-transfer-remains", o["transfer"])),
        ("post", _url("remains-transfer-remains", o["transfer"])),
        ("get", _url("remains-detail", o["remains"])), ("patch", _url("remains-detail", o["remains"])),
        ("post", _url("remains-marks", o["remains"])), ("post", _url("remains-effects", o["remains"])),
        ("get", _url("remains-candidates", o["remains"])),
        ("get", _url("remains-person", o["person"])), ("put", _url("remains-ante-mortem", o["person"])),
        ("post", _url("remains-ante-mortem-marks", o["person"])), ("post", _url("remains-samples", o["person"])),
        ("patch", _url("remains-sample", o["sample"])),
        ("post", _url("remains-identification-list")),
        ("post", _url("remains-identification-kinship-reports", o["identification"])),
        ("post", _url("remains-identification-propose", o["identification"])),
        ("post", _url("remains-identification-exclude", o["identification"])),
    ]


@pytest.fixture
def world(expert, proposed, missing):
    sample = forensic.add_reference_sample(expert, missing.pk, donor_name="Ганна Тестенко", relationship="mother",
                                           consent_purpose="identification", consent_on=dt.date(2025, 1, 5),
                                           barcode="UA-T-0009", collected_on=dt.date(2025, 1, 5))
    return {"transfer": proposed.remains.transfer_id, "remains": proposed.remains_id, "person": missing.pk,
            "sample": sample.pk, "identification": proposed.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_other_role_reads_or_writes_forensic_data(api_as, world, role):
    api = api_as(role)
    before = (Transfer.objects.count(), Remains.objects.count(), Mark.objects.count(), Identification.objects.count())
    for method, url in _forensic_calls(world):
        r = getattr(api, method)(url, {}, format="json")
        assert r.status_code == 403, (role, method, url, r.status_code)
        assert "Тестенко" not in r.content.decode()
    # a record that does not exist answers the same: nothing to learn about which ids exist
    assert api.get(_url("remains-detail", 999999)).status_code == 403
    assert before == (Transfer.objects.count(), Remains.objects.count(), Mark.objects.count(),
                      Identification.objects.count())
    readers = role == "registrar"
    assert api.get(_url("remains-identification-list")).status_code == (200 if readers else 403)
    assert api.get(_url("remains-identification-detail", world["identification"])).status_code == \
        (200 if readers else 403)
    confirm = api.post(_url("remains-identification-confirm", world["identification"]), {"fingerprint": "x"},
                       format="json")
    assert confirm.status_code == (409 if readers else 403)


@pytest.mark.django_db
def test_nothing_for_an_anonymous_visitor_or_a_family(world):
    """A family has no account: the portal is public and has no API. Every remains endpoint refuses
    an anonymous caller and says nothing about the person."""
    api = APIClient()
    calls = [*_forensic_calls(world), ("get", _url("remains-identification-list")),
             ("get", _url("remains-identification-detail", world["identification"])),
             ("post", _url("remains-identification-confirm", world["identification"]))]
    for method, url in calls:
        r = getattr(api, method)(url, {}, format="json")
        assert r.status_code in (401, 403), (method, url)
        assert "Тестенко" not in r.content.decode()


@pytest.mark.django_db
def test_every_read_is_audited(expert_api, registrar_api, world):
    checks = [
        (expert_api, _url("remains-transfer-list"), "transfer.list"),
        (expert_api, _url("remains-transfer-detail", world["transfer"]), "transfer.view"),
        (expert_api, _url("remains-transfer-remains", world["transfer"]), "remains.list"),
        (expert_api, _url("remains-detail", world["remains"]), "remains.view"),
        (expert_api, _url("remains-candidates", world["remains"]), "remains.candidates"),
        (expert_api, _url("remains-person", world["person"]), "person.forensic_view"),
        (registrar_api, _url("remains-identification-list"), "identification.list"),
        (registrar_api, _url("remains-identification-detail", world["identification"]), "identification.view"),
    ]
    for api, url, action in checks:
        before = _events(action).count()
        assert api.get(url).status_code == 200, url
        assert _events(action).filter(actor=api.user).count() == before + 1, (url, action)
    candidates = _events("remains.candidates").latest("id")
    assert str(world["person"]) in candidates.details["ids"]
    # the persons the remains' identifications name are in the audit of the remains read
    expert_api.get(_url("remains-detail", world["remains"]))
    assert _events("remains.view").latest("id").details["persons"] == [world["person"]]
    assert _events("remains.list").latest("id").details["persons"] == [world["person"]]


@pytest.mark.django_db
def test_bad_input_is_refused_by_field_and_changes_nothing(expert_api, world):
    before = Transfer.objects.count()
    r = expert_api.post(_url("remains-transfer-list"), {"received_on": "2025-06-14", "place": "Пункт",
                                                        "declared_count": 5, "received_count": 3}, format="json")
    assert r.status_code == 400
    assert "discrepancy_note" in r.json()["errors"]
    r = expert_api.post(_url("remains-transfer-list"), {"received_on": "2025-06-14", "place": 5,
                                                        "declared_count": 1, "received_count": 1}, format="json")
    assert set(r.json()["errors"]) == {"place"}
    r = expert_api.post(_url("remains-transfer-list"), {"received_on": "2025-06-14", "place": "Пункт",
                                                        "declared_count": 1, "received_count": 1, "colour": "red"},
                        format="json")
    assert set(r.json()["errors"]) == {"colour"}
    assert Transfer.objects.count() == before
    r = expert_api.patch(_url("remains-detail", world["remains"]), {"age_min": 40, "age_max": 30}, format="json")
    assert r.status_code == 400
    assert Remains.objects.get(pk=world["remains"]).age_min is None
    assert expert_api.get(_url("remains-candidates", world["remains"]) + "?limit=500").status_code == 400
    assert expert_api.get(_url("remains-identification-list") + "?state=nonsense").status_code == 400
    # excluding needs a reason; a DNA identification is proposed only with a kinship report
    r = expert_api.post(_url("remains-identification-exclude", world["identification"]), {}, format="json")
    assert r.status_code == 400 and "reasoning" in r.json()["errors"]
    assert Identification.objects.get(pk=world["identification"]).state == "preliminary"


@pytest.mark.django_db
def test_a_dna_identification_needs_a_kinship_report_of_the_persons_own_samples(expert_api, expert, world, make_user):
    transfer = forensic.record_transfer(expert, received_on=dt.date(2025, 6, 14), place="Синтетичний пункт",
                                        declared_count=1, received_count=1)
    remains = forensic.record_remains(expert, transfer.pk, sex="male")
    ident = expert_api.post(_url("remains-identification-list"), {"remains": remains.pk, "person": world["person"],
                                                                  "method": "dna"}, format="json").json()
    r = expert_api.post(_url("remains-identification-propose", ident["id"]), {}, format="json")
    assert r.status_code == 400
    report = {"laboratory": "Синтетична лабораторія", "report_reference": "KR-7", "reported_on": "2025-07-01",
              "probability": "0.9999990000"}
    r = expert_api.post(_url("remains-identification-kinship-reports", ident["id"]),
                        {**report, "samples": [world["sample"] + 1000]}, format="json")
    assert r.status_code == 400 and "samples" in r.json()["errors"]
    r = expert_api.post(_url("remains-identification-kinship-reports", ident["id"]),
                        {**report, "samples": [world["sample"]]}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["samples"] == [world["sample"]]
    r = expert_api.post(_url("remains-identification-propose", ident["id"]), {}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "preliminary"
    assert r.json()["kinship_reports"][0]["report_reference"] == "KR-7"
