"""The audit log's hash chain: intact, a changed row, a deleted row, a deleted tail."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from homecoming.audit.models import AppendOnlyError, AuditEvent, AuditHead
from homecoming.audit.services import record, record_many, verify_chain


@pytest.fixture
def five_events(db):
    return [record("system", f"test.event{i}", object_type="thing", object_id=i, details={"n": i, "name": "Тест"})
            for i in range(5)]


def raw_sql(sql, params=()):
    """Tampering as an attacker with database access would: behind the ORM's back."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_output(capsys):
    call_command("audit", "verify")
    return capsys.readouterr().out


def test_intact_chain_verifies(five_events, capsys):
    assert verify_chain() is None
    assert "5 events verified" in verify_output(capsys)


def test_each_event_chains_onto_the_one_before(five_events):
    for before, after in zip(five_events, five_events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in five_events}) == 5


def test_changed_details_are_named(five_events):
    raw_sql("UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"n": 99}', five_events[2].pk])
    problem = verify_chain()
    assert problem is not None and problem.event_id == five_events[2].pk
    with pytest.raises(CommandError, match=f"event {five_events[2].pk}: its content was changed") as exc:
        call_command("audit", "verify")
    assert exc.value.returncode == 1


@pytest.mark.parametrize("column,value", [("actor_name", "someone-else"), ("action", "test.innocent"),
                                          ("object_id", "77")])
def test_any_changed_column_is_detected(five_events, column, value):
    raw_sql(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", [value, five_events[1].pk])  # noqa: S608
    assert verify_chain().event_id == five_events[1].pk


def test_rehashed_row_still_breaks_the_chain(five_events):
    """Changing a row and recomputing its own hash is caught (by its MAC, and the next event's link)."""
    from homecoming.audit.chain import event_hash

    target = AuditEvent.objects.get(pk=five_events[1].pk)
    forged = event_hash(prev_hash=target.prev_hash, created_at=target.created_at, actor_id=None,
                        actor_name="forger", action=target.action, object_type=target.object_type,
                        object_id=target.object_id, details=target.details, ip_address=None)
    raw_sql("UPDATE audit_auditevent SET actor_name = %s, hash = %s WHERE id = %s", ["forger", forged, target.pk])
    problem = verify_chain()  # the forged hash has no MAC under the audit key: caught at the row itself
    assert problem.event_id == five_events[1].pk
    assert "without the audit key" in problem.message


def test_deleted_row_is_detected(five_events):
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [five_events[2].pk])
    problem = verify_chain()
    assert problem.event_id == five_events[3].pk
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit", "verify")


def test_deleted_newest_events_are_detected(five_events):
    raw_sql("DELETE FROM audit_auditevent WHERE id >= %s", [five_events[3].pk])
    problem = verify_chain()
    assert problem is not None
    assert "newest events were deleted" in problem.message


def test_orm_refuses_to_change_or_delete_events(five_events):
    event = AuditEvent.objects.get(pk=five_events[0].pk)
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event0"


def test_empty_log_verifies(db):
    assert verify_chain() is None


def test_verify_via_console_script(five_events, capsys):
    from homecoming.cli import main

    assert main(["homecoming", "audit", "verify"]) == 0
    assert "Audit log intact" in capsys.readouterr().out


# --- record_many: many events at once, the same chain ----------------------------------------------

def _many(n, start=0):
    return [{"action": f"test.bulk{i}", "object_type": "thing", "object_id": i, "details": {"n": i, "name": "Тест"}}
            for i in range(start, start + n)]


def test_record_many_chains_like_record_one_by_one(five_events, make_user, capsys):
    user = make_user("registrar")  # writes events of its own
    before = AuditEvent.objects.count()
    created = record_many(user, _many(1200))  # more than one INSERT batch
    record("system", "test.after")  # and record() goes on from where record_many left the head
    events = list(AuditEvent.objects.order_by("pk"))
    assert len(events) == before + 1200 + 1
    for earlier, later in zip(events, events[1:], strict=False):
        assert later.prev_hash == earlier.hash
    bulk = events[before:before + 1200]
    assert [e.pk for e in created] == [e.pk for e in bulk]
    assert [e.action for e in bulk] == [f"test.bulk{i}" for i in range(1200)]
    assert all(e.actor_id == user.pk and e.actor_name == user.username for e in bulk)
    assert bulk[1].details == {"n": 1, "name": "Тест"} and bulk[1].object_id == "1"
    head = AuditHead.objects.get()
    assert head.last_event_id == events[-1].pk and head.last_hash == events[-1].hash
    assert verify_chain() is None
    assert f"{len(events)} events verified" in verify_output(capsys)


def test_record_many_rows_are_each_verified(db):
    created = record_many("system", _many(4))
    raw_sql("UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"n": 99}', created[2].pk])
    assert verify_chain().event_id == created[2].pk
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [created[2].pk])
    assert verify_chain().event_id == created[3].pk


def test_record_many_with_nothing_writes_nothing(five_events):
    head = AuditHead.objects.get()
    assert record_many("system", []) == []
    assert AuditEvent.objects.count() == 5 and AuditHead.objects.get().last_hash == head.last_hash


def test_record_many_refuses_an_unknown_field_and_writes_nothing(five_events):
    with pytest.raises(TypeError, match="object_type, object_id and details"):
        record_many("system", [{"action": "test.ok"}, {"action": "test.bad", "actor": "someone"}])
    with pytest.raises(TypeError):
        record_many("system", [{"object_type": "thing"}])
    assert AuditEvent.objects.count() == 5 and verify_chain() is None


def test_record_many_rolls_back_with_its_transaction(five_events):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        record_many("system", _many(3))
        raise RuntimeError("the caller failed")
    assert AuditEvent.objects.count() == 5
    assert AuditHead.objects.get().last_event_id == five_events[-1].pk and verify_chain() is None
