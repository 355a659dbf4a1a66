"""The preparation of a batch runs in the background (issue 19). A batch is approved as a whole,
so it is prepared all or nothing: a cancel stops it while it waits for a worker; once it runs,
the batch holds every payable amount or there is no batch."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.common.invariants import broken
from homecoming.operations import services as operations
from homecoming.operations.models import Operation, OperationState
from homecoming.payments import services
from homecoming.payments.models import Batch, BatchLine
from homecoming.payments.operations import NEXT_BATCH, PREPARE_BATCH
from tests.operations.helpers import cancel_after_chunk, only, run_queued

from .test_services import finance, paid_returnee  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(paid_returnee, finance):  # noqa: F811
    services.compute_entitlement(finance[0], paid_returnee.pk)


def test_it_prepares_the_batch_with_progress_and_is_audited(finance, due):  # noqa: F811
    op, started = operations.start(finance[0], PREPARE_BATCH, NEXT_BATCH, params={"note": "June"})
    batch = Batch.objects.get()
    assert started and op.state == OperationState.DONE and op.processed == op.total == 1
    assert op.result == {"batch": str(batch.pk), "reference": batch.reference, "lines": 1}
    assert batch.prepared_by == finance[0] and batch.note == "June"
    assert AuditEvent.objects.filter(action="payments.batch_prepare", actor=finance[0]).count() == 1
    assert [e.details["state"] for e in AuditEvent.objects.filter(action="operations.end")] == ["done"]
    assert broken() == {}


def test_a_cancel_while_it_waits_prepares_nothing(finance, due, queued_work):  # noqa: F811
    op, _ = operations.start(finance[0], PREPARE_BATCH, NEXT_BATCH)
    operations.request_cancel(finance[1], op.pk)
    run_queued(queued_work)
    op.refresh_from_db()
    assert op.state == OperationState.CANCELLED and op.cancelled_by == finance[1]
    assert not Batch.objects.exists() and not BatchLine.objects.exists()
    assert broken() == {}


def test_a_cancel_while_it_runs_lets_the_one_transaction_finish_whole(monkeypatch, finance, due):  # noqa: F811
    cancel_after_chunk(monkeypatch, PREPARE_BATCH, 1, finance[1])
    op, _ = operations.start(finance[0], PREPARE_BATCH, NEXT_BATCH)
    assert op.state == OperationState.DONE and Batch.objects.get().lines.count() == 1
    assert broken() == {}


def test_a_refusal_is_the_operations_error_and_nothing_is_prepared(finance, due):  # noqa: F811
    op, _ = operations.start(finance[0], PREPARE_BATCH, NEXT_BATCH, params={"note": "x" * 301})
    assert op.state == OperationState.FAILED and "300" in op.error
    assert not Batch.objects.exists()


def test_a_double_start_gets_the_running_one(finance, due, queued_work):  # noqa: F811
    first, _ = operations.start(finance[0], PREPARE_BATCH, NEXT_BATCH)
    second, started = operations.start(finance[1], PREPARE_BATCH, NEXT_BATCH)
    assert not started and second.pk == first.pk and Operation.objects.count() == 1
    run_queued(queued_work)
    assert only(PREPARE_BATCH).state == OperationState.DONE and Batch.objects.count() == 1


def test_another_role_can_neither_see_nor_cancel_it(client, finance, make_user, due, queued_work):  # noqa: F811
    op, _ = operations.start(finance[0], PREPARE_BATCH, NEXT_BATCH)
    for role in ("analyst", "negotiator", "case_worker", "leadership"):
        other = make_user(role)
        with pytest.raises(PermissionDenied):
            operations.request_cancel(other, op.pk)
        with pytest.raises(PermissionDenied):
            operations.start(other, PREPARE_BATCH, NEXT_BATCH)
        client.force_login(other)
        assert client.get(reverse("operations:status", args=[op.pk])).status_code == 403
        assert client.post(reverse("operations:cancel", args=[op.pk])).status_code == 403
    op.refresh_from_db()
    assert op.state == OperationState.QUEUED and not op.cancel_requested


def test_the_page_follows_it(client, finance, due, queued_work):  # noqa: F811
    client.force_login(finance[0])
    response = client.post(reverse("payments:batch_prepare"), {"note": ""})
    assert response.status_code == 302 and response["Location"] == reverse("payments:home")
    assert not Batch.objects.exists()  # nothing done in the request
    page = client.get(reverse("payments:home")).content.decode()
    assert 'id="operation-progress"' in page and 'id="prepare-batch"' not in page
    run_queued(queued_work)
    page = client.get(reverse("payments:home")).content.decode()
    assert Batch.objects.get().reference in page and 'id="operation-progress"' not in page
