"""The demo scenario tells the article's story, on an empty register and on the demo register; twice is once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from homecoming.exchanges.communique import communique_facts
from homecoming.exchanges.models import Agreement, Communique, Exchange

pytestmark = pytest.mark.django_db


def _check_story():
    agreement = Agreement.objects.get(title="Istanbul, 2 June 2025")
    assert [c.name_en for c in agreement.categories.all()] == ["seriously wounded and seriously ill", "under 25"]
    assert {c.trade_rule for c in agreement.categories.all()} == {"all_for_all"}
    stages = list(agreement.exchanges.order_by("number"))
    assert [x.status for x in stages] == ["reconciled", "reconciled", "planning"]
    stage2 = stages[1]
    assert stage2.carried_out_on.isoformat() == "2025-06-12"
    facts = communique_facts(stage2)
    mariupol = [o for o in facts["operations"] if o["operation"].code == "mariupol"]
    assert mariupol and sum(1 for y in mariupol[0]["years"] if y >= 3) >= 1
    assert facts["missing"] >= 2
    assert facts["withheld"]  # stage 3 is still open: no counts, like the article
    groups = stage2.report["groups"]
    assert len(groups["returned_unlisted"]) == 1 and len(groups["listed_not_returned"]) == 1
    text = Communique.objects.get(exchange=stage2).text_en
    assert "A group of defenders returned home" in text  # published while stage 3 is open: no counts
    assert "Defence of Mariupol" in text and "over three years" in text and "considered missing" in text


def test_on_an_empty_register_and_idempotent():
    out = io.StringIO()
    call_command("demo_scenario", stdout=out)
    _check_story()
    count = Exchange.objects.count()
    call_command("demo_scenario", stdout=out)
    assert Exchange.objects.count() == count
    assert "already loaded" in out.getvalue()


def test_on_the_demo_register():
    call_command("demo", persons=3000, seed=7, stdout=io.StringIO())
    _check_story()
