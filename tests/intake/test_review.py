"""Review decisions: accept, reject, another person, create; accept all automatic matches; two
reviewers at once (one wins, the other is told, nothing doubled)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.intake import services
from homecoming.intake.models import IncomingList, ListRow, RowState
from homecoming.registry.models import Person, StatusEvent
from homecoming.registry.services import merge_persons, undo_merge

from .conftest import csv_bytes, russian, synthetic_people


def _list_rows(people):
    rows = [["Фамилия", "Имя", "Отчество", "Дата рождения"]]
    for p in people:
        rows.append([russian(p["last_name"]), russian(p["first_name"]), russian(p["patronymic"]),
                     p["birth_date"].strftime("%d.%m.%Y")])
    return rows


@pytest.fixture
def imported(analyst, register):
    """(list, persons): a register of 30 and a list of the first 8, in Russian, plus one stranger."""
    people = synthetic_people(30, seed=5)
    persons = register(people)
    extra = {"last_name": "Зозуля", "first_name": "Остап", "patronymic": "Тарасович",
             "birth_date": dt.date(2001, 3, 4)}
    job = services.stage_upload(analyst, content=csv_bytes(_list_rows(people[:8] + [extra]), encoding="cp1251",
                                                           delimiter=";"),
                                filename="l.csv", kind="list", source_kind="other_side_list",
                                source_reference="handed over by the mediator", list_date=dt.date(2025, 6, 7))
    services.choose_encoding(analyst, job.pk, "cp1251")
    job = services.start_import(analyst, job.pk)
    return job.incoming_list, persons


pytestmark = pytest.mark.django_db


def test_accept_records_the_status_with_its_source_and_keeps_the_raw_row(analyst, imported):
    lst, persons = imported
    row = lst.rows.get(row_number=2)
    row = services.decide_row(analyst, row.pk, action="accept", version=row.version,
                              person_id=row.candidates[0]["person_id"])
    assert row.state == RowState.ACCEPTED and row.person == persons[0]
    ev = row.status_event
    assert ev.status == "captivity_confirmed" and ev.effective_date == dt.date(2025, 6, 7)
    assert ev.source.kind == "other_side_list"
    assert "2025-06-07" in ev.source.reference and "row 2" in ev.source.reference
    assert russian(persons[0].last_name) in ev.note
    persons[0].refresh_from_db()
    assert persons[0].current_status == "captivity_confirmed"
    assert row.raw["Фамилия"] == russian(persons[0].last_name)
    assert AuditEvent.objects.filter(action="intake.row_accept", object_id=str(row.pk)).exists()


def test_reject_and_pick_another_and_create(analyst, registrar, imported, make_user):
    lst, persons = imported
    r2, r3, r10 = (lst.rows.get(row_number=n) for n in (2, 3, 10))
    services.decide_row(analyst, r2.pk, action="reject", version=r2.version)
    assert ListRow.objects.get(pk=r2.pk).state == RowState.REJECTED
    assert not StatusEvent.objects.filter(status="captivity_confirmed").exists()
    row = services.decide_row(analyst, r3.pk, action="accept", version=r3.version, person_id=persons[20].pk)
    assert row.person == persons[20]
    with pytest.raises(PermissionDenied):  # analysts may not create persons (registry.add_person)
        services.decide_row(analyst, r10.pk, action="create", version=r10.version)
    both = make_user("analyst", "registrar")
    row = services.decide_row(both, r10.pk, action="create", version=r10.version)
    assert row.state == RowState.CREATED and row.person.first_name == "Остап"
    assert row.person.current_status == "captivity_confirmed"
    assert Person.objects.count() == 31


def test_a_decided_row_cannot_be_decided_again(analyst, make_user, imported):
    lst, persons = imported
    row = lst.rows.get(row_number=2)
    services.decide_row(analyst, row.pk, action="accept", version=row.version, person_id=persons[0].pk)
    other = make_user("analyst")
    with pytest.raises(services.RowAlreadyDecided, match="already decided by"):
        services.decide_row(other, row.pk, action="reject", version=row.version)
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == 1


def test_accept_all_automatic(analyst, imported):
    lst, persons = imported
    auto = list(lst.rows.filter(decision="match"))
    assert len(auto) >= 6
    result = services.accept_automatic(analyst, lst.pk)
    assert result["accepted"] == len(auto)
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == len(auto)
    assert not lst.rows.filter(decision="match", state=RowState.OPEN).exists()
    again = services.accept_automatic(analyst, lst.pk)
    assert again["accepted"] == 0
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == len(auto)


def test_bad_decisions_change_nothing(analyst, make_user, imported):
    lst, _ = imported
    row = lst.rows.get(row_number=2)
    with pytest.raises(ValidationError):
        services.decide_row(analyst, row.pk, action="accept", version=row.version, person_id=None)
    with pytest.raises(ValidationError):
        services.decide_row(analyst, row.pk, action="accept", version=row.version, person_id=999999)
    with pytest.raises(ValidationError):
        services.decide_row(analyst, row.pk, action="explode", version=row.version)
    with pytest.raises(PermissionDenied):
        services.decide_row(make_user("negotiator"), row.pk, action="reject", version=row.version)
    assert ListRow.objects.get(pk=row.pk).state == RowState.OPEN


def test_merge_repoints_rows(analyst, make_user, imported):
    lst, persons = imported
    row = lst.rows.get(row_number=2)
    services.decide_row(analyst, row.pk, action="accept", version=row.version, person_id=persons[0].pk)
    merge_persons(make_user("registrar"), persons[1].pk, persons[0].pk)
    assert ListRow.objects.get(pk=row.pk).person_id == persons[1].pk


def test_undo_of_the_merge_points_rows_back(analyst, make_user, imported):
    """Found by the stateful test: the undo of a merge moved the row's event back to the duplicate
    but left the row naming the survivor (the review said row 2 was somebody else)."""
    lst, persons = imported
    registrar = make_user("registrar")
    row, own = lst.rows.get(row_number=2), lst.rows.get(row_number=3)
    services.decide_row(analyst, row.pk, action="accept", version=row.version, person_id=persons[0].pk)
    services.decide_row(analyst, own.pk, action="accept", version=own.version, person_id=persons[1].pk)
    merge = merge_persons(registrar, persons[1].pk, persons[0].pk)
    undo_merge(registrar, merge.pk)
    row, own = ListRow.objects.get(pk=row.pk), ListRow.objects.get(pk=own.pk)
    assert (row.person_id, row.status_event.person_id) == (persons[0].pk, persons[0].pk)
    assert (own.person_id, own.status_event.person_id) == (persons[1].pk, persons[1].pk)  # the survivor's own


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_one_wins(make_user, register):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks)")
    a, b = make_user("analyst"), make_user("analyst")
    people = synthetic_people(5, seed=9)
    persons = register(people)
    job = services.stage_upload(a, content=csv_bytes(_list_rows(people[:1])), filename="c.csv", kind="list",
                                source_kind="icrc", source_reference="ICRC", list_date=dt.date(2025, 6, 7))
    lst = services.start_import(a, job.pk).incoming_list
    row = lst.rows.get()
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(actor, action):
        from django.db import connections

        try:
            barrier.wait()
            services.decide_row(actor, row.pk, action=action, version=row.version,
                                person_id=persons[0].pk if action == "accept" else None)
            outcomes.append("ok")
        except services.RowAlreadyDecided as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(a, "accept")), threading.Thread(target=decide, args=(b, "accept"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    told = [o for o in outcomes if o != "ok"]
    assert len(told) == 1 and (a.username in told[0] or b.username in told[0])  # who decided it
    assert StatusEvent.objects.filter(status="captivity_confirmed", person=persons[0]).count() == 1
    assert AuditEvent.objects.filter(action="intake.row_accept").count() == 1
    assert IncomingList.objects.get(pk=lst.pk).rows.get().version == 2


def test_api_lists_rows_and_decisions(client_for, imported):
    lst, persons = imported
    c = client_for("analyst")
    r = c.get("/api/v1/intake/lists/")
    assert r.status_code == 200 and r.json()["results"][0]["id"] == lst.pk
    r = c.get(f"/api/v1/intake/lists/{lst.pk}/rows/?show=all")
    rows = r.json()["results"]
    assert rows[0]["raw"] and rows[0]["candidates"][0]["explanation"]
    row = lst.rows.get(row_number=2)
    url = f"/api/v1/intake/rows/{row.pk}/decision/"
    r = c.post(url, {"action": "accept", "version": row.version, "person": persons[0].pk},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    r = c.post(url, {"action": "reject", "version": row.version}, content_type="application/json")
    assert r.status_code == 409 and "analyst" in r.json()["detail"]
    assert c.post(f"/api/v1/intake/rows/{lst.rows.get(row_number=3).pk}/decision/", {"action": "x", "version": 1},
                  content_type="application/json").status_code == 400
    assert client_for("registrar").get("/api/v1/intake/lists/").status_code == 403
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == 1


def test_evidence_rows_are_labelled_and_weights_formatted_in_the_page_language():
    """The review page formats its evidence in the view, once per page (see intake.views._evidence)."""
    from django.utils import translation

    from homecoming.intake.views import _evidence

    explanation = [{"field": "last_name", "level": "close", "weight": 2.345, "list_value": "ПЕТРЕНКО",
                    "registry_value": "Петренко"},
                   {"field": "birth_date", "level": "typo", "weight": -1.25}]
    with translation.override("en"):
        rows = _evidence(explanation)
    assert [(r["label"], r["level"], r["weight_text"], r["agreement"]) for r in rows] == [
        ("Last name", "a typo away", "2.3", "agree"),
        ("Date of birth", "one digit differs", "-1.3", "disagree"),  # rounded half up, as floatformat did
    ]
    with translation.override("uk"):
        rows = _evidence(explanation)
    assert rows[0]["weight_text"] == "2,3" and rows[0]["label"] != "Last name"


def test_a_candidate_taken_by_another_row_is_named_on_the_page(client_for, imported):
    # the engine marks a review candidate that another row of the list matched automatically
    # on far stronger evidence (linkage: taken_by); the reviewer is told which row took it
    lst, persons = imported
    row = lst.rows.get(row_number=2)
    cands = [dict(row.candidates[0], decision="review", taken_by=["7"])]
    ListRow.objects.filter(pk=row.pk).update(candidates=cands, decision="review")
    c = client_for("analyst")
    c.cookies["homecoming_language"] = "en"
    page = c.get(reverse("intake:list_review", args=[lst.pk]) + "?show=all").content.decode()
    assert "Matched automatically to row 7 of this list" in page
    assert page.count("candidate-taken") == 1
    c.cookies["homecoming_language"] = "uk"
    page = c.get(reverse("intake:list_review", args=[lst.pk]) + "?show=all").content.decode()
    assert "Автоматично зіставлено з рядком 7 цього списку" in page
