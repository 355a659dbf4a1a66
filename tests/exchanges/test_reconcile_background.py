"""The reconciliation of a stage runs in the background (issue 19). It is all or nothing by design
(one atomic update of the register): a cancel stops it while it waits for a worker; once it
runs, it reconciles the whole stage or, when anything refuses, changes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.common.invariants import broken
from homecoming.exchanges import selectors
from homecoming.exchanges.models import Exchange
from homecoming.exchanges.operations import RECONCILE_STAGE
from homecoming.exchanges.signals import persons_returned
from homecoming.operations import services as operations
from homecoming.operations.models import Operation, OperationState
from homecoming.registry.models import StatusEvent
from tests.operations.helpers import cancel_after_chunk, only, run_queued

from .test_services import _carried_out_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def stage(negotiator, agreement, categories, make_person):
    return _carried_out_stage(negotiator, agreement, categories, make_person)[0]


@pytest.fixture
def negotiator_client(client, negotiator):
    client.force_login(negotiator)
    client.cookies["homecoming_language"] = "en"
    return client


def _confirm(exchange) -> dict:
    return {"confirm": selectors.reconcile_plan(Exchange.objects.get(pk=exchange.pk)).fingerprint}


def test_it_reconciles_the_stage_with_progress_and_is_audited(negotiator, stage):
    op, started = operations.start(negotiator, RECONCILE_STAGE, stage.pk, params=_confirm(stage))
    assert started and op.state == OperationState.DONE and op.processed == op.total == 1
    assert op.result == {"returned": 2, "not_returned": 1, "handed_over": 1}
    assert Exchange.objects.get(pk=stage.pk).status == "reconciled"
    assert AuditEvent.objects.filter(action="exchange.reconcile", actor=negotiator).count() == 1
    assert [e.details["state"] for e in AuditEvent.objects.filter(action="operations.end")] == ["done"]
    assert broken() == {}


def test_a_cancel_while_it_waits_changes_nothing(negotiator, stage, queued_work):
    events = StatusEvent.objects.count()
    op, _ = operations.start(negotiator, RECONCILE_STAGE, stage.pk, params=_confirm(stage))
    operations.request_cancel(negotiator, op.pk)
    run_queued(queued_work)
    op.refresh_from_db()
    assert op.state == OperationState.CANCELLED and op.processed == 0
    assert Exchange.objects.get(pk=stage.pk).status == "carried_out" and StatusEvent.objects.count() == events
    assert broken() == {}


def test_a_cancel_while_it_runs_lets_the_one_transaction_finish_whole(monkeypatch, negotiator, stage):
    cancel_after_chunk(monkeypatch, RECONCILE_STAGE, 1, negotiator)
    op, _ = operations.start(negotiator, RECONCILE_STAGE, stage.pk, params=_confirm(stage))
    assert op.state == OperationState.DONE and op.cancel_requested
    assert Exchange.objects.get(pk=stage.pk).status == "reconciled"
    assert broken() == {}


def test_a_failure_inside_leaves_the_stage_as_it_was(negotiator, stage):
    events = StatusEvent.objects.count()

    def refuse(**kwargs):
        raise RuntimeError("a receiver broke")

    persons_returned.connect(refuse, dispatch_uid="test-refuse")
    try:
        op, _ = operations.start(negotiator, RECONCILE_STAGE, stage.pk, params=_confirm(stage))
    finally:
        persons_returned.disconnect(dispatch_uid="test-refuse")
    assert op.state == OperationState.FAILED and "unexpected error" in op.error and op.processed == 0
    assert Exchange.objects.get(pk=stage.pk).status == "carried_out" and StatusEvent.objects.count() == events
    assert broken() == {}


def test_a_plan_changed_since_the_preview_is_refused(negotiator_client, negotiator, stage):
    response = negotiator_client.post(reverse("exchanges:reconcile", args=[stage.pk]), {"confirm": "stale"})
    assert response.status_code == 409 and "changed since you looked" in response.content.decode()
    assert only(RECONCILE_STAGE).state == OperationState.FAILED
    assert Exchange.objects.get(pk=stage.pk).status == "carried_out"


def test_a_double_start_gets_the_running_one(negotiator, make_user, stage, queued_work):
    first, _ = operations.start(negotiator, RECONCILE_STAGE, stage.pk, params=_confirm(stage))
    second, started = operations.start(make_user("negotiator"), RECONCILE_STAGE, stage.pk, params=_confirm(stage))
    assert not started and second.pk == first.pk and Operation.objects.count() == 1
    run_queued(queued_work)
    assert only(RECONCILE_STAGE).state == OperationState.DONE


def test_another_role_can_neither_see_nor_cancel_it(client, negotiator, make_user, stage, queued_work):
    op, _ = operations.start(negotiator, RECONCILE_STAGE, stage.pk, params=_confirm(stage))
    for role in ("analyst", "registrar", "finance_officer", "case_worker"):
        other = make_user(role)
        with pytest.raises(PermissionDenied):
            operations.request_cancel(other, op.pk)
        client.force_login(other)
        assert client.get(reverse("operations:status", args=[op.pk])).status_code == 403
        assert client.post(reverse("operations:cancel", args=[op.pk])).status_code == 403
    op.refresh_from_db()
    assert op.state == OperationState.QUEUED and not op.cancel_requested


def test_the_page_follows_it_and_then_shows_the_report(negotiator_client, stage, queued_work):
    url = reverse("exchanges:reconcile", args=[stage.pk])
    response = negotiator_client.post(url, _confirm(stage))
    assert response.status_code == 302 and response["Location"] == url
    assert Exchange.objects.get(pk=stage.pk).status == "carried_out"  # nothing done in the request
    page = negotiator_client.get(url).content.decode()
    assert 'id="operation-progress"' in page and 'id="confirm-reconcile"' not in page
    run_queued(queued_work)
    response = negotiator_client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("exchanges:report", args=[stage.pk])
