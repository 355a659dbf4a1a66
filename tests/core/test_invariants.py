"""``homecoming invariants``: clean on a small world the services made, and each invariant names
exactly the records of a contradiction planted behind the services' back (ids, never names)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from homecoming.aftercare.models import Case
from homecoming.common.invariants import all_invariants, broken
from homecoming.exchanges import services as exchanges
from homecoming.exchanges.models import Exchange, ListEntry
from homecoming.families import services as families
from homecoming.families.models import Inquiry
from homecoming.operations.models import Operation
from homecoming.payments.models import ReturnRecord
from homecoming.registry import services as registry
from homecoming.registry.models import Person, Source, StatusCount, StatusEvent
from homecoming.remains.models import Identification, Transfer

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 12)


@pytest.fixture
def world(make_user):
    """A reconciled stage (one came home, one not delivered), a stage in planning with a confirmed
    entry, a missing person, and an inquiry about the one who came home."""
    registrar, negotiator = make_user("registrar"), make_user("negotiator")
    people = {}
    for key, name, history in [("home", "Коваль", "captivity_confirmed"), ("absent", "Бондар", "captivity_confirmed"),
                               ("listed", "Шевчук", "captivity_confirmed"), ("missing", "Мороз", "missing")]:
        people[key] = registry.create_person(registrar, {"last_name": name, "first_name": "Іван",
                                                         "incident_date": "2023-01-10"},
                                             initial_event={"status": history, "effective_date": "2023-02-01",
                                                            "source_kind": "unit_report"})
    agreement = exchanges.create_agreement(negotiator, {"title": "Synthetic talks", "date": "2025-06-01"})
    category = exchanges.create_category(negotiator, agreement.pk, {"name_uk": "усі", "name_en": "all",
                                                                    "rule": {"and": []}})
    first = exchanges.create_exchange(negotiator, agreement.pk)
    exchanges.add_entries(negotiator, first.pk, category.pk, [people["home"].pk, people["absent"].pk],
                          effective_date="2025-06-01")
    for entry in first.entries.all():
        exchanges.change_entry_state(negotiator, entry.pk, "confirmed")
    for status in ("lists_sent", "lists_agreed"):
        exchanges.set_exchange_status(negotiator, first.pk, status)
    exchanges.set_exchange_status(negotiator, first.pk, "carried_out", carried_out_on=DAY)
    exchanges.record_crossings(negotiator, first.pk, person_ids=[people["home"].pk])
    exchanges.reconcile(negotiator, first.pk)
    second = exchanges.create_exchange(negotiator, agreement.pk)
    entry, = exchanges.add_entries(negotiator, second.pk, category.pk, [people["listed"].pk],
                                   effective_date="2025-06-20")
    exchanges.change_entry_state(negotiator, entry.pk, "confirmed")
    for status in ("lists_sent", "lists_agreed"):
        exchanges.set_exchange_status(negotiator, second.pk, status)
    data = {"last_name": "Коваль", "first_name": "Іван", "inquirer_name": "Олена Синтетична", "relation": "mother",
            "phone": "+380501112233", "language": "en", "consent": True}
    filed = families.file_inquiry(None, data)
    families.link_inquiry(registrar, filed.inquiry.pk, people["home"].pk)
    people["identified"] = registry.create_person(registrar, {"last_name": "Ткач", "first_name": "Іван"},
                                                  initial_event={"status": "missing", "effective_date": "2023-02-01",
                                                                 "source_kind": "unit_report"})
    identification = _confirmed_identification(make_user, registrar, people["identified"])
    people = {k: Person.objects.get(pk=p.pk) for k, p in people.items()}
    return {"people": people, "first": first, "second": second, "inquiry": filed.inquiry, "registrar": registrar,
            "identification": identification}


def _confirmed_identification(make_user, registrar, person):
    """A transfer and remains a forensic expert identified as ``person``, confirmed by the registrar."""
    from homecoming.remains import services as remains

    expert = make_user("forensic_expert")
    transfer = remains.record_transfer(expert, received_on=DAY, place="Synthetic crossing", declared_count=1,
                                       received_count=1)
    body = remains.record_remains(expert, transfer.pk, sex="male")
    identification = remains.open_identification(expert, body.pk, person.pk, method="documents")
    remains.propose_identification(expert, identification.pk)
    identification.refresh_from_db()
    return remains.confirm_identification(registrar, identification.pk,
                                          fingerprint=remains.confirmation_fingerprint(identification))


def _event(person, status, day, **fields):
    """An event written behind the services' back (as a bug or a hand-edited database would)."""
    return StatusEvent.objects.create(person=person, status=status, effective_date=day,
                                      source=Source.objects.create(kind="unit_report"), **fields)


