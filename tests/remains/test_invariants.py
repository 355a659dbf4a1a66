"""The remains invariants: clean on a world the services made, and each names exactly the record of a
contradiction planted behind the services' back."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.common.invariants import broken
from homecoming.registry.models import Person
from homecoming.remains import services
from homecoming.remains.models import Identification, Task, Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(expert, registrar, remains, make_person):
    person = make_person()
    identification = services.open_identification(expert, remains.pk, person.pk, method="documents")
    services.propose_identification(expert, identification.pk)
    identification.refresh_from_db()
    return services.confirm_identification(registrar, identification.pk,
                                           fingerprint=services.confirmation_fingerprint(identification))


def _remains_broken():
    return {k: v for k, v in broken().items() if k.startswith("remains.")}


def test_clean_after_the_services(confirmed):
    assert _remains_broken() == {}


def test_each_invariant_names_the_planted_contradiction(confirmed, expert, transfer):
    Person.objects.filter(pk=confirmed.person_id).update(current_status="missing")
    Task.objects.filter(identification=confirmed, kind="hand_over").update(state="done")
    Transfer.objects.filter(pk=transfer.pk).update(received_count=0, declared_count=5)
    found = _remains_broken()
    assert found == {
        "remains.confirmed_person_not_deceased": [confirmed.pk],
        "remains.confirmed_without_telling_first": [confirmed.pk],
        "remains.task_before_confirmation": [confirmed.pk],  # a hand-over without its day and recipient
        "remains.transfer_counts": [transfer.pk],
    }


def test_received_fewer_than_declared_is_fine_when_explained(expert):
    services.record_transfer(expert, received_on=dt.date(2025, 6, 14), place="X", declared_count=5,
                             received_count=4, discrepancy_note="One body is held back for a second count")
    assert _remains_broken() == {}


def test_the_database_refuses_a_second_confirmation_and_the_proposer_confirming(confirmed, expert, transfer,
                                                                              make_person):
    from django.db import IntegrityError, transaction

    other = services.record_remains(expert, transfer.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Identification.objects.create(remains=other, person=confirmed.person, method="dna", state="confirmed",
                                      proposed_by=expert)
    with pytest.raises(IntegrityError), transaction.atomic():
        Identification.objects.create(remains=confirmed.remains, person=make_person(last="Іншенко"), method="dna",
                                      state="confirmed", proposed_by=expert)
    with pytest.raises(IntegrityError), transaction.atomic():
        Identification.objects.filter(pk=confirmed.pk).update(confirmed_by=confirmed.proposed_by)
