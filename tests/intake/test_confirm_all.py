"""Confirm all automatic matches runs in the background (issue 19: "Confirm all 943" took 44 s
in one request): the request only starts it, the page follows its progress, a cancel stops it
between chunks with whole decisions only, a second click gets the running one, and only those
who review matches see or stop it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.common.invariants import broken
from homecoming.common.workers import worker_name
from homecoming.intake import services
from homecoming.intake.models import RowState
from homecoming.intake.operations import CONFIRM_ALL
from homecoming.operations import services as operations
from homecoming.operations.models import Operation, OperationState
from homecoming.registry.models import StatusEvent
from tests.operations.helpers import cancel_after_chunk, in_chunks_of, only, run_queued

from .conftest import csv_bytes, russian, synthetic_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_list(analyst, register):
    """A register of 40 and a list of the first 24 in Russian: about 20 automatic matches."""
    people = synthetic_people(40, seed=11)
    register(people)
    rows = [["Фамилия", "Имя", "Отчество", "Дата рождения"]] + [
        [russian(p["last_name"]), russian(p["first_name"]), russian(p["patronymic"]),
         p["birth_date"].strftime("%d.%m.%Y")] for p in people[:24]]
    job = services.stage_upload(analyst, content=csv_bytes(rows), filename="l.csv", kind="list",
                                source_kind="other_side_list", source_reference="mediator",
                                list_date=dt.date(2025, 6, 7))
    return services.start_import(analyst, job.pk).incoming_list


def _automatic(lst):
    return list(lst.rows.filter(decision="match", state=RowState.OPEN).order_by("row_number", "pk"))


def test_it_runs_to_completion_with_progress_and_is_audited(analyst, big_list):
    auto = _automatic(big_list)
    assert len(auto) >= 10
    op, started = operations.start(analyst, CONFIRM_ALL, big_list.pk)
    assert started and op.state == OperationState.DONE
    assert op.processed == op.total == len(auto) and op.percent == 100
    assert op.result == {"accepted": len(auto), "skipped": 0, "failed": []}
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == len(auto)
    assert not _automatic(big_list)
    actions = list(AuditEvent.objects.filter(action__startswith="operations.").values_list("action", flat=True))
    assert sorted(actions) == ["operations.end", "operations.start"]
    end = AuditEvent.objects.get(action="operations.end")
    assert end.details["state"] == "done" and end.actor_id == analyst.pk
    assert AuditEvent.objects.filter(action="intake.row_accept", actor=analyst).count() == len(auto)
    assert AuditEvent.objects.filter(action="intake.accept_automatic").count() == 1
    assert broken() == {}


def test_a_cancel_after_chunk_two_keeps_exactly_the_first_two_chunks(monkeypatch, analyst, make_user, big_list):
    auto = _automatic(big_list)
    in_chunks_of(monkeypatch, CONFIRM_ALL, 3)
    colleague = make_user("analyst")
    sizes = cancel_after_chunk(monkeypatch, CONFIRM_ALL, 2, colleague)
    op, _ = operations.start(analyst, CONFIRM_ALL, big_list.pk)
    assert sizes == [3, 3]
    assert op.state == OperationState.CANCELLED and op.processed == 6 and op.total == len(auto)
    assert op.cancelled_by == colleague
    states = {r.pk: r.state for r in big_list.rows.all()}
    assert [states[r.pk] for r in auto[:6]] == [RowState.ACCEPTED] * 6
    assert [states[r.pk] for r in auto[6:]] == [RowState.OPEN] * (len(auto) - 6)
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == 6
    assert broken() == {}
    assert AuditEvent.objects.filter(action="operations.cancel", actor=colleague).count() == 1
    assert AuditEvent.objects.get(action="operations.end").details["state"] == "cancelled"
    # started again, it takes up the rest
    again, started = operations.start(analyst, CONFIRM_ALL, big_list.pk)
    assert started and again.pk != op.pk
    assert not _automatic(big_list)


def test_a_double_start_gets_the_running_one(analyst, make_user, big_list, queued_work):
    first, started = operations.start(analyst, CONFIRM_ALL, big_list.pk)
    second, again = operations.start(make_user("analyst"), CONFIRM_ALL, big_list.pk)
    assert started and not again and second.pk == first.pk and second.state == OperationState.QUEUED
    assert Operation.objects.count() == 1 and len(queued_work.results) == 1
    assert AuditEvent.objects.filter(action="operations.start").count() == 1
    run_queued(queued_work)
    assert only(CONFIRM_ALL).state == OperationState.DONE


def test_a_queued_operation_cancelled_does_nothing(analyst, big_list, queued_work):
    op, _ = operations.start(analyst, CONFIRM_ALL, big_list.pk)
    operations.request_cancel(analyst, op.pk)
    run_queued(queued_work)
    op.refresh_from_db()
    assert op.state == OperationState.CANCELLED and op.processed == 0
    assert not StatusEvent.objects.filter(status="captivity_confirmed").exists()
    with pytest.raises(ValidationError, match="already ended"):
        operations.request_cancel(analyst, op.pk)


def test_another_role_can_neither_see_nor_cancel_it(client, analyst, make_user, big_list, queued_work):
    op, _ = operations.start(analyst, CONFIRM_ALL, big_list.pk)
    for role in ("negotiator", "registrar", "finance_officer", "administrator"):
        other = make_user(role)
        with pytest.raises(PermissionDenied):
            operations.operation_for(other, op.pk)
        with pytest.raises(PermissionDenied):
            operations.request_cancel(other, op.pk)
        with pytest.raises(PermissionDenied):
            operations.start(other, CONFIRM_ALL, big_list.pk)
        client.force_login(other)
        assert client.get(reverse("operations:status", args=[op.pk])).status_code == 403
        assert client.post(reverse("operations:cancel", args=[op.pk])).status_code == 403
    op.refresh_from_db()
    assert op.state == OperationState.QUEUED and not op.cancel_requested
    assert not AuditEvent.objects.filter(action="operations.cancel").exists()


def test_the_request_only_starts_it_and_the_page_shows_the_progress_after_a_reload(client, analyst, big_list,
                                                                                 queued_work):
    client.force_login(analyst)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    auto = len(_automatic(big_list))
    response = client.post(reverse("intake:accept_automatic", args=[big_list.pk]))
    assert response.status_code == 302
    assert not StatusEvent.objects.filter(status="captivity_confirmed").exists()  # nothing done in the request
    op = only(CONFIRM_ALL)
    for _ in range(2):  # the page, and the page again after a reload
        page = client.get(reverse("intake:list_review", args=[big_list.pk])).content.decode()
        assert 'id="operation-progress"' in page and "operations/progress" in page
        assert reverse("operations:cancel", args=[op.pk]) in page
        assert 'id="accept-automatic"' not in page  # no second start while it runs
    assert client.get(reverse("operations:status", args=[op.pk])).json()["state"] == "queued"
    client.post(reverse("intake:accept_automatic", args=[big_list.pk]))  # a second click
    assert Operation.objects.count() == 1
    run_queued(queued_work)
    status = client.get(reverse("operations:status", args=[op.pk])).json()
    assert status["state"] == "done" and status["processed"] == status["total"] == auto
    assert status["text"] == f"{auto} automatic matches confirmed."
    page = client.get(reverse("intake:list_review", args=[big_list.pk])).content.decode()
    assert f"{auto} automatic matches confirmed." in page and 'id="operation-progress"' not in page


def test_the_cancel_button_stops_it(client, analyst, big_list, queued_work):
    client.force_login(analyst)
    client.post(reverse("intake:accept_automatic", args=[big_list.pk]))
    op = only(CONFIRM_ALL)
    back = reverse("intake:list_review", args=[big_list.pk])
    response = client.post(reverse("operations:cancel", args=[op.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    op.refresh_from_db()
    assert op.state == OperationState.CANCELLED
    response = client.post(reverse("operations:cancel", args=[op.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == "/"  # never sent to another site


def test_an_operation_whose_worker_died_ends_failed_with_its_chunks_kept(analyst, big_list, queued_work):
    op, _ = operations.start(analyst, CONFIRM_ALL, big_list.pk)
    # a worker on this machine that is gone (a process id that cannot exist) took it and did 5 rows
    Operation.objects.filter(pk=op.pk).update(state="running", worker=f"{worker_name().rsplit(':', 1)[0]}:999999999",
                                              processed=5, total=20)
    assert operations.recover_all() == [op.pk]
    op.refresh_from_db()
    assert op.state == OperationState.FAILED and "stopped before the end" in op.error and op.processed == 5
    assert AuditEvent.objects.get(action="operations.end").details["state"] == "failed"
    again, started = operations.start(analyst, CONFIRM_ALL, big_list.pk)  # it can be started again
    assert started and again.pk != op.pk


def test_the_invariant_finds_an_operation_done_short_of_its_plan(analyst, big_list):
    op, _ = operations.start(analyst, CONFIRM_ALL, big_list.pk)
    assert "operations.done_but_incomplete" not in broken()
    Operation.objects.filter(pk=op.pk).update(processed=op.total - 1)
    assert broken()["operations.done_but_incomplete"] == [op.pk]
