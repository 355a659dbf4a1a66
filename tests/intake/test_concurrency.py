"""Two analysts accept all automatic matches of the same list at the same moment (PostgreSQL):
every row is accepted once, by one of them; the other counts it as decided by someone else;
no status event is doubled. (Two reviewers deciding one row: tests/intake/test_review.py.)"""

from __future__ import annotations

import pytest

from homecoming.audit.models import AuditEvent
from homecoming.intake import services
from homecoming.intake.models import ListRow, RowState
from homecoming.intake.services import review as review_module
from homecoming.registry.models import StatusEvent
from tests.concurrency import collide, require_postgres, slow

from .test_review import imported  # noqa: F401 - the fixture: a register of 30 and a list of 9

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_bulk_acceptances_of_one_list(imported, make_user, monkeypatch):  # noqa: F811
    require_postgres()
    lst, persons = imported
    matched = lst.rows.filter(state=RowState.OPEN, decision="match").count()
    assert matched >= 5
    a, b = make_user("analyst"), make_user("analyst")
    slow(monkeypatch, review_module, seconds=0.05)  # each decision holds its row a moment: the two interleave
    outcomes = collide(lambda: services.accept_automatic(a, lst.pk), lambda: services.accept_automatic(b, lst.pk))
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    results = [value for _, value in outcomes]
    assert sum(r["accepted"] for r in results) == matched
    assert sum(r["skipped"] for r in results) == matched  # what one accepted, the other found decided
    assert all(not r["failed"] for r in results)
    assert ListRow.objects.filter(incoming_list=lst, state=RowState.ACCEPTED).count() == matched
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == matched
    assert AuditEvent.objects.filter(action="intake.row_accept").count() == matched


def test_two_uploads_in_one_process_never_share_a_check(make_user):
    """Issue 16: the import's check cache was shared by every thread of a process, and with one
    interleaving job A was marked done with file B's rows. Here A's upload is held just as its job
    is saved while B's upload runs to its end in another thread; A then imports A's rows."""
    import threading

    from django.db import connections
    from django.db.models.signals import pre_save

    from homecoming.intake.models import ImportJob
    from homecoming.registry.models import Person

    from .conftest import csv_bytes

    require_postgres()
    registrar_a, registrar_b = make_user("registrar"), make_user("registrar")
    header = ["Прізвище", "Ім'я", "Дата народження"]
    file_a = csv_bytes([header, ["Антоненко", "Андрій", "1990"], ["Андрієнко", "Анна", "1991"]])
    file_b = csv_bytes([header, ["Бондаренко", "Богдан", "1980"], ["Білик", "Біла", "1981"]])
    b_done = threading.Event()
    a_thread = threading.current_thread()
    outcome = {}

    def hold_a(sender, instance, **kwargs):
        if threading.current_thread() is a_thread and not b_done.is_set():
            runner = threading.Thread(target=upload_b)
            runner.start()
            b_done.wait(30)

    def upload_b():
        try:
            outcome["b"] = services.stage_upload(registrar_b, content=file_b, filename="b.csv", kind="persons",
                                                 source_kind="unit_report", source_reference="B",
                                                 list_date="2025-06-07")
        finally:
            connections.close_all()
            b_done.set()

    pre_save.connect(hold_a, sender=ImportJob)
    try:
        job_a = services.stage_upload(registrar_a, content=file_a, filename="a.csv", kind="persons",
                                      source_kind="unit_report", source_reference="A", list_date="2025-06-07")
    finally:
        pre_save.disconnect(hold_a, sender=ImportJob)
    assert b_done.is_set() and "b" in outcome
    job_a = services.start_import(registrar_a, job_a.pk)
    assert job_a.state == "done", job_a.message
    assert sorted(Person.objects.values_list("last_name", flat=True)) == ["Андрієнко", "Антоненко"]
