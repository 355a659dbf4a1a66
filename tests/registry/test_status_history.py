"""Status history: append-only events, derived current status, rules per side and dates."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from homecoming.audit.models import AuditEvent
from homecoming.registry import services
from homecoming.registry.models import Person, StatusEvent
from homecoming.registry.selectors import status_is_consistent

pytestmark = pytest.mark.django_db


def add(actor, person, status, date, **kw):
    return services.add_status_event(actor, person.pk, status=status, effective_date=date,
                                     source_kind=kw.pop("source_kind", "unit_report"), **kw)


def test_current_status_is_the_latest_effective_event_not_the_latest_entered(registrar, make_person):
    person = make_person(status="missing", status_date=dt.date(2022, 4, 10))
    add(registrar, person, "returned", dt.date(2025, 5, 23))
    # Entered later, but effective earlier: the current status stays "returned".
    add(registrar, person, "captivity_confirmed", dt.date(2022, 9, 1), source_kind="icrc")
    person.refresh_from_db()
    assert person.current_status == "returned"
    assert person.current_status_date == dt.date(2025, 5, 23)
    assert person.was_missing is True
    assert status_is_consistent(person)


def test_a_correction_is_a_new_event_that_retracts_the_one_it_corrects(registrar, make_person):
    person = make_person(status="missing", status_date=dt.date(2022, 4, 10))
    wrong = add(registrar, person, "deceased", dt.date(2023, 1, 5))
    person.refresh_from_db()
    assert person.current_status == "deceased"
    add(registrar, person, "captivity_confirmed", dt.date(2022, 12, 1), corrects=wrong.pk,
        source_kind="returnee_testimony")
    person.refresh_from_db()
    assert person.current_status == "captivity_confirmed"
    assert StatusEvent.objects.filter(person=person).count() == 3  # nothing deleted
    assert status_is_consistent(person)
    with pytest.raises(ValidationError) as exc:
        add(registrar, person, "returned", dt.date(2024, 1, 1), corrects=wrong.pk)
    assert "already been corrected" in str(exc.value)


def test_correcting_a_correction_is_judged_against_the_live_history_not_the_original(registrar, make_person):
    """Found by the stateful test: replacing a correction brought the event it had corrected back to
    life in the check, so "captivity confirmed" after "found" was let through without a reason."""
    person = make_person(status="missing", status_date=dt.date(2026, 1, 16))
    first = StatusEvent.objects.get(person=person)
    fix = add(registrar, person, "found", dt.date(2024, 10, 20), corrects=first.pk, source_kind="icrc")
    later = add(registrar, person, "captivity_confirmed", dt.date(2024, 9, 29), source_kind="icrc")
    add(registrar, person, "found", dt.date(2025, 3, 25), corrects=later.pk, source_kind="icrc")
    before = list(StatusEvent.objects.filter(person=person).values_list("pk", "status", "effective_date"))
    with pytest.raises(ValidationError) as exc:
        add(registrar, person, "captivity_confirmed", dt.date(2026, 10, 7), corrects=fix.pk, source_kind="icrc")
    assert "cannot follow" in str(exc.value)
    assert list(StatusEvent.objects.filter(person=person).values_list("pk", "status", "effective_date")) == before
    # With the reason stated it is recorded, as any contradiction may be.
    add(registrar, person, "captivity_confirmed", dt.date(2026, 10, 7), corrects=fix.pk, source_kind="icrc",
        exception_reason="The finding was a namesake; the ICRC confirms captivity.")
    person.refresh_from_db()
    assert person.current_status == "captivity_confirmed"
    assert status_is_consistent(person)


def test_statuses_that_make_no_sense_for_the_side_are_refused(registrar, make_person):
    enemy = make_person("Іванов", "Сергій", "Петрович", side="enemy", status="held")
    before = StatusEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        add(registrar, enemy, "missing", dt.date(2023, 1, 1))
    assert "status" in exc.value.message_dict
    ours = make_person()
    with pytest.raises(ValidationError):
        add(registrar, ours, "held", dt.date(2023, 1, 1))
    assert StatusEvent.objects.count() == before + 1  # only `ours`'s initial event
    enemy.refresh_from_db()
    assert enemy.current_status == "held"


def test_changing_the_side_is_refused_when_the_history_does_not_fit(registrar, make_person):
    person = make_person()
    with pytest.raises(ValidationError) as exc:
        services.update_person(registrar, person.pk, version=person.version, changes={"side": "enemy"})
    assert "side" in exc.value.message_dict
    person.refresh_from_db()
    assert person.side == "ours"


@pytest.mark.parametrize("date, message", [
    (dt.date.today() + dt.timedelta(days=1), "future"),
    (dt.date(1990, 1, 1), "before the date of birth"),
    ("2023-13-01", "YYYY-MM-DD"),
])
def test_bad_event_dates_are_refused_and_nothing_changes(registrar, make_person, date, message):
    person = make_person(birth_date=dt.date(1995, 3, 3))
    events, audit = StatusEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        add(registrar, person, "captivity_confirmed", date)
    assert message in " ".join(exc.value.message_dict["effective_date"])
    assert (StatusEvent.objects.count(), AuditEvent.objects.count()) == (events, audit)
    person.refresh_from_db()
    assert person.current_status == "missing"


def test_event_needs_a_source_kind_and_the_permission(registrar, make_person, make_user):
    person = make_person()
    with pytest.raises(ValidationError) as exc:
        add(registrar, person, "found", dt.date(2024, 1, 1), source_kind="rumour")
    assert "source_kind" in exc.value.message_dict
    negotiator = make_user("negotiator")
    with pytest.raises(PermissionDenied):
        add(negotiator, person, "found", dt.date(2024, 1, 1))
    # Another app that checked its own permission may pass it.
    admin = make_user("administrator")
    event = add(admin, person, "found", dt.date(2024, 1, 1), permission="registry.change_referencedata")
    assert event.author == admin


def test_denormalised_status_always_equals_the_derivation(registrar, make_person):
    import random

    rnd = random.Random(7)  # noqa: S311
    statuses = ["missing", "captivity_confirmed", "on_exchange_list", "returned", "found"]
    from tests.returnees import letters

    persons = [make_person(f"Прізвище{letters(i)}", "Іван", status=None) for i in range(4)]
    for _ in range(30):
        person = rnd.choice(persons)
        events = list(person.status_events.all())
        corrects = rnd.choice(events).pk if events and rnd.random() < 0.2 else None
        with contextlib.suppress(ValidationError):  # an already corrected event
            add(registrar, person, rnd.choice(statuses),
                dt.date(2022, 3, 1) + dt.timedelta(days=rnd.randint(0, 900)), corrects=corrects)
    for person in Person.objects.all():
        assert status_is_consistent(person)
    assert AuditEvent.objects.filter(action="person.status_event").count() == StatusEvent.objects.count() - 0
