"""Imports through the services: persons and lists, validation before writing, idempotency,
limits, permissions, and the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from homecoming.audit.models import AuditEvent
from homecoming.intake import services
from homecoming.intake.models import ColumnMapping, ImportJob, IncomingList, JobState, ListRow
from homecoming.registry.models import Person, PersonNameKey, StatusEvent
from homecoming.registry.selectors import search_persons, status_is_consistent

from .conftest import csv_bytes, russian, synthetic_people, xlsx_bytes

pytestmark = pytest.mark.django_db
UK = ["Прізвище", "Ім'я", "По батькові", "Дата народження", "Військовий квиток"]


def _person_rows(people):
    return [UK] + [[p["last_name"], p["first_name"], p["patronymic"], p["birth_date"].strftime("%d.%m.%Y"),
                    p["service_number"]] for p in people]


def _stage(actor, content, kind="persons", filename="persons.csv", **kw):
    defaults = {"source_kind": "unit_report" if kind == "persons" else "other_side_list",
                "source_reference": "test file", "list_date": dt.date(2025, 6, 7)}
    return services.stage_upload(actor, content=content, filename=filename, kind=kind, **{**defaults, **kw})


def _nothing_written(before_persons=0):
    assert Person.objects.count() == before_persons
    assert not IncomingList.objects.exists()
    assert not ListRow.objects.exists()


def test_persons_import_creates_persons_keys_status_and_one_audit_event(registrar):
    people = synthetic_people(30)
    job = _stage(registrar, csv_bytes(_person_rows(people), encoding="cp1251", delimiter=";"))
    assert job.state == JobState.STAGED and not job.encoding_confirmed  # Windows-1251 is a guess: a person says
    job = services.choose_encoding(registrar, job.pk, "cp1251")
    assert job.state == JobState.STAGED and job.valid_rows == 30 and job.error_count == 0
    assert Person.objects.count() == 0  # nothing before confirmation
    job = services.start_import(registrar, job.pk)
    assert job.state == JobState.DONE and job.created_count == 30
    assert Person.objects.count() == 30
    p = Person.objects.get(last_name=people[0]["last_name"], first_name=people[0]["first_name"],
                           birth_date=people[0]["birth_date"])
    assert p.service_number == people[0]["service_number"] and p.patronymic == people[0]["patronymic"]
    assert p.current_status == "missing" and p.current_status_date == dt.date(2025, 6, 7) and p.was_missing
    assert status_is_consistent(p)
    assert StatusEvent.objects.filter(person=p, source__kind="unit_report").count() == 1
    assert PersonNameKey.objects.filter(person=p).exists()
    # found by a Russian rendering through the search keys
    assert p in search_persons(f"{russian(p.last_name)} {russian(p.first_name)}")
    assert AuditEvent.objects.filter(action="person.bulk_create").count() == 1
    assert AuditEvent.objects.filter(action="intake.import", object_id=str(job.pk)).exists()


def test_same_file_twice_is_recognised_and_not_imported_again(registrar):
    content = csv_bytes(_person_rows(synthetic_people(5)))
    services.start_import(registrar, _stage(registrar, content).pk)
    with pytest.raises(services.AlreadyImported, match="already imported"):
        _stage(registrar, content)
    assert Person.objects.count() == 5
    assert ImportJob.objects.count() == 1


def test_rows_already_in_the_register_are_skipped_and_reported(registrar, register):
    people = synthetic_people(6)
    register(people[:2])
    rows = _person_rows(people) + [_person_rows(people[5:])[1]]  # last row repeats row 7 of the file
    job = services.start_import(registrar, _stage(registrar, csv_bytes(rows)).pk)
    assert job.created_count == 4 and job.skipped_count == 3
    assert Person.objects.count() == 6
    reasons = sorted((s["row"], s["reason"]) for s in job.skipped)
    assert reasons == [(2, "register"), (3, "register"), (8, "file")]


def test_file_with_errors_imports_nothing_unless_only_valid_rows_are_asked_for(registrar):
    people = synthetic_people(4)
    rows = _person_rows(people)
    rows[2][3] = "31.02.1990"
    rows[3][1] = ""
    job = _stage(registrar, csv_bytes(rows))
    assert (job.valid_rows, job.bad_rows) == (2, 2)
    assert {(e["row"], e["column"]) for e in job.errors} == {(3, "Дата народження"), (4, "Ім'я")}
    with pytest.raises(ValidationError, match="2 rows have errors"):
        services.start_import(registrar, job.pk)
    _nothing_written()
    job = services.start_import(registrar, job.pk, only_valid=True)
    assert job.state == JobState.DONE and Person.objects.count() == 2


@pytest.mark.parametrize("content,filename,message", [
    (b"", "e.csv", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "o.xls", ".xls"),
    (b"whatever", "m.xlsm", "macros"),
])
def test_files_refused_on_sight_change_nothing(registrar, content, filename, message):
    with pytest.raises(ValidationError, match=message):
        _stage(registrar, content, filename=filename)
    assert not ImportJob.objects.exists()
    _nothing_written()


@pytest.mark.parametrize("content,filename,message", [
    ("Прізвище;Ім'я\n".encode(), "h.csv", "no data rows"),
    (b"PK\x03\x04junk", "b.xlsx", "damaged"),
])
def test_files_the_check_refuses_end_failed_and_import_nothing(registrar, content, filename, message):
    """The check reads the file in a background task: a file it cannot read ends as a failed job
    with the reason, and nothing is imported."""
    job = _stage(registrar, content, filename=filename)
    assert job.state == JobState.FAILED and message in job.message
    with pytest.raises(ValidationError):
        services.start_import(registrar, job.pk)
    _nothing_written()


def test_huge_file_is_refused_and_changes_nothing(registrar, settings):
    settings.IMPORT_MAX_ROWS = 5
    job = _stage(registrar, csv_bytes(_person_rows(synthetic_people(6))))
    assert job.state == JobState.FAILED and "more than 5 rows" in job.message
    _nothing_written()


def test_hostile_values_are_imported_as_text(registrar):
    rows = [UK, ["Шевчук", "Ганна", "", "1990", "=HYPERLINK(\"http://x\")"], ["Коваль", "Іван", "", "1985", "+380"],
            ["=HYPERLINK(\"http://x\")", "@SUM(A1)", "", "1990", ""]]
    job = _stage(registrar, csv_bytes(rows))
    assert job.bad_rows == 1 and {e["row"] for e in job.errors} == {4}  # a formula is no name
    job = services.start_import(registrar, job.pk, only_valid=True)
    assert job.created_count == 2
    assert Person.objects.filter(service_number='=HYPERLINK("http://x")').exists()


def test_background_task_runs_large_files(registrar, settings):
    job = services.start_import(registrar, _stage(registrar, csv_bytes(_person_rows(synthetic_people(10)))).pk)
    assert job.state == JobState.DONE and job.created_count == 10  # the immediate backend in tests


def test_mapping_can_be_corrected_and_is_remembered(registrar):
    rows = [["Колонка А", "Колонка Б", "Рік"], ["Петренко", "Іван", "1990"]]
    job = _stage(registrar, csv_bytes(rows))
    assert job.mapping == ["", "", "birth_date"]
    with pytest.raises(ValidationError, match="No name columns"):
        services.start_import(registrar, job.pk)
    with pytest.raises(ValidationError, match="both mapped"):
        services.update_mapping(registrar, job.pk, ["last_name", "last_name", "birth_date"])
    job = services.update_mapping(registrar, job.pk, ["last_name", "first_name", "birth_date"])
    assert job.valid_rows == 1
    assert ColumnMapping.objects.count() == 1
    other = _stage(registrar, csv_bytes(rows + [["Коваль", "Петро", "1980"]]))
    assert other.mapping == ["last_name", "first_name", "birth_date"]


def test_xlsx_import_of_a_chosen_sheet(registrar):
    people = synthetic_people(3)
    content = xlsx_bytes([["nothing here"]], extra_sheets={"Особи": _person_rows(people)})
    job = _stage(registrar, content, filename="p.xlsx", sheet="Особи")
    assert job.valid_rows == 3
    assert services.start_import(registrar, job.pk).created_count == 3


def test_permissions(analyst, make_user):
    content = csv_bytes(_person_rows(synthetic_people(2)))
    with pytest.raises(PermissionDenied):
        _stage(analyst, content)  # analysts import lists, not persons
    with pytest.raises(PermissionDenied):
        _stage(make_user("negotiator"), content, kind="list")
    assert not ImportJob.objects.exists()


# --- lists ---------------------------------------------------------------------------------

def _russian_list(people):
    rows = [["ФИО", "Дата рождения", "Личный номер"]]
    for p in people:
        rows.append([f"{russian(p['last_name']).upper()} {russian(p['first_name'])} {russian(p['patronymic'])}",
                     p["birth_date"].strftime("%d.%m.%Y"), ""])
    return rows


def test_list_import_links_rows_and_keeps_them_raw(analyst, register):
    people = synthetic_people(40)
    persons = register(people)
    listed = people[:10] + [{"last_name": "Невідомий", "first_name": "Тарас", "patronymic": "Іванович",
                             "birth_date": dt.date(1999, 1, 2), "service_number": ""}]
    job = _stage(analyst, csv_bytes(_russian_list(listed), encoding="cp1251", delimiter=";"), kind="list",
                 filename="list.csv")
    services.choose_encoding(analyst, job.pk, "cp1251")
    job = services.start_import(analyst, job.pk)
    assert job.state == JobState.DONE, job.message
    lst = job.incoming_list
    assert lst.row_count == 11 and lst.status_on_accept == "captivity_confirmed"
    row = lst.rows.get(row_number=2)
    assert row.raw["ФИО"].startswith(russian(people[0]["last_name"]).upper())
    assert row.decision == "match"
    assert row.candidates[0]["person_id"] == persons[0].pk
    assert {e["field"] for e in row.candidates[0]["explanation"]} >= {"last_name", "first_name", "birth_date"}
    assert lst.rows.get(row_number=12).decision in ("none", "review")
    assert Person.objects.count() == 40  # a list import never creates persons
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == 0  # nothing until reviewed


def test_command_imports_persons_and_list(registrar, register, tmp_path, capsys):
    people = synthetic_people(8)
    f = tmp_path / "persons.csv"
    f.write_bytes(csv_bytes(_person_rows(people[:5]), encoding="cp1251", delimiter=";"))
    call_command("import", str(f), kind="persons", source="unit report 12", date="2025-06-01", no_progress=True,
                 encoding="cp1251")
    assert Person.objects.count() == 5
    with pytest.raises(CommandError, match="already imported"):
        call_command("import", str(f), kind="persons", source="unit report 12", no_progress=True, encoding="cp1251")
    assert Person.objects.count() == 5
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([UK, ["Коваль", "", "", "1990", ""], ["Бондар", "Петро", "", "1991", ""]]))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", str(bad), kind="persons", source="x", no_progress=True)
    assert Person.objects.count() == 5
    call_command("import", str(bad), kind="persons", source="x", only_valid=True)
    assert Person.objects.count() == 6
    lst = tmp_path / "list.csv"
    lst.write_bytes(csv_bytes(_russian_list(people[:5]), encoding="cp1251", delimiter=";"))
    call_command("import", str(lst), kind="list", source="other side", date="2025-06-07", encoding="cp1251")
    out = capsys.readouterr()
    assert "5 rows" in out.out and "automatic matches" in out.out
    assert "linking" in out.err or "saving" in out.err  # the progress bar
    assert AuditEvent.objects.filter(action="intake.import", actor_name__startswith="command line").count() == 3


def test_a_job_queued_too_long_without_a_worker_is_closed_when_the_file_comes_again(registrar, settings):
    """A job whose process died before any worker took it (no worker named) is taken to be dead
    after IMPORT_STALE_MINUTES: the same file uploaded again closes it and is taken anew."""
    content = csv_bytes(_person_rows(synthetic_people(3)))
    job = _stage(registrar, content)
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.QUEUED, worker="")
    assert _stage(registrar, content).pk == job.pk  # still waiting: the same job
    settings.IMPORT_STALE_MINUTES = 0
    again = _stage(registrar, content)
    assert again.pk != job.pk and again.state == JobState.STAGED
    job.refresh_from_db()
    assert job.state == JobState.FAILED and AuditEvent.objects.filter(action="intake.abandoned").exists()
