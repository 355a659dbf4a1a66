"""An import killed half-way through writing (SIGKILL, as the OOM killer or a power cut would)
leaves the register exactly as it was: the one transaction is rolled back by the database."""

from __future__ import annotations

import re

import pytest

from tests.crash import ChildDatabase, kill_when

from .conftest import csv_bytes, synthetic_people

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 20_000
UK = ["Прізвище", "Ім'я", "По батькові", "Дата народження", "Військовий квиток"]


def test_import_killed_while_saving_changes_nothing(tmp_path, make_user):
    make_user("registrar")  # the register is not empty: something to keep
    people = synthetic_people(ROWS, seed=31)
    path = tmp_path / "large.csv"
    path.write_bytes(csv_bytes([UK] + [[p["last_name"], p["first_name"], p["patronymic"],
                                        p["birth_date"].strftime("%d.%m.%Y"), p["service_number"]] for p in people]))
    db = ChildDatabase(tmp_path)
    before, last_audit = db.counts(), db.last_audit_id()

    child = db.homecoming("import", str(path), "--kind", "persons", "--source", "unit report 7")
    # the progress bar shows rows being saved: the writing transaction is open and half done
    line = kill_when(child, r"saving\s+\[[#-]+\]\s+[\d.]+% [1-9]\d*/")
    done, total = map(int, re.search(r"(\d+)/(\d+)", line).groups())
    assert 0 < done < total == ROWS

    after = db.counts()
    # no person, status event, name key or source was left behind
    assert {k: v for k, v in after.items() if k != "audit_auditevent"} == \
        {k: v for k, v in before.items() if k != "audit_auditevent"}
    # the audit log holds the attempt (upload and start, committed before the writing began) and
    # nothing of an import that did not happen
    assert db.audit_actions_after(last_audit) == ["intake.upload", "intake.check", "intake.start"]
    assert after["audit_auditevent"] == before["audit_auditevent"] + 3
    verified = db.audit_verify()
    assert verified.returncode == 0, verified.stderr
    assert "Audit log intact" in verified.stdout

    # the dead worker's job is found at once (its process is gone), closed as interrupted, and retried
    job_id = db.query("SELECT id FROM intake_importjob ORDER BY id DESC")[0][0]
    child = db.python(RECOVER_AND_RETRY, str(job_id))
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    assert out.split()[:2] == ["recovered", "failed:running"], out
    assert out.split()[2] == "done", out
    assert db.counts(("registry_person",))["registry_person"] == before["registry_person"] + ROWS
    # (a verification is an event of its own since the audit viewer shows when the chain was last checked)
    actions = [a for a in db.audit_actions_after(last_audit) if a != "audit.verify"]
    assert actions[3:5] == ["intake.interrupted", "intake.retry"] and actions[-1] == "intake.import", actions
    assert db.audit_verify().returncode == 0


RECOVER_AND_RETRY = """
import os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
import django
django.setup()
from homecoming.intake import services
from homecoming.intake.models import ImportJob
job_id = int(sys.argv[1])
deadline = time.monotonic() + 30
while job_id not in services.recover_interrupted() and time.monotonic() < deadline:
    time.sleep(0.2)  # PostgreSQL ends the killed worker's session (and its lock) a moment after the kill
job = ImportJob.objects.get(pk=job_id)
print("recovered", f"{job.state}:{job.interrupted}")
job = services.retry_import(services.CommandLineActor(), job_id)
print(job.state, job.message)
"""