def _listing_of(person):
    return ListEntry.objects.get(person=person).listing_event_id


BREAKERS = {
    "registry.status_not_derived": lambda w: (
        Person.objects.filter(pk=w["people"]["home"].pk).update(current_status="missing"), w["people"]["home"].pk)[-1],
    "registry.history_contradiction": lambda w: (
        _event(w["people"]["missing"], "deceased", dt.date(2023, 3, 1)),
        _event(w["people"]["missing"], "found", dt.date(2023, 4, 1)), w["people"]["missing"].pk)[-1],
    "registry.merged_record_holds_data": lambda w: (
        Person.objects.filter(pk=w["people"]["missing"].pk).update(merged_into=w["people"]["listed"]),
        w["people"]["missing"].pk)[-1],
    "registry.status_counts_stale": lambda w: (
        StatusCount.objects.filter(day=w["people"]["home"].current_status_date).update(n=F("n") + 1),
        int(w["people"]["home"].current_status_date.strftime("%Y%m%d")))[-1],
    "registry.listing_closed_twice": lambda w: (
        _event(w["people"]["absent"], "captivity_confirmed", DAY, ends_id=_listing_of(w["people"]["absent"])),
        _listing_of(w["people"]["absent"]))[-1],
    "exchanges.listed_without_entry": lambda w: (
        Person.objects.filter(pk=w["people"]["missing"].pk).update(current_status="on_exchange_list"),
        w["people"]["missing"].pk)[-1],
    "exchanges.entry_of_person_not_listed": lambda w: (
        Person.objects.filter(pk=w["people"]["listed"].pk).update(current_status="returned"),
        ListEntry.objects.get(person=w["people"]["listed"]).pk)[-1],
    "exchanges.returned_entry_without_return": lambda w: (
        _event(w["people"]["home"], "captivity_confirmed", DAY, corrects=StatusEvent.objects.get(
            person=w["people"]["home"], status="returned")),
        ListEntry.objects.get(person=w["people"]["home"]).pk)[-1],
    "exchanges.not_delivered_entry_still_open": lambda w: (
        StatusEvent.objects.filter(ends_id=_listing_of(w["people"]["absent"])).update(ends=None),
        ListEntry.objects.get(person=w["people"]["absent"]).pk)[-1],
    "exchanges.reconciled_stage_with_open_entries": lambda w: (
        ListEntry.objects.filter(person=w["people"]["absent"]).update(state="confirmed"), w["first"].pk)[-1],
    "exchanges.points_at_merged_record": lambda w: (
        Person.objects.filter(pk=w["people"]["listed"].pk).update(merged_into=w["people"]["missing"]),
        w["second"].pk)[-1],
    "exchanges.stage_rule_broken_without_exception": lambda w: (
        ListEntry.objects.filter(person=w["people"]["listed"]).update(state="contested"), w["second"].pk)[-1],
    "aftercare.returnee_without_case": lambda w: (
        Case.objects.filter(person=w["people"]["home"]).update(person=w["people"]["missing"]),
        w["people"]["home"].pk)[-1],
    "aftercare.case_of_merged_record": lambda w: (
        Person.objects.filter(pk=w["people"]["home"].pk).update(merged_into=w["people"]["missing"]),
        Case.objects.get(person=w["people"]["home"]).pk)[-1],
    "payments.owed_to_someone_not_returned": lambda w: (
        ReturnRecord.objects.filter(person=w["people"]["home"]).update(person=w["people"]["missing"]),
        _ledger_for(w["people"]["missing"]), w["people"]["missing"].pk)[-1],
    "payments.return_not_noted": lambda w: (
        ReturnRecord.objects.filter(person=w["people"]["home"]).delete(), w["people"]["home"].pk)[-1],
    "payments.records_of_merged_record": lambda w: (
        ReturnRecord.objects.filter(person=w["people"]["home"]).update(person=w["people"]["listed"]),
        Person.objects.filter(pk=w["people"]["listed"].pk).update(merged_into=w["people"]["missing"]),
        w["people"]["listed"].pk)[-1],
    "families.message_disagrees_with_register": lambda w: (
        Inquiry.objects.filter(pk=w["inquiry"].pk).update(person=w["people"]["listed"]), w["inquiry"].pk)[-1],
    "families.link_inconsistent": lambda w: (
        Inquiry.objects.filter(pk=w["inquiry"].pk).update(state="new"), w["inquiry"].pk)[-1],
    "operations.done_but_incomplete": lambda w: Operation.objects.create(
        kind="intake.confirm_all", target_id=1, state="done", processed=3, total=4).pk,
    "remains.confirmed_person_not_deceased": lambda w: (
        Person.objects.filter(pk=w["people"]["identified"].pk).update(current_status="missing"),
        w["identification"].pk)[-1],
    "remains.confirmed_without_telling_first": lambda w: (
        w["identification"].tasks.filter(kind="hand_over").update(state="done"), w["identification"].pk)[-1],
    "remains.register_event_without_identification": lambda w: (
        _event(w["people"]["missing"], "deceased", DAY, managed_by="remains"), w["people"]["missing"].pk)[-1],
    "remains.task_before_confirmation": lambda w: (
        w["identification"].tasks.filter(kind="burial").update(state="done"), w["identification"].pk)[-1],
    "remains.reversal_incomplete": lambda w: (
        Identification.objects.filter(pk=w["identification"].pk).update(state="reversed"),
        w["identification"].pk)[-1],
    "remains.benefit_without_telling": lambda w: _benefit_untold(w["identification"]),
    "remains.transfer_counts": lambda w: (
        Transfer.objects.filter(pk=w["identification"].remains.transfer_id).update(received_count=0),
        w["identification"].remains.transfer_id)[-1],
}


