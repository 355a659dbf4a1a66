"""A backup taken while another process keeps writing is consistent: the copy restores and its
audit chain (every event and the head) verifies. The writer appends audit events, one
transaction each, as fast as it can; any torn copy would break the chain or miss the head."""

from __future__ import annotations

import pytest

from tests.crash import ChildDatabase

pytestmark = pytest.mark.django_db(transaction=True)

WRITER = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
import django
django.setup()
from homecoming.audit.services import record
for i in range(1_000_000):
    record("system", "test.tick", object_type="tick", object_id=i, details={"i": i, "name": "Тест"})
    if i == 50:
        print("WRITING", flush=True)
"""


def test_backup_while_another_process_writes(tmp_path, make_user):
    make_user("registrar")
    db = ChildDatabase(tmp_path)
    writer = db.python(WRITER)
    try:
        assert writer.stdout.readline().strip() == "WRITING"
        for n in range(2):
            backup = db.homecoming("backup", str(tmp_path / f"live-{n}.backup"))
            out, err = backup.communicate(timeout=180)
            assert backup.returncode == 0, err
            assert "checked: it restores" in out and "audit log intact" in out
            assert writer.poll() is None  # the writer was still writing all along
    finally:
        writer.kill()
        writer.wait(30)
    assert db.query("SELECT count(*) FROM audit_auditevent WHERE action = 'test.tick'")[0][0] > 50
