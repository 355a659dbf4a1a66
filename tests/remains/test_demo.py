"""The demo's remains: a transfer under the Istanbul agreement, one whole road from arrival to a family
told in person, paid and given the remains, others pending with candidates; twice is once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from homecoming.common.invariants import broken
from homecoming.payments.models import DeathBenefit, DeathBenefitRule
from homecoming.registry.models import StatusEvent
from homecoming.remains.models import Identification, Task, Transfer

pytestmark = pytest.mark.django_db


def _check_story():
    transfer = Transfer.objects.get(place="Пункт передачі тіл (демо)")
    assert (transfer.declared_count, transfer.received_count, transfer.remains.count()) == (1212, 1212, 8)
    assert transfer.agreement is not None and transfer.agreement.title == "Istanbul, 2 June 2025"
    states = sorted(Identification.objects.values_list("state", flat=True))
    assert states == ["confirmed", "confirmed", "pending", "pending", "pending", "pending", "pending", "pending",
                      "preliminary"]
    whole = Identification.objects.get(tasks__kind="burial", tasks__state="done")
    assert whole.person.current_status == "deceased"
    assert StatusEvent.objects.get(pk=whole.death_event_id).managed_by == "remains"
    tasks = dict(Task.objects.filter(identification=whole).values_list("kind", "state"))
    assert tasks == {"tell_family": "done", "hand_over": "done", "burial": "done"}
    assert Task.objects.get(identification=whole, kind="hand_over").recipient
    benefit = DeathBenefit.objects.get(identification_id=whole.pk)
    assert benefit.state == "paid" and benefit.approved_by != benefit.paid_by and benefit.amount > 0
    assert benefit.rule.demo and "демо" in benefit.rule.note  # the amount is visibly demo data
    untold = Identification.objects.filter(state="confirmed").exclude(pk=whole.pk).get()
    assert Task.objects.get(identification=untold, kind="tell_family").state == "open"
    assert not DeathBenefit.objects.filter(identification_id=untold.pk).exists()
    # pending remains with more than one candidate
    assert Identification.objects.filter(state="pending").values("remains").distinct().count() == 3
    assert broken() == {}


def test_on_an_empty_register_and_idempotent():
    out = io.StringIO()
    call_command("demo", accounts_only=True, stdout=out)
    call_command("demo_scenario", stdout=out)
    call_command("demo_remains", stdout=out)
    call_command("demo_death_benefits", stdout=out)
    _check_story()
    count = Identification.objects.count()
    call_command("demo_remains", stdout=out)
    call_command("demo_death_benefits", stdout=out)
    assert Identification.objects.count() == count and DeathBenefitRule.objects.count() == 1
    assert "already loaded" in out.getvalue()
