"""An import that waits or runs can be stopped (issue 19: the same cancel as every background
work). Nothing is written before the import saves, so a stop while it reads, checks or links
leaves nothing behind; once it saves, it ends whole (all or nothing)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.common.invariants import broken
from homecoming.intake import linking, services
from homecoming.intake.models import ImportJob, IncomingList, ListRow

from .conftest import csv_bytes, russian, synthetic_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def staged(analyst, register):
    people = synthetic_people(12, seed=3)
    register(people)
    rows = [["Фамилия", "Имя", "Отчество", "Дата рождения"]] + [
        [russian(p["last_name"]), russian(p["first_name"]), russian(p["patronymic"]),
         p["birth_date"].strftime("%d.%m.%Y")] for p in people]
    return services.stage_upload(analyst, content=csv_bytes(rows), filename="l.csv", kind="list",
                                 source_kind="other_side_list", source_reference="mediator",
                                 list_date=dt.date(2025, 6, 7))


def test_a_stop_while_it_links_leaves_nothing(monkeypatch, analyst, make_user, staged):
    colleague = make_user("analyst")
    real = linking.link

    def link_then_be_stopped(index, rows):
        result = real(index, rows)
        services.cancel_import(colleague, staged.pk)  # asked while the worker links
        return result

    monkeypatch.setattr("homecoming.intake.services.imports.linking.link", link_then_be_stopped)
    job = services.start_import(analyst, staged.pk)
    assert job.state == "cancelled" and job.cancel_requested and job.message
    assert not IncomingList.objects.exists() and not ListRow.objects.exists()
    assert [e.action for e in AuditEvent.objects.filter(object_type="import", object_id=str(job.pk))
            .order_by("id")][-2:] == ["intake.cancel", "intake.cancelled"]
    assert broken() == {}


def test_a_queued_import_is_cancelled_at_once(analyst, staged, queued_work):
    job = services.start_import(analyst, staged.pk)
    assert job.state == "queued"
    services.cancel_import(analyst, job.pk)
    for result in list(queued_work.results):
        result.task.call(*result.args)
    job.refresh_from_db()
    assert job.state == "cancelled" and not IncomingList.objects.exists()


def test_a_saving_or_ended_import_cannot_be_stopped(analyst, staged):
    ImportJob.objects.filter(pk=staged.pk).update(state="running", phase="saving")
    with pytest.raises(ValidationError, match="can no longer be stopped"):
        services.cancel_import(analyst, staged.pk)
    ImportJob.objects.filter(pk=staged.pk).update(state="done", phase="")
    with pytest.raises(ValidationError, match="not ended"):
        services.cancel_import(analyst, staged.pk)
    assert not ImportJob.objects.get(pk=staged.pk).cancel_requested


def test_the_running_import_page_offers_the_cancel(client_for, staged):
    ImportJob.objects.filter(pk=staged.pk).update(state="running", phase="linking", processed=3, total_rows=12)
    c = client_for("analyst")
    body = c.get(reverse("intake:job_detail", args=[staged.pk])).content.decode()
    assert 'id="operation-cancel"' in body
    response = c.post(reverse("intake:job_cancel", args=[staged.pk]))
    assert response["Location"] == reverse("intake:job_detail", args=[staged.pk])
    assert ImportJob.objects.get(pk=staged.pk).cancel_requested
    assert c.get(reverse("intake:job_status", args=[staged.pk])).json()["active"] is True
    negotiator = client_for("negotiator")
    assert negotiator.get(reverse("intake:job_status", args=[staged.pk])).status_code == 403
