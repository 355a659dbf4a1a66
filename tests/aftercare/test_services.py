import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from homecoming.aftercare import selectors, services
from homecoming.aftercare.models import Case, CaseSource, CaseState, PlanTemplate, Task, TaskState
from homecoming.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_person_returned_opens_one_case_with_the_plan(make_returnee, negotiator):
    person = make_returnee(returned=dt.date(2024, 5, 31))
    case = Case.objects.get(person=person)
    assert (case.state, case.source, case.returned_on) == (CaseState.OPEN, CaseSource.EXCHANGE, dt.date(2024, 5, 31))
    assert (case.exchange_id, case.exchange_label) == (7, "Istanbul 2025 · 2")
    template = PlanTemplate.objects.get(code="standard")
    assert [t.code for t in case.tasks.all()] == [t.code for t in template.tasks.all()]
    exam = case.tasks.get(code="medical-exam")
    assert exam.kind == "medical" and exam.due_date == dt.date(2024, 6, 3)  # returned + 3 days
    assert case.tasks.get(code="follow-up").due_date == dt.date(2025, 5, 31)  # + 365 days
    # idempotent: the same signal again (a re-run) does not open a second case
    again = services.open_case(negotiator, person, returned_on=dt.date(2024, 5, 31), source=CaseSource.EXCHANGE)
    assert again.pk == case.pk and Case.objects.filter(person=person).count() == 1
    assert AuditEvent.objects.filter(action="case.open", object_id=str(case.pk)).count() == 1


def test_open_case_needs_permission(make_returnee, make_user):
    person = make_returnee(signal=False)
    for role in ("registrar", "finance_officer", "medical_officer"):
        with pytest.raises(PermissionDenied):
            services.open_case(make_user(role), person, returned_on=dt.date(2024, 5, 31), source=CaseSource.OTHER)
    # a negotiator may open only through an exchange, not by hand
    with pytest.raises(PermissionDenied):
        services.open_case(make_user("negotiator"), person, returned_on=dt.date(2024, 5, 31),
                           source=CaseSource.OTHER)
    assert not Case.objects.exists()


def test_open_by_hand_for_released_by_other_means(make_returnee, make_user):
    worker = make_user("case_worker")
    person = make_returnee(status="released_other", returned=dt.date(2024, 2, 10))
    assert not Case.objects.filter(person=person).exists()  # no exchange, no signal
    case = services.open_case_by_hand(worker, person.pk)
    assert (case.source, case.returned_on) == (CaseSource.OTHER, dt.date(2024, 2, 10))
    assert services.open_case_by_hand(worker, person.pk).pk == case.pk


def test_open_by_hand_refuses_a_person_not_back(make_user, registrar):
    from homecoming.registry import services as registry

    worker = make_user("case_worker")
    person = registry.create_person(registrar, {"last_name": "Тестова", "first_name": "Ірина"},
                                    initial_event={"status": "missing", "effective_date": dt.date(2023, 1, 1),
                                                   "source_kind": "unit_report"})
    with pytest.raises(ValidationError) as err:
        services.open_case_by_hand(worker, person.pk)
    assert "person" in err.value.message_dict
    assert not Case.objects.exists()


def test_tasks_state_outcome_and_medical_permission(make_returnee, make_user):
    person = make_returnee()
    case = Case.objects.get(person=person)
    worker, medic = make_user("case_worker"), make_user("medical_officer")
    exam = case.tasks.get(code="medical-exam")
    with pytest.raises(PermissionDenied):  # medical content: the case worker may not touch it
        services.update_task(worker, exam.pk, state=TaskState.DONE, outcome="x")
    with pytest.raises(ValidationError) as err:  # done needs an outcome; nothing changes
        services.update_task(medic, exam.pk, state=TaskState.DONE)
    assert "outcome" in err.value.message_dict
    exam.refresh_from_db()
    assert exam.state == TaskState.OPEN
    with pytest.raises(ValidationError) as err:
        services.update_task(medic, exam.pk, state="finished", due_date="31.05.2024")
    assert set(err.value.message_dict) == {"state", "due_date"}
    with pytest.raises(ValidationError) as err:
        services.update_task(medic, exam.pk, assignee_id=worker.pk)  # a case worker cannot take a medical task
    assert "assignee" in err.value.message_dict
    services.update_task(medic, exam.pk, state=TaskState.DONE, outcome="Synthetic: fit, follow-up in 30 days",
                         assignee_id=medic.pk)
    exam.refresh_from_db()
    assert (exam.state, exam.assignee_id, exam.completed_on is not None) == (TaskState.DONE, medic.pk, True)
    # the audit records what changed, never the medical outcome
    event = AuditEvent.objects.filter(action="case.task_update").latest("id")
    assert "Synthetic" not in str(event.details)
    docs = case.tasks.get(code="documents")
    services.update_task(worker, docs.pk, state=TaskState.IN_PROGRESS)
    assert Task.objects.get(pk=docs.pk).state == TaskState.IN_PROGRESS


