import datetime as dt

import pytest

from homecoming.aftercare import services
from homecoming.aftercare.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_returnee):
    return Case.objects.get(person=make_returnee(returned=dt.date(2024, 5, 31)))


@pytest.mark.parametrize("role, status", [("case_worker", 200), ("medical_officer", 200), ("finance_officer", 403),
                                          ("registrar", 403)])
def test_case_api_per_role(client_for, case, role, status):
    client = client_for(role)
    assert client.get("/api/v1/aftercare/cases/").status_code == status
    assert client.get(f"/api/v1/aftercare/cases/{case.pk}/").status_code == status


def test_medical_outcome_hidden_in_the_api(client_for, case):
    medic = client_for("medical_officer")
    exam = case.tasks.get(code="medical-exam")
    services.update_task(medic.user, exam.pk, state="done", outcome="SYNTHETIC-DIAGNOSIS")
    worker = client_for("case_worker")
    data = worker.get(f"/api/v1/aftercare/cases/{case.pk}/").json()
    task = next(t for t in data["tasks"] if t["code"] == "medical-exam")
    assert task["outcome"] is None and task["outcome_hidden"] is True
    assert "SYNTHETIC-DIAGNOSIS" in medic.get(f"/api/v1/aftercare/cases/{case.pk}/").content.decode()
    assert worker.patch(f"/api/v1/aftercare/tasks/{exam.pk}/", {"state": "open"},
                        content_type="application/json").status_code == 403


def test_task_patch_errors_change_nothing(client_for, case):
    worker = client_for("case_worker")
    docs = case.tasks.get(code="documents")
    response = worker.patch(f"/api/v1/aftercare/tasks/{docs.pk}/", {"state": "finished", "due_date": "soon"},
                            content_type="application/json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"state", "due_date"}
    response = worker.patch(f"/api/v1/aftercare/tasks/{docs.pk}/", {"colour": "red"}, content_type="application/json")
    assert response.status_code == 400 and "colour" in response.json()["errors"]
    docs.refresh_from_db()
    assert docs.state == "open"
    response = worker.patch(f"/api/v1/aftercare/tasks/{docs.pk}/", {"state": "in_progress"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "in_progress"
