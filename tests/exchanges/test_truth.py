"""What the register says and what a family is told stay true off the happy path (issue 15):
a stage entered after the fact, a person who did not cross, lists agreed while they do not
balance. Each test here failed on the code before the status model (registry/lifecycle.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from homecoming.aftercare import services as aftercare
from homecoming.aftercare.models import Case
from homecoming.exchanges import selectors, services
from homecoming.exchanges.models import ListEntry
from homecoming.families import services as families
from homecoming.families.models import Inquiry
from homecoming.families.status import family_state
from homecoming.payments.selectors import returnees
from homecoming.registry import services as registry
from homecoming.registry.models import Person, StatusEvent
from homecoming.registry.selectors import status_counts

pytestmark = pytest.mark.django_db

LISTED_EARLY = dt.date(2025, 11, 25)
EXCHANGE_DAY = dt.date(2025, 12, 1)
TYPED_LATER = dt.date(2025, 12, 2)
SURNAMES = ["Коваль", "Бондар", "Шевчук", "Ткач", "Гончар", "Мельник", "Кравець", "Лисенко", "Мороз", "Руденко"]


def _inquiry(registrar, person):
    data = {"last_name": person.last_name, "first_name": person.first_name, "patronymic": "", "birth_date": "1995",
            "service_number": "", "unit": "", "incident_date": "2023-04-20", "incident_place": "",
            "circumstances": "", "inquirer_name": "Олена Синтетична", "relation": "mother", "phone": "",
            "email": "family@example.org", "language": "en", "consent": True}
    filed = families.file_inquiry(None, data)
    families.link_inquiry(registrar, filed.inquiry.pk, person.pk)
    return Inquiry.objects.select_related("person").get(pk=filed.inquiry.pk)


def _state(inquiry):
    return family_state(Inquiry.objects.select_related("person").get(pk=inquiry.pk))


def _to_lists_agreed(negotiator, exchange, **kwargs):
    for entry in exchange.entries.all():
        services.change_entry_state(negotiator, entry.pk, "confirmed")
    services.set_exchange_status(negotiator, exchange.pk, "lists_sent")
    services.set_exchange_status(negotiator, exchange.pk, "lists_agreed", **kwargs)


def test_a_stage_entered_after_the_fact_is_refused_then_tells_the_truth(negotiator, registrar, make_user, agreement,
                                                                         categories, make_person):
    """Exchange carried out on 1 December, half of its entries typed on 2 December."""
    serious, _ = categories
    persons = [make_person(name, "Іван", medical_category="seriously_wounded") for name in SURNAMES]
    inquiry = _inquiry(registrar, persons[7])
    case_worker = make_user("case_worker")
    exchange = services.create_exchange(negotiator, agreement.pk)
    services.add_entries(negotiator, exchange.pk, serious.pk, [p.pk for p in persons[:5]], effective_date=LISTED_EARLY)
    services.add_entries(negotiator, exchange.pk, serious.pk, [p.pk for p in persons[5:]], effective_date=TYPED_LATER)
    _to_lists_agreed(negotiator, exchange)
    with pytest.raises(services.NeedsException) as refused:
        services.set_exchange_status(negotiator, exchange.pk, "carried_out", carried_out_on=EXCHANGE_DAY)
    assert "5 persons were put on the lists after 2025-12-01" in " ".join(refused.value.messages)
    exchange.refresh_from_db()
    assert exchange.status == "lists_agreed" and exchange.carried_out_on is None and exchange.exceptions == []
    services.set_exchange_status(negotiator, exchange.pk, "carried_out", carried_out_on=EXCHANGE_DAY,
                                 exception_reason="The entries were typed from the paper list the next day")
    exchange.refresh_from_db()
    assert [x["kind"] for x in exchange.exceptions] == ["before_listing"]
    aftercare.open_case(case_worker, persons[7], returned_on=EXCHANGE_DAY, source="other")  # opened early
    services.record_crossings(negotiator, exchange.pk, all_confirmed=True)
    services.reconcile(negotiator, exchange.pk)

    ids = [p.pk for p in persons]
    assert dict(Person.objects.filter(pk__in=ids).values_list("pk", "current_status")) == dict.fromkeys(ids, "returned")
    assert set(Person.objects.filter(pk__in=ids).values_list("current_status_date", flat=True)) == {EXCHANGE_DAY}
    assert set(returnees().filter(pk__in=ids).values_list("pk", flat=True)) == set(ids)  # the payments list
    assert status_counts().get("on_exchange_list", 0) == 0 and status_counts()["returned"] >= 10
    assert _state(inquiry) == "returned"
    assert Case.objects.filter(person_id__in=ids).count() == 10


def test_not_delivered_goes_back_beneath_the_list_and_the_family_is_not_told_on_the_way(
        negotiator, registrar, agreement, categories, make_person):
    serious, _ = categories
    came, absent = (make_person(name, "Іван", medical_category="seriously_ill") for name in ("Прийшов", "Немає"))
    inquiry = _inquiry(registrar, absent)
    assert _state(inquiry) == "captive"
    exchange = services.create_exchange(negotiator, agreement.pk)
    services.add_entries(negotiator, exchange.pk, serious.pk, [came.pk, absent.pk], effective_date="2025-06-01")
    assert _state(inquiry) == "captive"  # proposed: a wish, not a promise
    _to_lists_agreed(negotiator, exchange)
    assert _state(inquiry) == "on_the_way"  # on a confirmed list of a stage not carried out
    services.set_exchange_status(negotiator, exchange.pk, "carried_out", carried_out_on="2025-06-12")
    assert _state(inquiry) == "being_checked"
    services.record_crossings(negotiator, exchange.pk, person_ids=[came.pk])
    services.reconcile(negotiator, exchange.pk)
    absent.refresh_from_db()
    assert absent.current_status == "captivity_confirmed"
    assert absent.current_status_date == dt.date(2025, 6, 12)
    assert ListEntry.objects.get(person=absent).state == "not_delivered"
    assert _state(inquiry) == "captive"


def test_an_outcome_is_never_overridden_by_a_later_typed_earlier_dated_event(negotiator, registrar, agreement,
                                                                              categories, make_person):
    serious, _ = categories
    person = make_person("Повернувся", "Іван", medical_category="seriously_ill")
    exchange = services.create_exchange(negotiator, agreement.pk)
    services.add_entries(negotiator, exchange.pk, serious.pk, [person.pk], effective_date="2025-06-01")
    _to_lists_agreed(negotiator, exchange)
    services.set_exchange_status(negotiator, exchange.pk, "carried_out", carried_out_on="2025-06-12")
    services.record_crossings(negotiator, exchange.pk, person_ids=[person.pk])
    services.reconcile(negotiator, exchange.pk)
    registry.add_status_event(registrar, person.pk, status="captivity_confirmed", effective_date="2025-05-20",
                              source_kind="icrc")  # an ICRC notice typed today, dated before the exchange
    person.refresh_from_db()
    assert (person.current_status, person.current_status_date) == ("returned", dt.date(2025, 6, 12))
    with pytest.raises(registry.Contradiction):  # dated after the return: a contradiction, refused
        registry.add_status_event(registrar, person.pk, status="captivity_confirmed", effective_date="2025-06-20",
                                  source_kind="icrc")


def test_lists_agreed_is_refused_while_unbalanced_or_contested_unless_an_exception_is_recorded(
        negotiator, agreement, categories, make_person):
    _, young = categories
    ours = [make_person(name, "Іван", birth_date=dt.date(2003, 1, 1 + i)) for i, name in enumerate(SURNAMES[:5])]
    theirs = [make_person(name, "Иван", side="enemy", birth_date=dt.date(2003, 2, 1 + i))
              for i, name in enumerate(("Иванов", "Смирнов", "Кузнецов"))]
    exchange = services.create_exchange(negotiator, agreement.pk)
    services.add_entries(negotiator, exchange.pk, young.pk, [p.pk for p in ours + theirs])
    contested = ListEntry.objects.get(person=theirs[0])
    services.change_entry_state(negotiator, contested.pk, "contested", reason="Not in their custody, they say")
    services.set_exchange_status(negotiator, exchange.pk, "lists_sent")
    with pytest.raises(services.NeedsException) as refused:
        services.set_exchange_status(negotiator, exchange.pk, "lists_agreed")
    text = " ".join(refused.value.messages)
    assert "we ask to receive 5 but hand over 3" in text and "1 entry is still contested" in text
    exchange.refresh_from_db()
    assert exchange.status == "lists_sent"
    services.set_exchange_status(negotiator, exchange.pk, "lists_agreed", exception_reason="Two more follow in stage 2")
    exchange.refresh_from_db()
    assert exchange.status == "lists_agreed"
    assert sorted(x["kind"] for x in exchange.exceptions) == ["contested", "unbalanced"]
    assert {x["reason"] for x in exchange.exceptions} == {"Two more follow in stage 2"}


def test_withdrawal_and_relisting_open_and_close_listings(negotiator, agreement, categories, make_person):
    serious, _ = categories
    person = make_person("Знятий", "Іван", medical_category="seriously_ill")
    exchange = services.create_exchange(negotiator, agreement.pk)
    entry, = services.add_entries(negotiator, exchange.pk, serious.pk, [person.pk], effective_date="2025-06-01")
    first_listing = entry.listing_event_id
    services.change_entry_state(negotiator, entry.pk, "withdrawn", reason="Exchanged for another",
                                effective_date="2025-06-03")
    person.refresh_from_db()
    assert (person.current_status, person.current_status_date) == ("captivity_confirmed", dt.date(2025, 6, 3))
    assert StatusEvent.objects.get(ends_id=first_listing).note.startswith("Withdrawn from the list")
    services.change_entry_state(negotiator, entry.pk, "proposed", effective_date="2025-06-04")
    entry.refresh_from_db()
    person.refresh_from_db()
    assert entry.listing_event_id != first_listing
    assert (person.current_status, person.current_status_date) == ("on_exchange_list", dt.date(2025, 6, 4))


def test_the_register_keeps_listings_to_the_exchanges(negotiator, registrar, agreement, categories, make_person):
    serious, _ = categories
    person = make_person("Вписаний", "Іван", medical_category="seriously_ill")
    with pytest.raises(ValidationError, match="put on an exchange list by the negotiator"):
        registry.add_status_event(registrar, person.pk, status="on_exchange_list", effective_date="2025-06-01",
                                  source_kind="unit_report")
    exchange = services.create_exchange(negotiator, agreement.pk)
    entry, = services.add_entries(negotiator, exchange.pk, serious.pk, [person.pk], effective_date="2025-06-01")
    count = StatusEvent.objects.count()
    with pytest.raises(ValidationError, match="take them off the list first"):
        registry.add_status_event(registrar, person.pk, status="returned", effective_date="2025-06-10",
                                  source_kind="unit_report")
    with pytest.raises(ValidationError, match="written by an exchange stage"):
        registry.add_status_event(registrar, person.pk, status="captivity_confirmed", effective_date="2025-06-02",
                                  source_kind="unit_report", corrects=entry.listing_event_id)
    assert StatusEvent.objects.count() == count
    # new evidence that he is held does not take him off the list
    registry.add_status_event(registrar, person.pk, status="captivity_confirmed", effective_date="2025-06-05",
                              source_kind="icrc")
    person.refresh_from_db()
    assert person.current_status == "on_exchange_list"


def test_a_returnee_listed_on_another_stage_is_withdrawn_there(negotiator, agreement, categories, make_person):
    serious, _ = categories
    person = make_person("Двічі", "Іван", medical_category="seriously_ill")
    later = services.create_exchange(negotiator, agreement.pk)
    services.add_entries(negotiator, later.pk, serious.pk, [person.pk], effective_date="2025-06-01")
    now = services.create_exchange(negotiator, agreement.pk)
    _to_lists_agreed(negotiator, now)
    services.set_exchange_status(negotiator, now.pk, "carried_out", carried_out_on="2025-06-12")
    services.record_crossings(negotiator, now.pk, person_ids=[person.pk])  # came back unlisted in this stage
    now.refresh_from_db()
    plan = selectors.reconcile_plan(now)
    assert [e.exchange_id for e in plan.other_entries] == [later.pk]
    services.reconcile(negotiator, now.pk, confirm=plan.fingerprint)
    person.refresh_from_db()
    assert person.current_status == "returned"
    assert ListEntry.objects.get(exchange=later).state == "withdrawn"


def test_reconciling_what_was_not_previewed_is_refused(negotiator, agreement, categories, make_person):
    serious, _ = categories
    a, b = (make_person(name, "Іван", medical_category="seriously_ill") for name in ("Перший", "Другий"))
    exchange = services.create_exchange(negotiator, agreement.pk)
    services.add_entries(negotiator, exchange.pk, serious.pk, [a.pk, b.pk], effective_date="2025-06-01")
    _to_lists_agreed(negotiator, exchange)
    services.set_exchange_status(negotiator, exchange.pk, "carried_out", carried_out_on="2025-06-12")
    services.record_crossings(negotiator, exchange.pk, person_ids=[a.pk])
    seen = selectors.reconcile_plan(exchange).fingerprint
    services.record_crossings(negotiator, exchange.pk, person_ids=[b.pk])  # in another tab
    count = StatusEvent.objects.count()
    with pytest.raises(ValidationError, match="changed since you looked"):
        services.reconcile(negotiator, exchange.pk, confirm=seen)
    exchange.refresh_from_db()
    assert exchange.status == "carried_out" and StatusEvent.objects.count() == count
    services.reconcile(negotiator, exchange.pk, confirm=selectors.reconcile_plan(exchange).fingerprint)


def test_a_change_to_agreed_lists_that_breaks_them_needs_a_reason(negotiator, agreement, categories, make_person):
    _, young = categories
    ours = make_person("Молодий", "Іван", birth_date=dt.date(2003, 1, 1))
    theirs = make_person("Молодой", "Иван", side="enemy", birth_date=dt.date(2003, 2, 1))
    exchange = services.create_exchange(negotiator, agreement.pk)
    services.add_entries(negotiator, exchange.pk, young.pk, [ours.pk, theirs.pk])
    _to_lists_agreed(negotiator, exchange)  # 1 for 1: balanced
    entry = ListEntry.objects.get(person=theirs)
    with pytest.raises(services.NeedsException, match="1 entry is still contested"):
        services.change_entry_state(negotiator, entry.pk, "contested", reason="Not in their custody")
    entry.refresh_from_db()
    assert entry.state == "confirmed" and entry.events.count() == 2  # nothing changed
    services.change_entry_state(negotiator, entry.pk, "contested", reason="Not in their custody",
                                exception_reason="Exchanged all the same if he is at the crossing")
    exchange.refresh_from_db()
    assert [x["kind"] for x in exchange.exceptions] == ["contested"]
