"""The audit chain anchored outside the database (homecoming.audit.anchor): a key the database
does not hold, and checkpoints appended to a file after every event. What a database
administrator can do to the tables alone (issue 16) is detected by ``audit verify`` and refused
by ``restore``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from homecoming.audit import anchor
from homecoming.audit.chain import GENESIS_HASH, event_hash
from homecoming.audit.models import AuditEvent, AuditHead
from homecoming.audit.services import record, verify_chain


def raw_sql(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def checkpoints(settings, tmp_path):
    settings.AUDIT_CHECKPOINTS = str(tmp_path / "audit-checkpoints.log")
    return tmp_path / "audit-checkpoints.log"


@pytest.fixture
def logged(db, checkpoints, django_capture_on_commit_callbacks):
    """100 events, each committed (so each wrote its checkpoint)."""
    events = []
    for i in range(100):
        with django_capture_on_commit_callbacks(execute=True):
            events.append(record("system", f"test.event{i}", object_type="thing", object_id=i, details={"n": i}))
    return events


def _repoint_head(events_left):
    last = events_left[-1] if events_left else None
    raw_sql("UPDATE audit_audithead SET last_event_id = %s, last_hash = %s, count = %s",
            [last.pk if last else 0, last.hash if last else GENESIS_HASH, len(events_left)])


def rehash_all():
    """Recompute every hash with the product's own function, as someone with the code and the
    database (but not the key) would."""
    prev = GENESIS_HASH
    for e in AuditEvent.objects.order_by("pk"):
        digest = event_hash(prev_hash=prev, created_at=e.created_at, actor_id=e.actor_id, actor_name=e.actor_name,
                            action=e.action, object_type=e.object_type, object_id=e.object_id, details=e.details,
                            ip_address=e.ip_address)
        raw_sql("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, e.pk])
        prev = digest
    return prev


def test_every_event_leaves_a_checkpoint_outside_the_database(logged, checkpoints):
    lines = checkpoints.read_text().splitlines()
    assert len(lines) == 100
    points, bad = anchor.checkpoints()
    assert not bad and anchor.last(points).event_id == logged[-1].pk and anchor.last(points).count == 100
    assert verify_chain() is None


def test_the_newest_events_deleted_and_the_head_repointed_are_detected(logged):
    raw_sql("DELETE FROM audit_auditevent WHERE id > %s", [logged[49].pk])
    _repoint_head(logged[:50])
    problem = verify_chain()
    assert problem is not None and "events were removed" in problem.message
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit", "verify", stdout=io.StringIO())


def test_every_event_and_the_head_deleted_is_detected(logged):
    raw_sql("DELETE FROM audit_auditevent")
    raw_sql("DELETE FROM audit_audithead")
    problem = verify_chain()
    assert problem is not None and "holds 0 events" in problem.message


def test_events_deleted_and_every_hash_recomputed_is_detected(logged):
    raw_sql("DELETE FROM audit_auditevent WHERE id > %s", [logged[29].pk])
    last = rehash_all()
    raw_sql("UPDATE audit_audithead SET last_event_id = %s, last_hash = %s, count = 30", [logged[29].pk, last])
    problem = verify_chain()
    assert problem is not None and "events were removed" in problem.message


def test_recomputed_hashes_are_detected_by_the_key_even_without_checkpoints(logged, settings):
    settings.AUDIT_CHECKPOINTS = None
    raw_sql("UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"n": 999}', logged[10].pk])
    last = rehash_all()
    raw_sql("UPDATE audit_audithead SET last_hash = %s", [last])
    problem = verify_chain()
    assert problem is not None and problem.event_id == logged[10].pk and "audit key" in problem.message


def test_a_forged_checkpoint_line_is_not_believed(logged, checkpoints):
    with checkpoints.open("a") as f:
        f.write("restored 0 0 " + GENESIS_HASH + " 2030-01-01T00:00:00+00:00 " + "0" * 64 + "\n")
    raw_sql("DELETE FROM audit_auditevent")
    raw_sql("DELETE FROM audit_audithead")
    assert verify_chain() is not None  # the forged "restored" line has no valid MAC: ignored
    assert anchor.checkpoints()[1]  # and is reported as not a checkpoint


def test_the_key_is_never_in_the_database(logged, settings):
    key = anchor.key().decode()
    for model in (AuditEvent, AuditHead):
        for row in model.objects.values():
            assert key not in str(row)

