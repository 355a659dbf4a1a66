"""A reconciliation hands its returnees to aftercare, payments and families in bulk
(``persons_returned``, ``status_events_added``): it must write exactly what the per-person receivers
wrote (same cases, tasks, due dates, return records, notifications, audit events) and stay all or
nothing when a receiver fails half-way."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from homecoming.aftercare import receivers as aftercare_receivers
from homecoming.aftercare import services as aftercare
from homecoming.aftercare.models import Case, Task
from homecoming.audit.models import AuditEvent
from homecoming.audit.services import verify_chain
from homecoming.exchanges import services
from homecoming.exchanges.models import EntryEvent, ListEntry
from homecoming.exchanges.signals import exchange_reconciled, person_returned, persons_returned
from homecoming.families import channels
from homecoming.families import receivers as families_receivers
from homecoming.families import services as families
from homecoming.families.models import Inquiry, Notification
from homecoming.payments import receivers as payments_receivers
from homecoming.payments import services as payments
from homecoming.payments.models import ReturnRecord
from homecoming.registry import services as registry
from homecoming.registry.models import Person, Source, StatusEvent

DAY = dt.date(2025, 6, 12)


class Sms:
    name = "sms"

    def send(self, recipient, subject, body):
        pass


@pytest.fixture(autouse=True)
def _mail_and_sms(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    channels.register_channel(Sms())  # two channels: a family with e-mail and phone gets two messages
    yield
    channels._CHANNELS.pop("sms", None)


def _inquiry(registrar, person, *, language="en", phone="+380501112233", email="family@example.org"):
    data = {"last_name": person.last_name, "first_name": person.first_name, "patronymic": "", "birth_date": "1995",
            "service_number": "", "unit": "", "incident_date": "2023-04-20", "incident_place": "",
            "circumstances": "", "inquirer_name": "Олена Синтетична", "relation": "mother", "phone": phone,
            "email": email, "language": language, "consent": True}
    filed = families.file_inquiry(None, data)
    families.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    return filed.inquiry


@pytest.fixture
def stage(negotiator, registrar, make_user, categories, agreement, make_person):
    """A carried-out stage: four of ours listed and crossed (two with families waiting, one of them
    also asking in Ukrainian by e-mail only; one who already has an open case), one of ours crossed
    unlisted, one listed who did not come, one handed-over prisoner."""
    serious, _ = categories
    ours = [make_person(last, "Іван", medical_category="seriously_wounded")
            for last in ("Коваль", "Бондар", "Шевчук", "Ткаченко")]
    absent = make_person("Лисенко", "Тарас", medical_category="seriously_ill")
    enemy = make_person("Иванов", "Иван", side="enemy", medical_category="seriously_wounded")
    unlisted = make_person("Гончар", "Микола", history=[("missing", dt.date(2024, 2, 1))])
    _inquiry(registrar, ours[0])
    _inquiry(registrar, ours[1], language="uk", phone="")
    _inquiry(registrar, unlisted)
    case_worker = make_user("case_worker")
    aftercare.open_case(case_worker, ours[3], returned_on=dt.date(2025, 1, 5), source="other")
    exchange = services.create_exchange(negotiator, agreement.pk, planned_date="2025-06-12")
    services.add_entries(negotiator, exchange.pk, serious.pk, [p.pk for p in ours] + [absent.pk, enemy.pk],
                         effective_date="2025-06-05")
    for entry in exchange.entries.all():
        services.change_entry_state(negotiator, entry.pk, "confirmed")
    for status in ("lists_sent", "lists_agreed"):
        services.set_exchange_status(negotiator, exchange.pk, status)
    services.set_exchange_status(negotiator, exchange.pk, "carried_out", carried_out_on=DAY)
    services.record_crossings(negotiator, exchange.pk, person_ids=[p.pk for p in ours] + [enemy.pk], how="list")
    services.record_crossings(negotiator, exchange.pk, person_ids=[unlisted.pk])
    return exchange, ours + [unlisted]


# --- the per-person way, as the receivers worked before the bulk signals -------------------------

def _case_per_person(sender, person, exchange, returned_on, actor, **kwargs):
    aftercare.open_case(actor, person, returned_on=returned_on, source="exchange", exchange=exchange)


def _payment_per_person(sender, person, exchange, returned_on, actor, **kwargs):
    payments.note_return(actor, person, exchange=exchange, returned_on=returned_on)


def _family_per_event(sender, events, persons, **kwargs):
    for event in events:  # what status_event_added did, once per event
        families.status_changed(persons[event.person_id], event)


BULK = [
    (persons_returned, aftercare_receivers._persons_returned, "aftercare.open_cases"),
    (persons_returned, payments_receivers._persons_returned, "payments.note_returns"),
    (registry.status_events_added, families_receivers._status_events_added, "families.status_events_added"),
]
PER_PERSON = [
    (person_returned, _case_per_person, "test.case_per_person"),
    (person_returned, _payment_per_person, "test.payment_per_person"),
    (registry.status_events_added, _family_per_event, "test.family_per_event"),
]


@contextlib.contextmanager
def _per_person_receivers():
    for signal, _fn, uid in BULK:
        signal.disconnect(dispatch_uid=uid)
    for signal, fn, uid in PER_PERSON:
        signal.connect(fn, dispatch_uid=uid)
    try:
        yield
    finally:
        for signal, _fn, uid in PER_PERSON:
            signal.disconnect(dispatch_uid=uid)
        for signal, fn, uid in BULK:
            signal.connect(fn, dispatch_uid=uid)


def _snapshot(after_event_id: int) -> dict:
    """Everything the receivers write, with the database's own ids replaced by what they stand for
    (ids differ between two runs on PostgreSQL, whose sequences do not roll back)."""
    case_person = dict(Case.objects.values_list("pk", "person_id"))
    note_of = {n.pk: (n.inquiry_id, n.channel) for n in Notification.objects.all()}
    event_of = {e.pk: (e.person_id, e.status) for e in StatusEvent.objects.all()}
    cases = sorted((
        (c.person_id, c.state, c.source, c.returned_on, c.exchange_id, c.exchange_label, c.template_id,
         c.opened_by_id, c.owner_id,
         tuple((t.template_task_id, t.code, t.title_uk, t.title_en, t.kind, t.due_date, t.position, t.state,
                t.assignee_id) for t in c.tasks.order_by("position", "code")))
        for c in Case.objects.all()), key=repr)
    returns = sorted(ReturnRecord.objects.values_list("person_id", "exchange_id", "exchange_label", "returned_on"))
    notes = sorted(Notification.objects.filter(template="status").values_list(
        "inquiry_id", "channel", "recipient", "language", "subject", "body", "state", "attempts"))
    inquiries = sorted(Inquiry.objects.values_list("pk", "notified_state"))
    audit = []
    for e in AuditEvent.objects.filter(pk__gt=after_event_id):
        object_id = e.object_id
        if e.object_type == "aftercare_case":
            object_id = ("case of person", case_person[int(object_id)])
        details = dict(e.details)
        if "notification" in details:
            details["notification"] = note_of[details["notification"]]
        if e.action == "person.status_events_bulk":
            details["events"] = sorted([pid, event_of[pk], status, day] for pid, pk, status, day in details["events"])
            details.pop("source")
            object_id = "source"
        audit.append((e.actor_id, e.actor_name, e.action, e.object_type, repr(object_id),
                      repr(sorted(details.items()))))
    return {"cases": cases, "returns": returns, "notifications": notes, "inquiries": inquiries,
            "audit": sorted(audit, key=repr), "status_events": StatusEvent.objects.count(),
            "tasks": Task.objects.count()}


class _Undo(Exception):
    pass


def _reconcile_and_look(negotiator, exchange, *, per_person: bool) -> dict:
    """Reconcile, take the snapshot, and roll everything back so that the other way starts alike."""
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    result = {}
    with contextlib.suppress(_Undo), transaction.atomic():
        with _per_person_receivers() if per_person else contextlib.nullcontext():
            services.reconcile(negotiator, exchange.pk)
        result = _snapshot(mark)
        result["chain"] = verify_chain()
        raise _Undo
    return result


def test_bulk_receivers_write_exactly_what_the_per_person_receivers_wrote(negotiator, stage):
    exchange, returnees = stage
    per_person = _reconcile_and_look(negotiator, exchange, per_person=True)
    bulk = _reconcile_and_look(negotiator, exchange, per_person=False)
    # The per-person way was really taken and wrote something of every kind.
    assert len(per_person["cases"]) == 5 and {c[0] for c in per_person["cases"]} == {p.pk for p in returnees}
    assert per_person["tasks"] == 5 * Task.objects.filter(case__person=returnees[3]).count() > 0
    assert len(per_person["returns"]) == 5
    earlier = Notification.objects.filter(template="status").count()  # captivity, told when linked
    assert len(per_person["notifications"]) - earlier == 5  # e-mail + SMS, e-mail only, e-mail + SMS
    actions = [a[2] for a in per_person["audit"]]
    assert actions.count("case.open") == 4 and actions.count("payments.return_noted") == 5
    assert actions.count("notification.queue") == 5
    # ... and the bulk way wrote the same, field for field.
    for key in per_person:
        assert bulk[key] == per_person[key], key
    assert bulk["chain"] is None and per_person["chain"] is None


def test_due_dates_follow_the_plan_from_the_exchange_day(negotiator, stage):
    exchange, returnees = stage
    services.reconcile(negotiator, exchange.pk)
    case = Case.objects.get(person=returnees[0], state="open")
    plan = {t.code: t.due_days for t in case.template.tasks.all()}
    assert plan and {t.code: t.due_date for t in case.tasks.all()} == {
        code: DAY + dt.timedelta(days=days) for code, days in plan.items()}
    kept = Case.objects.get(person=returnees[3], state="open")  # already open: kept as it was
    assert kept.source == "other" and kept.returned_on == dt.date(2025, 1, 5)
    assert Case.objects.filter(person=returnees[3]).count() == 1
    assert verify_chain() is None


def _everything():
    return (list(Person.objects.order_by("pk").values_list("pk", "current_status", "current_status_date")),
            list(ListEntry.objects.order_by("pk").values_list("pk", "state")),
            sorted(Inquiry.objects.values_list("pk", "notified_state")),
            StatusEvent.objects.count(), EntryEvent.objects.count(), Case.objects.count(), Task.objects.count(),
            ReturnRecord.objects.count(), Notification.objects.count(), AuditEvent.objects.count())


@pytest.mark.parametrize("where", ["payments", "after_the_bulk_receivers", "exchange_reconciled"])
def test_a_receiver_failing_half_way_leaves_no_change_at_all(negotiator, stage, monkeypatch, where):
    exchange, returnees = stage
    before = _everything()
    seen = {}

    def fail(*args, **kwargs):
        # Half-way: the status events, the notifications and (but for payments) the cases exist by now.
        seen["status events"] = StatusEvent.objects.count() - before[3]
        seen["cases"] = Case.objects.count() - before[5]
        seen["notifications"] = Notification.objects.count() - before[8]
        raise RuntimeError("a receiver failed")

    signal = {"after_the_bulk_receivers": persons_returned, "exchange_reconciled": exchange_reconciled}.get(where)
    if where == "payments":
        monkeypatch.setattr(payments, "note_returns", fail)
    else:
        signal.connect(fail, dispatch_uid="test.fail")
    try:
        with pytest.raises(RuntimeError, match="a receiver failed"):
            services.reconcile(negotiator, exchange.pk)
    finally:
        if signal is not None:
            signal.disconnect(dispatch_uid="test.fail")
    # 5 returned, 1 exchanged and the closing of the absent person's listing ("not delivered")
    assert seen == {"status events": 7, "cases": 4, "notifications": 5}
    assert _everything() == before
    exchange.refresh_from_db()
    assert exchange.status == "carried_out" and exchange.report is None
    assert verify_chain() is None
    monkeypatch.undo()
    services.reconcile(negotiator, exchange.pk)  # once the cause is gone it goes through, once
    assert Case.objects.filter(person__in=returnees, state="open").count() == 5
    assert verify_chain() is None


# --- aftercare.open_cases on its own: bad input refuses everything --------------------------------

def test_open_cases_refuses_bad_input_and_opens_nothing(negotiator, make_user, make_person):
    a, b = make_person("Тестовий", "Петро"), make_person("Тестовий", "Павло")
    registrar, case_worker = make_user("registrar"), make_user("case_worker")
    cases, audit = Case.objects.count(), AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        aftercare.open_cases(registrar, [(a, DAY)], source="exchange")
    with pytest.raises(ValidationError) as err:
        aftercare.open_cases(negotiator, [(a, DAY), (b, "2025-06-12")], source="exchange")
    assert "returned_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        aftercare.open_cases(case_worker, [(a, DAY)], source="somewhere")
    assert "source" in err.value.message_dict
    with pytest.raises(PermissionDenied):  # a negotiator opens cases only for an exchange
        aftercare.open_cases(negotiator, [(a, DAY)], source="other")
    assert Case.objects.count() == cases and AuditEvent.objects.count() == audit


def test_open_cases_refuses_a_merged_record_and_opens_nothing(negotiator, make_person):
    a, b = make_person("Тестовий", "Петро"), make_person("Тестовий", "Павло")
    Person.objects.filter(pk=b.pk).update(merged_into=a)  # as a merge leaves the duplicate
    cases, audit = Case.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="was merged into"):
        aftercare.open_cases(negotiator, [(a, DAY), (b, DAY)], source="exchange")
    assert Case.objects.count() == cases and AuditEvent.objects.count() == audit


def test_open_cases_names_a_person_twice_once(negotiator, make_person):
    a = make_person("Тестовий", "Петро")
    got = aftercare.open_cases(negotiator, [(a, DAY), (a, DAY + dt.timedelta(days=3))], source="exchange")
    assert got[0].pk == got[1].pk and got[0].returned_on == DAY
    assert Case.objects.filter(person=a).count() == 1
    assert AuditEvent.objects.filter(action="case.open", object_id=str(got[0].pk)).count() == 1


def test_each_bulk_signal_is_sent_once_per_reconciliation(negotiator, stage):
    exchange, returnees = stage
    calls = {"persons_returned": [], "status_events_added": []}

    def returned(sender, returns, exchange, actor, **kwargs):
        calls["persons_returned"].append([(p.pk, day) for p, day in returns])

    def added(sender, events, persons, **kwargs):
        calls["status_events_added"].append(sorted((e.person_id, e.status) for e in events))

    persons_returned.connect(returned, dispatch_uid="test.returned")
    registry.status_events_added.connect(added, dispatch_uid="test.added")
    try:
        services.reconcile(negotiator, exchange.pk)
    finally:
        persons_returned.disconnect(dispatch_uid="test.returned")
        registry.status_events_added.disconnect(dispatch_uid="test.added")
    assert len(calls["persons_returned"]) == 1
    assert sorted(calls["persons_returned"][0]) == sorted((p.pk, DAY) for p in returnees)
    # + the enemy, + the closing of the absent person's listing
    assert len(calls["status_events_added"]) == 1 and len(calls["status_events_added"][0]) == 7


def test_two_events_of_one_person_in_one_bulk_tell_the_family_once(negotiator, registrar, make_person):
    person = make_person("Коваль", "Іван", history=[("missing", dt.date(2023, 1, 10))])
    inquiry = _inquiry(registrar, person, phone="")
    before = Notification.objects.filter(template="status").count()
    source = Source.objects.create(kind="exchange_record", reference="synthetic")
    registry.add_status_events_bulk(
        negotiator, [(person.pk, "captivity_confirmed", dt.date(2025, 6, 1)), (person.pk, "returned", DAY)],
        source=source, permission="exchanges.reconcile_exchange")
    notes = list(Notification.objects.filter(template="status").order_by("pk"))[before:]
    assert [(n.channel, "Returned home" in n.subject + n.body) for n in notes] == [("email", True)]
    inquiry.refresh_from_db()
    assert inquiry.notified_state == "returned"
    assert AuditEvent.objects.filter(action="notification.queue", object_id=str(inquiry.pk),
                                     details__notification=notes[0].pk).count() == 1
