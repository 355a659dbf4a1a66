"""Undo of a review decision and the bulk reject (issue 19).

An undo puts the row back in the queue exactly as it was and takes back what the decision wrote:
a snapshot of every table (but the audit log) before the decision equals the one after the undo.
Once a later step used the decision the undo is refused, naming that step, and nothing changes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError

from homecoming.audit.models import AuditEvent
from homecoming.common.confirm import ChangedSincePreview
from homecoming.intake import services
from homecoming.intake.models import ListRow, RowState
from homecoming.registry import services as registry
from homecoming.registry.models import Person

from .test_review import imported  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

#: tables an undo must leave as the decision found them: all but the audit log, which keeps both
SKIP = {"audit.auditevent", "audit.audithead", "sessions.session"}


def snapshot(*, row_versions: bool = True) -> dict:
    """Every row of every table, by table, in primary key order."""
    out = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIP or model._meta.proxy or not model._meta.managed:
            continue
        rows = list(model._base_manager.order_by("pk").values())
        if label == "intake.listrow" and not row_versions:
            for r in rows:
                r.pop("version")
        out[label] = rows
    return out


def _row(lst, n):
    return lst.rows.get(row_number=n)


def test_undo_of_an_acceptance_restores_everything_but_the_audit(analyst, imported):  # noqa: F811
    lst, persons = imported
    row = _row(lst, 2)
    before = snapshot(row_versions=False)
    decided = services.decide_row(analyst, row.pk, action="accept", version=row.version,
                                  person_id=row.candidates[0]["person_id"])
    assert Person.objects.get(pk=decided.person_id).current_status == "captivity_confirmed"
    undone = services.undo_decision(analyst, row.pk, version=decided.version)
    assert undone.state == RowState.OPEN and undone.version == decided.version + 1  # never back: no ABA
    assert snapshot(row_versions=False) == before
    event = AuditEvent.objects.get(action="intake.row_undo")
    assert event.details["state"] == "accepted" and event.details["withdrawn"]["status"] == "captivity_confirmed"
    assert AuditEvent.objects.filter(action="person.status_event_withdrawn").count() == 1


def test_undo_of_a_new_person_and_of_a_rejection_restores_everything(make_user, imported):  # noqa: F811
    lst, persons = imported
    lead = make_user("analyst", "registrar")
    stranger, other = _row(lst, 10), _row(lst, 3)
    before = snapshot(row_versions=False)
    created = services.decide_row(lead, stranger.pk, action="create", version=stranger.version)
    rejected = services.decide_row(lead, other.pk, action="reject", version=other.version, note="not ours")
    assert rejected.decision_note == "not ours" and Person.objects.count() == 31
    services.undo_decision(lead, created.pk, version=created.version)
    services.undo_decision(lead, rejected.pk, version=rejected.version)
    assert snapshot(row_versions=False) == before
    assert AuditEvent.objects.get(action="person.withdrawn").details["fields"]["first_name"] == "Остап"


def test_undo_refused_once_a_later_status_event_used_the_match(analyst, registrar, imported):  # noqa: F811
    lst, persons = imported
    row = _row(lst, 2)
    decided = services.decide_row(analyst, row.pk, action="accept", version=row.version, person_id=persons[0].pk)
    registry.add_status_event(registrar, persons[0].pk, status="returned", effective_date=dt.date(2025, 6, 20),
                              source_kind="exchange_record", source_reference="stage 2")
    before = snapshot()
    with pytest.raises(ValidationError, match=r"later status event, “Returned” of 2025-06-20 \(stage 2\)"):
        services.undo_decision(analyst, row.pk, version=decided.version)
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action="intake.row_undo").exists()


def test_undo_refused_once_the_new_person_was_used(make_user, imported):  # noqa: F811
    lst, _ = imported
    lead = make_user("analyst", "registrar")
    row = _row(lst, 10)
    created = services.decide_row(lead, row.pk, action="create", version=row.version)
    registry.update_person(lead, created.person_id, version=created.person.version, changes={"unit": "в/ч А0000"})
    before = snapshot()
    with pytest.raises(ValidationError, match="has been edited since the decision"):
        services.undo_decision(lead, row.pk, version=created.version)
    assert snapshot() == before


def test_undo_refused_once_another_row_was_matched_to_the_new_person(make_user, imported):  # noqa: F811
    lst, _ = imported
    lead = make_user("analyst", "registrar")
    row, other = _row(lst, 10), _row(lst, 3)
    created = services.decide_row(lead, row.pk, action="create", version=row.version)
    services.decide_row(lead, other.pk, action="accept", version=other.version, person_id=created.person_id)
    before = snapshot()
    with pytest.raises(ValidationError, match="later status event"):
        services.undo_decision(lead, row.pk, version=created.version)
    assert snapshot() == before


def test_undo_refused_once_the_family_was_told(analyst, registrar, imported, settings):  # noqa: F811
    from homecoming.families import services as families

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lst, persons = imported
    p = persons[0]
    filed = families.file_inquiry(None, {
        "last_name": p.last_name, "first_name": p.first_name, "patronymic": "", "birth_date": "1990",
        "service_number": "", "unit": "", "incident_date": "2023-04-20", "incident_place": "", "circumstances": "",
        "inquirer_name": "Олена Синтетична", "relation": "mother", "phone": "", "email": "family@example.org",
        "language": "en", "consent": True})
    families.link_inquiry(registrar, filed.inquiry.pk, p.pk)
    row = _row(lst, 2)
    decided = services.decide_row(analyst, row.pk, action="accept", version=row.version, person_id=p.pk)
    before = snapshot()
    with pytest.raises(ValidationError, match="was sent a message"):
        services.undo_decision(analyst, row.pk, version=decided.version)
    assert snapshot() == before


def test_who_may_undo(analyst, make_user, imported):  # noqa: F811
    lst, persons = imported
    row = _row(lst, 2)
    decided = services.decide_row(analyst, row.pk, action="reject", version=row.version)
    others = (make_user("negotiator"), make_user("registrar"), make_user("analyst"))
    before = snapshot()
    for actor in others:
        with pytest.raises(PermissionDenied):
            services.undo_decision(actor, row.pk, version=decided.version)
    assert snapshot() == before
    lead = make_user("analyst", "registrar")
    assert services.undo_decision(lead, row.pk, version=decided.version).state == RowState.OPEN


def test_an_undo_from_a_stale_page_or_of_an_open_row_changes_nothing(analyst, imported):  # noqa: F811
    lst, _ = imported
    row = _row(lst, 2)
    with pytest.raises(ValidationError, match="nothing to undo"):
        services.undo_decision(analyst, row.pk, version=row.version)
    decided = services.decide_row(analyst, row.pk, action="reject", version=row.version)
    services.undo_decision(analyst, row.pk, version=decided.version)
    again = services.decide_row(analyst, row.pk, action="reject", version=decided.version + 1)
    before = snapshot()
    with pytest.raises(services.RowAlreadyDecided):  # the page of the first decision: not this one
        services.undo_decision(analyst, row.pk, version=decided.version)
    assert snapshot() == before and again.version == decided.version + 2


def test_recent_decisions_are_the_reviewers_own_or_everyones_for_a_lead(analyst, make_user, imported):  # noqa: F811
    from homecoming.intake import selectors

    lst, _ = imported
    other = make_user("analyst")
    mine, theirs = _row(lst, 2), _row(lst, 3)
    services.decide_row(analyst, mine.pk, action="reject", version=mine.version)
    services.decide_row(other, theirs.pk, action="reject", version=theirs.version)
    assert [r.pk for r in selectors.recent_decisions(lst, analyst)] == [mine.pk]
    lead = make_user("analyst", "registrar")
    assert [r.pk for r in selectors.recent_decisions(lst, lead)] == [theirs.pk, mine.pk]


# --- bulk reject ---------------------------------------------------------------------------

def test_bulk_reject_with_one_reason(analyst, imported):  # noqa: F811
    lst, _ = imported
    rows = [_row(lst, n) for n in (3, 4, 10)]
    seen = services.bulk_reject_fingerprint(services.rows_to_reject(lst.pk, [r.pk for r in rows]))
    done = services.reject_rows(analyst, lst.pk, [r.pk for r in rows], reason="other unit", confirm=seen)
    assert {r.state for r in ListRow.objects.filter(pk__in=[r.pk for r in rows])} == {RowState.REJECTED}
    assert {r.decision_note for r in done} == {"other unit"}
    assert AuditEvent.objects.filter(action="intake.row_reject").count() == 3


def test_bulk_reject_with_a_stale_fingerprint_changes_nothing(analyst, make_user, imported):  # noqa: F811
    lst, _ = imported
    rows = [_row(lst, n) for n in (3, 4)]
    seen = services.bulk_reject_fingerprint(services.rows_to_reject(lst.pk, [r.pk for r in rows]))
    services.decide_row(make_user("analyst"), rows[0].pk, action="reject", version=rows[0].version)  # meanwhile
    before = snapshot()
    with pytest.raises(ChangedSincePreview):
        services.reject_rows(analyst, lst.pk, [r.pk for r in rows], reason="other unit", confirm=seen)
    with pytest.raises(ChangedSincePreview):  # no fingerprint at all: a forged form
        services.reject_rows(analyst, lst.pk, [rows[1].pk], reason="other unit", confirm="")
    assert snapshot() == before


@pytest.mark.parametrize("reason, row_ids, message", [
    ("", None, "Give the reason"), ("x" * 301, None, "At most 300"), ("ok", [], "at least one row"),
    ("ok", [999999], "not rows of this list"), ("ok", ["a"], "by their numbers"),
])
def test_bad_bulk_rejects_change_nothing(analyst, imported, reason, row_ids, message):  # noqa: F811
    lst, _ = imported
    ids = [_row(lst, 3).pk] if row_ids is None else row_ids
    before = snapshot()
    with pytest.raises(ValidationError, match=message):
        services.reject_rows(analyst, lst.pk, ids, reason=reason, confirm="x")
    assert snapshot() == before


# --- the page -------------------------------------------------------------------------------

@pytest.fixture
def client_for(client_for, settings):  # noqa: F811
    """The pages in English (the messages are checked by their words)."""

    def _client(*roles):
        c = client_for(*roles)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return _client


def test_the_page_lists_recent_decisions_and_undoes_one(client_for, imported):  # noqa: F811
    lst, persons = imported
    c = client_for("analyst")
    row = _row(lst, 2)
    url = f"/intake/lists/{lst.pk}/"
    c.post(f"{url}rows/{row.pk}/decide/", {"action": "reject", "version": row.version, "reason": "another unit"})
    page = c.get(url).content.decode()
    assert 'id="recent-2"' in page and "another unit" in page and "review-keys.js" in page
    assert ListRow.objects.get(pk=row.pk).decision_note == "another unit"
    r = c.post(f"{url}rows/{row.pk}/undo/", {"version": row.version + 1, "next": "show=review"}, follow=True)
    assert "back in the queue" in r.content.decode()
    assert ListRow.objects.get(pk=row.pk).state == RowState.OPEN
    assert 'id="recent-2"' not in c.get(url).content.decode()


def test_the_page_refuses_someone_elses_undo_with_a_message(client_for, analyst, imported):  # noqa: F811
    lst, _ = imported
    row = _row(lst, 2)
    decided = services.decide_row(analyst, row.pk, action="reject", version=row.version)
    c = client_for("analyst")
    assert 'id="recent-2"' not in c.get(f"/intake/lists/{lst.pk}/").content.decode()  # not theirs to undo
    r = c.post(f"/intake/lists/{lst.pk}/rows/{row.pk}/undo/", {"version": decided.version}, follow=True)
    assert "Only the reviewer who decided row 2" in r.content.decode()
    assert ListRow.objects.get(pk=row.pk).state == RowState.REJECTED


def test_the_page_previews_a_bulk_reject_and_confirms_it(client_for, imported):  # noqa: F811
    lst, _ = imported
    c = client_for("analyst")
    ids = [_row(lst, n).pk for n in (3, 4)]
    url = f"/intake/lists/{lst.pk}/reject/"
    preview = c.post(url, {"rows": ids, "reason": "other unit", "next": "show=review"})
    text = preview.content.decode()
    assert preview.status_code == 200 and "Reject 2 rows" in text and _row(lst, 3).name in text
    assert lst.rows.filter(state=RowState.REJECTED).count() == 0  # a preview changes nothing
    fp = services.bulk_reject_fingerprint(services.rows_to_reject(lst.pk, ids))
    assert f'value="{fp}"' in text
    r = c.post(url, {"rows": ids, "reason": "other unit", "confirm": fp}, follow=True)
    assert "2 rows rejected." in r.content.decode()
    assert lst.rows.filter(state=RowState.REJECTED, decision_note="other unit").count() == 2
    again = c.post(url, {"rows": ids, "reason": "other unit", "confirm": fp}, follow=True)  # stale now
    assert "This changed since you looked at it" in again.content.decode()
    missing = c.post(url, {"rows": ids, "reason": ""}, follow=True)
    assert "Give the reason" in missing.content.decode()


# --- the API --------------------------------------------------------------------------------

def test_api_recent_decisions_undo_and_bulk_reject(client_for, registrar, imported):  # noqa: F811
    lst, persons = imported
    c = client_for("analyst")
    row = _row(lst, 2)
    decided = services.decide_row(c.user, row.pk, action="accept", version=row.version, person_id=persons[0].pk)
    recent = c.get(f"/api/v1/intake/lists/{lst.pk}/recent-decisions/").json()
    assert [r["id"] for r in recent] == [row.pk]
    registry.add_status_event(registrar, persons[0].pk, status="returned", effective_date=dt.date(2025, 6, 20),
                              source_kind="exchange_record", source_reference="stage 2")
    r = c.post(f"/api/v1/intake/rows/{row.pk}/undo/", {"version": decided.version}, content_type="application/json")
    assert r.status_code == 409 and "later status event" in r.json()["detail"]
    other = _row(lst, 3)
    decided = services.decide_row(c.user, other.pk, action="reject", version=other.version)
    assert client_for("analyst").post(f"/api/v1/intake/rows/{other.pk}/undo/", {"version": decided.version},
                                      content_type="application/json").status_code == 403
    r = c.post(f"/api/v1/intake/rows/{other.pk}/undo/", {"version": decided.version}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "open"
    ids = [_row(lst, n).pk for n in (3, 4)]
    preview = c.get(f"/api/v1/intake/lists/{lst.pk}/reject/?rows={ids[0]},{ids[1]}").json()
    body = {"rows": ids, "reason": "other unit", "confirm": preview["fingerprint"]}
    r = c.post(f"/api/v1/intake/lists/{lst.pk}/reject/", body, content_type="application/json")
    assert r.status_code == 200 and sorted(r.json()["rejected"]) == sorted(ids)
    r = c.post(f"/api/v1/intake/lists/{lst.pk}/reject/", body, content_type="application/json")
    assert r.status_code == 409


def test_a_person_taken_back_by_an_undo_is_no_candidate_of_the_next_list(make_user, imported):  # noqa: F811
    from .conftest import csv_bytes

    lst, _ = imported
    lead = make_user("analyst", "registrar")
    row = _row(lst, 10)
    created = services.decide_row(lead, row.pk, action="create", version=row.version)
    gone = created.person_id
    services.undo_decision(lead, row.pk, version=created.version)
    job = services.stage_upload(lead, content=csv_bytes([["Прізвище", "Ім'я", "По батькові", "Дата народження"],
                                                         ["Зозуля", "Остап", "Тарасович", "04.03.2001"]]),
                                filename="again.csv", kind="list", source_kind="icrc", source_reference="ICRC",
                                list_date=dt.date(2025, 6, 8))
    again = services.start_import(lead, job.pk).incoming_list.rows.get()
    assert gone not in {c["person_id"] for c in again.candidates}