def _benefit_untold(identification):
    """A death benefit for an identification whose family was not told in person yet."""
    from homecoming.payments.models import DeathBenefit

    DeathBenefit.objects.create(person_id=identification.person_id, identification_id=identification.pk,
                                death_event_id=identification.death_event_id, death_date=DAY)
    return identification.pk


def _ledger_for(person):
    from homecoming.payments.models import Entitlement

    Entitlement.objects.create(person=person, recorded_capture_date=dt.date(2023, 1, 10), capture_precision="day",
                               capture_date=dt.date(2023, 1, 10), return_date=DAY, days=1, whole_years=0, total=1,
                               computed_at=dt.datetime(2025, 6, 13, tzinfo=dt.UTC))


def test_every_invariant_has_a_planted_contradiction():
    assert {inv.code for inv in all_invariants()} == set(BREAKERS)


def test_the_world_the_services_made_breaks_no_invariant(world):
    assert broken() == {}
    out = io.StringIO()
    call_command("invariants", stdout=out)
    assert "0 broken" in out.getvalue()


@pytest.mark.parametrize("code", sorted(BREAKERS))
def test_each_invariant_names_the_records_that_break_it(world, code):
    expected = BREAKERS[code](world)
    found = broken()
    assert expected in found.get(code, []), found
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("invariants", stdout=out)
    assert failed.value.returncode == 1
    text = out.getvalue()
    assert f"BROKEN {code}:" in text and str(expected) in text
    for person in world["people"].values():  # ids only: never a name in logs and tickets
        assert person.last_name not in text


def test_json_output_lists_every_check(world):
    out = io.StringIO()
    call_command("invariants", "--json", stdout=out)
    import json

    result = json.loads(out.getvalue())
    assert result["broken"] == {} and set(result["checked"]) == set(BREAKERS)
    assert Exchange.objects.count() == 2
