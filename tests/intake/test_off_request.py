"""No file is read in a web request: the upload keeps the file and a background task checks it,
the confirmed import runs as a task too. A hostile file then costs a task worker (with its own
limits), never a server thread. Here the tasks are only queued (django-tasks' dummy backend) so
that the request's own work can be seen, then run by hand as a worker would."""

from __future__ import annotations

import pytest
from django.urls import reverse

from homecoming.intake import parsing, services
from homecoming.intake.models import ImportJob
from homecoming.registry.models import Person

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queued_tasks(settings):
    from django_tasks import task_backends

    settings.TASKS = DUMMY  # django-tasks builds its backends again when the setting changes
    backend = task_backends["default"]
    yield backend
    backend.clear()


def _upload(client, content, filename="list.csv", kind="persons"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("intake:upload"), {
        "file": SimpleUploadedFile(filename, content), "kind": kind, "source_kind": "unit_report",
        "source_reference": "unit report 7", "list_date": "2025-06-07", "status_on_accept": "", "sheet": ""})


def _run(backend):
    """Run the queued tasks as the worker does, then forget them."""
    results = list(backend.results)
    backend.clear()
    for result in results:
        result.task.call(*result.args, **result.kwargs)
    return [r.task.name for r in results]


def test_upload_and_import_read_the_file_only_in_tasks(client_for, queued_tasks, monkeypatch):
    c = client_for("registrar")
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    rows = [["Прізвище", "Ім'я", "Дата народження"], ["Петренко", "Олександр", "1990"]]
    real_read = parsing.read_table
    reads_in_requests = []

    def watched(*args, **kwargs):
        if in_request["now"]:
            reads_in_requests.append(args[1] if len(args) > 1 else kwargs.get("filename"))
        return real_read(*args, **kwargs)

    in_request = {"now": True}
    monkeypatch.setattr(parsing, "read_table", watched)
    response = _upload(c, csv_bytes(rows))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.state == "checking"
    page = c.get(reverse("intake:job_detail", args=[job.pk]))
    assert "Being checked" in page.content.decode() and 'id="operation-progress"' in page.content.decode()
    in_request["now"] = False
    assert _run(queued_tasks) == ["check_file"]
    job.refresh_from_db()
    assert job.state == "staged" and job.samples == [["Петренко", "Олександр", "1990"]]
    in_request["now"] = True
    page = c.get(reverse("intake:job_detail", args=[job.pk]))  # the samples come from the job, not the file
    assert "Петренко" in page.content.decode()
    c.post(reverse("intake:job_start", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == "queued" and not Person.objects.exists()
    in_request["now"] = False
    assert _run(queued_tasks) == ["import_file"]
    job.refresh_from_db()
    assert job.state == "done" and Person.objects.filter(last_name="Петренко").exists()
    assert reads_in_requests == []


@pytest.mark.parametrize("encoding,code", [("koi8-u", "koi8_u"), ("cp1251", "cp1251")])
def test_a_guessed_encoding_is_shown_with_its_readings_and_nothing_is_written_before_a_choice(
        client_for, encoding, code):
    c = client_for("registrar")
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    text = "Прізвище;Ім'я;Дата народження\nКоваленко;Сергій;1990\nШевчук;Ганна;1991\n"
    _upload(c, text.encode(encoding))
    job = ImportJob.objects.get()
    assert job.state == "staged" and not job.encoding_confirmed
    page = c.get(reverse("intake:job_detail", args=[job.pk])).content.decode()
    assert "Which reading is right?" in page and "Коваленко;Сергій;1990" in page  # decoded samples
    assert page.count('name="encoding"') == len(job.encoding_guesses) > 1
    response = c.post(reverse("intake:job_start", args=[job.pk]), follow=True)
    assert "only a guess" in response.content.decode() and not Person.objects.exists()
    wrong = next(g["encoding"] for g in job.encoding_guesses if g["encoding"] != code)
    services.choose_encoding(c.user, job.pk, wrong)  # a person may change their mind before importing
    c.post(reverse("intake:job_encoding", args=[job.pk]), {"encoding": code})
    job.refresh_from_db()
    assert job.state == "staged" and job.encoding_confirmed and job.encoding_choice == code
    c.post(reverse("intake:job_start", args=[job.pk]))
    assert sorted(Person.objects.values_list("last_name", flat=True)) == ["Коваленко", "Шевчук"]
