import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from homecoming.aftercare import services
from homecoming.aftercare.models import Case, TaskState
from homecoming.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ("registrar", "analyst", "negotiator", "medical_officer", "case_worker", "finance_officer", "administrator")
CAN_VIEW = {"medical_officer", "case_worker"}


@pytest.fixture
def case(make_returnee):
    return Case.objects.get(person=make_returnee(returned=dt.date(2024, 5, 31)))


@pytest.mark.parametrize("role", ROLES)
def test_case_pages_per_role(client_for, case, role):
    client = client_for(role)
    for url in (reverse("aftercare:case_list"), reverse("aftercare:case_detail", args=[case.pk])):
        assert client.get(url).status_code == (200 if role in CAN_VIEW else 403), url


def test_medical_outcome_only_for_medical_officers(client_for, case):
    from homecoming.aftercare import services

    medic = client_for("medical_officer")
    exam = case.tasks.get(code="medical-exam")
    services.update_task(medic.user, exam.pk, state=TaskState.DONE, outcome="SYNTHETIC-DIAGNOSIS")
    assert "SYNTHETIC-DIAGNOSIS" in medic.get(reverse("aftercare:case_detail", args=[case.pk])).content.decode()
    worker = client_for("case_worker")
    page = worker.get(reverse("aftercare:case_detail", args=[case.pk])).content.decode()
    assert "SYNTHETIC-DIAGNOSIS" not in page and "for medical officers only" in page
    assert worker.get(reverse("aftercare:task_edit", args=[exam.pk])).status_code == 403
    assert AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).count() == 2


def test_task_form_error_changes_nothing(client_for, case):
    medic = client_for("medical_officer")
    exam = case.tasks.get(code="medical-exam")
    url = reverse("aftercare:task_edit", args=[exam.pk])
    assert medic.get(url).status_code == 200
    response = medic.post(url, {"state": "done", "due_date": "2024-06-03", "outcome": ""})
    assert response.status_code == 400
    assert "Describe the outcome" in response.content.decode()
    exam.refresh_from_db()
    assert exam.state == TaskState.OPEN
    response = medic.post(url, {"state": "done", "due_date": "2024-06-03", "outcome": "Synthetic: fit"})
    assert response.status_code == 302
    exam.refresh_from_db()
    assert exam.state == TaskState.DONE


def test_open_case_by_hand_page(client_for, make_returnee):
    worker = client_for("case_worker")
    person = make_returnee(status="released_other", returned=dt.date(2024, 2, 10))
    bad = worker.post(reverse("aftercare:case_open"), {"reference": "HC-999999"})
    assert bad.status_code == 400 and "No person has this reference" in bad.content.decode()
    assert not Case.objects.exists()
    ok = worker.post(reverse("aftercare:case_open"), {"reference": person.reference})
    assert ok.status_code == 302
    assert Case.objects.get(person=person).source == "other"
    assert client_for("medical_officer").post(reverse("aftercare:case_open"),
                                              {"reference": person.reference}).status_code == 403


def test_assign_and_close_pages(client_for, case):
    worker = client_for("case_worker")
    bad = worker.post(reverse("aftercare:case_assign", args=[case.pk]), {"owner": "abc"})
    assert bad.status_code == 400 and "Choose a case worker" in bad.content.decode()
    assert worker.post(reverse("aftercare:case_assign", args=[case.pk]), {"owner": worker.user.pk}).status_code == 302
    case.refresh_from_db()
    assert case.owner_id == worker.user.pk
    worker.post(reverse("aftercare:case_close", args=[case.pk]))
    case.refresh_from_db()
    assert case.state == "open"  # tasks still open: refused with a message


def test_overdue_tasks_tag(make_user, case):
    from homecoming.aftercare import services

    worker = make_user("case_worker")
    services.assign_case(worker, case.pk, worker.pk)
    request = RequestFactory().get("/")
    html = Template("{% load aftercare_tags %}{% overdue_tasks %}")
    request.user = worker
    out = html.render(Context({"request": request}))
    assert "overdue-tasks" in out and case.reference in out  # the tasks of 2024 are long overdue
    request.user = make_user("finance_officer")
    assert "overdue-tasks" not in html.render(Context({"request": request}))


def test_the_start_page_never_says_no_overdue_tasks_while_unowned_cases_fall_behind(make_user, case, client):
    """Issue 19: the case worker's start page said "no overdue tasks" while cases nobody owned
    had overdue tasks; it now counts them (no names) and links to exactly those cases."""
    from homecoming.aftercare.models import Task

    assert case.owner_id is None
    overdue = Task.objects.filter(case=case, due_date__lt=timezone.localdate()).count()
    assert overdue
    worker = make_user("case_worker")
    client.force_login(worker)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No overdue tasks." not in page
    assert f"1 case nobody owns has {overdue} overdue tasks." in page
    assert case.person.last_name not in page  # counts only on the start page
    listed = client.get(reverse("aftercare:case_list") + "?state=open&owner=none").content.decode()
    assert case.reference in listed
    services.assign_case(worker, case.pk, worker.pk)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "nobody owns" not in page and case.reference in page  # now the worker's own overdue tasks
    assert case.reference not in client.get(reverse("aftercare:case_list") + "?state=open&owner=none").content.decode()
