"""``homecoming backup`` and ``homecoming restore``: a round trip on the database the suite runs
on (SQLite, or PostgreSQL when DATABASE_URL is set), the check of every backup, and the refusals.

The tests are transactional: a backup is taken from committed data (pg_dump reads through its
own connection), and a restore replaces the tables the test case would otherwise roll back.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from homecoming.audit.models import AuditEvent
from homecoming.audit.services import record, verify_chain
from homecoming.core import backup as backup_module
from homecoming.registry import services as registry
from homecoming.registry.models import Person, StatusEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def filled(make_user):
    registrar = make_user("registrar")
    persons = []
    for i, (last, first) in enumerate([("Петренко", "Олександр"), ("Коваленко", "Іван"), ("Шевчук", "Марія")]):
        persons.append(registry.create_person(
            registrar, {"last_name": last, "first_name": first, "sex": "female" if i == 2 else "male"},
            initial_event={"status": "missing", "effective_date": dt.date(2023, 5, 1 + i),
                           "source_kind": "family_application", "source_reference": f"application {i}"}))
    return registrar, persons


def snapshot() -> dict:
    return {"persons": sorted(Person.objects.values_list("pk", "last_name", "current_status")),
            "events": StatusEvent.objects.count(), "audit": list(AuditEvent.objects.order_by("pk")
                                                                  .values_list("pk", "hash"))}


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def raw_sql(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_round_trip_restores_exactly_what_was_saved(filled, tmp_path):
    registrar, persons = filled
    before = snapshot()
    path = tmp_path / "hc.backup"
    out = run("backup", str(path))
    assert "checked: it restores (3 persons, 3 status events" in out and "audit log intact" in out
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # it holds every person record
    assert [p.name for p in tmp_path.iterdir()] == ["hc.backup"]  # no partial file left behind

    # life goes on after the backup: a new person, a new status event, more audit events
    registry.create_person(registrar, {"last_name": "Бондар", "first_name": "Петро"})
    registry.add_status_event(registrar, persons[0].pk, status="captivity_confirmed",
                              effective_date=dt.date(2024, 1, 5), source_kind="unit_report",
                              source_reference="report 7")
    assert snapshot() != before

    with pytest.raises(CommandError, match="not empty .*4 persons.*--force") as exc:
        call_command("restore", str(path), stdout=io.StringIO())
    assert exc.value.returncode == 1
    assert Person.objects.count() == 4  # refused: nothing changed

    out = run("restore", str(path), "--force")
    assert "3 persons" in out and "audit log intact" in out
    assert snapshot() == before
    assert verify_chain() is None
    # the restored database works: the chain goes on from the restored head
    record("system", "test.after_restore")
    assert verify_chain() is None


def test_restore_into_an_empty_database_needs_no_force(filled, tmp_path):
    before = snapshot()
    path = tmp_path / "hc.backup"
    run("backup", str(path))
    raw_sql("DELETE FROM registry_statusevent")
    for table in ("registry_personnamekey", "registry_source", "registry_person", "audit_auditevent",
                  "audit_audithead", "accounts_user_groups", "accounts_user"):
        try:
            raw_sql(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        except Exception:  # noqa: BLE001 - a table this version does not have
            pytest.fail(f"table {table} missing")
    assert not backup_module.holds_data()
    run("restore", str(path))
    assert snapshot() == before


def test_backup_refuses_to_overwrite_without_force(filled, tmp_path):
    path = tmp_path / "hc.backup"
    path.write_bytes(b"precious")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(path), stdout=io.StringIO())
    assert path.read_bytes() == b"precious"
    run("backup", str(path), "--force")
    assert path.read_bytes() != b"precious"


def test_backup_into_a_missing_directory_is_refused(filled, tmp_path):
    with pytest.raises(CommandError, match="no such directory"):
        call_command("backup", str(tmp_path / "nowhere" / "hc.backup"), stdout=io.StringIO())


@pytest.mark.parametrize("content,message", [
    (b"", "not a Homecoming backup"),
    (b"name,surname\nIvan,Petrenko\n", "not a Homecoming backup"),
])
def test_restore_refuses_a_file_that_is_not_a_backup(filled, tmp_path, content, message):
    before = snapshot()
    path = tmp_path / "bad.backup"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), "--force", stdout=io.StringIO())
    assert snapshot() == before


def test_restore_refuses_a_damaged_backup_and_changes_nothing(filled, tmp_path):
    path = tmp_path / "hc.backup"
    run("backup", str(path))
    data = bytearray(path.read_bytes())
    cut = data[: len(data) // 2]  # a copy that broke off half-way
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(bytes(cut))
    before = snapshot()
    with pytest.raises(CommandError, match="Restore refused"):
        call_command("restore", str(damaged), "--force", stdout=io.StringIO())
    assert snapshot() == before
    assert verify_chain() is None


def test_restore_refuses_a_backup_whose_audit_log_was_tampered_with(filled, tmp_path):
    event = AuditEvent.objects.order_by("pk")[1]
    raw_sql("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["someone-else", event.pk])
    path = tmp_path / "hc.backup"
    with pytest.raises(CommandError, match=f"audit log in it is NOT intact: event {event.pk}") as exc:
        call_command("backup", str(path), stdout=io.StringIO())
    assert exc.value.returncode == 1
    assert path.exists()  # the data is saved all the same; the alarm is raised
    before = snapshot()
    with pytest.raises(CommandError, match=f"NOT intact .*event {event.pk}.*nothing was restored"):
        call_command("restore", str(path), "--force", stdout=io.StringIO())
    assert snapshot() == before


def test_restore_refuses_a_backup_of_the_other_database_kind(filled, tmp_path):
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP" + b"\x01" * 100)
        expected = "postgresql backup, but the database is sqlite"
    else:
        other.write_bytes(backup_module.SQLITE_MAGIC + b"\x00" * 100)
        expected = "sqlite backup, but the database is postgresql"
    before = snapshot()
    with pytest.raises(CommandError, match=expected):
        call_command("restore", str(other), "--force", stdout=io.StringIO())
    assert snapshot() == before


def test_restore_of_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "nothing.backup"), stdout=io.StringIO())


def test_missing_postgresql_tools_are_named(filled, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is used on PostgreSQL only")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="pg_dump was not found on PATH.*postgresql-client"):
        call_command("backup", str(tmp_path / "hc.backup"), stdout=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_sqlite_backup_is_one_self_contained_file(filled, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite file format")
    import sqlite3

    path = tmp_path / "hc.sqlite3"
    run("backup", str(path))
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert db.execute("SELECT count(*) FROM registry_person").fetchone()[0] == 3
    finally:
        db.close()


@pytest.fixture
def checkpoints(settings, tmp_path):
    settings.AUDIT_CHECKPOINTS = str(tmp_path / "audit-checkpoints.log")
    return tmp_path / "audit-checkpoints.log"


def test_restore_compares_a_backup_with_the_last_checkpoint(checkpoints, filled, tmp_path):
    """A backup whose log was cut (the newest events deleted, the head pointed back) is refused;
    one whose hashes were recomputed is refused; an honest older backup needs --accept-older,
    after which the log verifies again."""

    for i in range(5):
        record("system", "test.tick", object_type="tick", object_id=i)
    older = tmp_path / "older.backup"
    run("backup", str(older))
    for i in range(5, 10):
        record("system", "test.tick", object_type="tick", object_id=i)
    assert verify_chain() is None

    # the newest 3 events deleted and the head pointed back, then a backup taken of that
    kept = list(AuditEvent.objects.order_by("pk"))[:-3]
    raw_sql("DELETE FROM audit_auditevent WHERE id > %s", [kept[-1].pk])
    raw_sql("UPDATE audit_audithead SET last_event_id = %s, last_hash = %s, count = %s",
            [kept[-1].pk, kept[-1].hash, len(kept)])
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit", "verify", stdout=io.StringIO())
    # the verification is itself written to the log (audit.verify, broken): one event more
    assert AuditEvent.objects.latest("id").details["result"] == "broken"
    cut = tmp_path / "cut.backup"
    run("backup", str(cut))
    with pytest.raises(CommandError, match="2 events before the last checkpoint"):
        call_command("restore", str(cut), "--force", stdout=io.StringIO())

    # an honest older backup: said aloud, then restored on request, and the log verifies
    with pytest.raises(CommandError, match="events before the last checkpoint"):
        call_command("restore", str(older), "--force", stdout=io.StringIO())
    out = run("restore", str(older), "--force", "--accept-older")
    assert "audit log intact" in out
    assert verify_chain() is None
    assert "restored" in checkpoints.read_text().splitlines()[-1]


def test_restore_refuses_a_backup_whose_hashes_were_recomputed(checkpoints, filled, tmp_path):
    from tests.audit.test_anchor import rehash_all

    events = list(AuditEvent.objects.order_by("pk"))
    raw_sql("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["someone-else", events[1].pk])
    raw_sql("UPDATE audit_audithead SET last_hash = %s", [rehash_all()])
    path = tmp_path / "rehashed.backup"
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("backup", str(path), stdout=io.StringIO())
    before = snapshot()
    with pytest.raises(CommandError, match="without the audit key"):
        call_command("restore", str(path), "--force", stdout=io.StringIO())
    assert snapshot() == before