def test_assign_and_close(make_returnee, make_user):
    case = Case.objects.get(person=make_returnee())
    worker, medic = make_user("case_worker"), make_user("medical_officer")
    with pytest.raises(ValidationError):
        services.assign_case(worker, case.pk, medic.pk)  # not a case worker
    services.assign_case(worker, case.pk, worker.pk)
    assert set(case.tasks.filter(kind="general").values_list("assignee", flat=True)) == {worker.pk}
    assert set(case.tasks.filter(kind="medical").values_list("assignee", flat=True)) == {None}
    with pytest.raises(ValidationError):
        services.close_case(worker, case.pk)  # tasks still open
    for task in case.tasks.all():
        services.update_task(medic if task.is_medical else worker, task.pk, state=TaskState.CANCELLED)
    services.close_case(worker, case.pk)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    with pytest.raises(ValidationError):
        services.update_task(worker, case.tasks.filter(kind="general").first().pk, state=TaskState.OPEN)


def test_overdue_tasks_for_case_worker_and_medical_officer(make_returnee, make_user):
    case = Case.objects.get(person=make_returnee(returned=dt.date(2024, 5, 31)))
    worker, medic, other = make_user("case_worker"), make_user("medical_officer"), make_user("case_worker")
    services.assign_case(worker, case.pk, worker.pk)
    today = dt.date(2024, 6, 20)  # exam 3 June, assessment 7 June, documents 14 June: overdue; the rest not yet
    # the case worker sees every overdue task of their case (titles only: no medical content)
    assert {t.code for t in selectors.overdue_tasks_for(worker, today)} == {
        "documents", "medical-exam", "psych-assessment"}
    assert {t.code for t in selectors.overdue_tasks_for(medic, today)} == {"medical-exam", "psych-assessment"}
    assert selectors.overdue_tasks_for(other, today) == []
    assert selectors.overdue_tasks_for(make_user("finance_officer"), today) == []


def test_merge_moves_cases_and_undo_puts_them_back(make_returnee, make_user):
    from homecoming.registry import services as registry

    a, b = make_returnee("Дублікат", "Андрій"), make_returnee("Дублікат", "Андрій")
    admin = make_user("registrar")
    case_a, case_b = Case.objects.get(person=a), Case.objects.get(person=b)
    merge = registry.merge_persons(admin, a.pk, b.pk)
    case_b.refresh_from_db()
    assert (case_b.person_id, case_b.state) == (a.pk, CaseState.MERGED)
    assert Case.objects.filter(person=a, state=CaseState.OPEN).get().pk == case_a.pk
    registry.undo_merge(admin, merge.pk)
    case_b.refresh_from_db()
    assert (case_b.person_id, case_b.state) == (b.pk, CaseState.OPEN)


def test_the_family_portal_gets_the_case_owners_contact_and_nothing_else(make_returnee, make_user):
    """Families and aftercare do not import each other: the portal asks every app for a contact
    (homecoming.families.contacts) and aftercare answers with the open case's owner."""
    from homecoming.families.contacts import contact_for

    person = make_returnee()
    assert contact_for(person) is None  # a case without an owner: nobody to name yet
    worker = make_user("case_worker", first_name="Марія", last_name="Тестова", email="maria@hq.example")
    case = Case.objects.get(person=person)
    services.assign_case(make_user("case_worker"), case.pk, worker.pk)
    # the sign-in e-mail is not published: only the name until the account gives a work contact
    assert contact_for(person) == {"name": "Марія Тестова"}
    type(worker).objects.filter(pk=worker.pk).update(family_phone="+380 44 000 0000",
                                                     family_email="maria.work@hq.example")
    assert contact_for(person) == {"name": "Марія Тестова", "phone": "+380 44 000 0000",
                                   "email": "maria.work@hq.example"}
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    assert contact_for(person) is None  # a closed case is no longer a contact
