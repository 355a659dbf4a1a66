"""The figures of remains and identification: what became of the remains received, the time from a
transfer to the identifications, missing persons without enough reference samples by front
direction; counts only, small numbers hidden for everyone who may not read forensic data, no
drill-down for anyone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from homecoming.registry import services as registry
from homecoming.registry.models import Direction
from homecoming.remains import services as forensic
from homecoming.reports import selectors
from homecoming.reports.selectors.remains import _median_days
from homecoming.reports.views import hides_small_numbers

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2025, 6, 14)


@pytest.fixture
def people(make_user):
    registrar, expert = make_user("registrar"), make_user("forensic_expert")
    directions = list(Direction.objects.order_by("position", "id")[:2])

    def person(last, direction=None, status="missing"):
        data = {"last_name": last, "first_name": "Тест", "sex": "male", "incident_date": "2024-05-01"}
        if direction:
            data["direction"] = direction.code
        return registry.create_person(registrar, data, initial_event={
            "status": status, "effective_date": dt.date(2024, 5, 1), "source_kind": "unit_report",
            "source_reference": "synthetic"})

    return registrar, expert, directions, person


def _sample(expert, person, relationship, n):
    return forensic.add_reference_sample(expert, person.pk, donor_name="Донор Тестовий", relationship=relationship,
                                         consent_purpose="identification", consent_on=dt.date(2025, 1, 5),
                                         barcode=f"UA-R-{n:04d}", collected_on=dt.date(2025, 1, 5))


def _identify(registrar, expert, remains, person):
    opened = forensic.open_identification(expert, remains.pk, person.pk, method="documents")
    proposed = forensic.propose_identification(expert, opened.pk)
    return forensic.confirm_identification(registrar, proposed.pk,
                                           fingerprint=forensic.confirmation_fingerprint(proposed))


def _cells(fig):
    return {row.label: row.cells for row in fig.rows}


def test_remains_from_received_to_handed_over(people):
    registrar, expert, _directions, person = people
    transfer = forensic.record_transfer(expert, received_on=RECEIVED, place="Синтетичний пункт", declared_count=4,
                                        received_count=3, discrepancy_note="одного не передали")
    examined = forensic.record_remains(expert, transfer.pk, sex="male", age_min=20, age_max=40)
    marked = forensic.record_remains(expert, transfer.pk)
    forensic.add_mark(expert, remains_id=marked.pk, kind="scar", location="chest")
    forensic.record_remains(expert, transfer.pk)  # nothing recorded yet
    confirmed = _identify(registrar, expert, examined, person("Ідентифікований"))
    forensic.open_identification(expert, marked.pk, person("Кандидат").pk, method="dental")
    tell, hand_over, _burial = confirmed.tasks.order_by("position")
    forensic.complete_task(registrar, tell.pk, outcome="родині сказано особисто")
    forensic.complete_task(registrar, hand_over.pk, outcome="передано", happened_on=timezone.localdate(),
                           recipient="Тестова Мати")

    cells = _cells(selectors.figure("remains", selectors.Range()))
    assert cells == {"Received": [3], "Recorded": [3], "Examined (post-mortem data recorded)": [2],
                     "With a candidate under examination": [2], "Identified (confirmed)": [1],
                     "Handed over to the family": [1]}
    # the range applies to the date of the transfer
    assert selectors.figure("remains", selectors.Range(start=RECEIVED + dt.timedelta(days=1))).rows == []


def test_time_from_the_transfer_to_the_identification_by_transfer(people):
    registrar, expert, _directions, person = people
    early = forensic.record_transfer(expert, received_on=RECEIVED, place="Пункт А", declared_count=2,
                                     received_count=2)
    late = forensic.record_transfer(expert, received_on=RECEIVED + dt.timedelta(days=10), place="Пункт Б",
                                    declared_count=1, received_count=1)
    for n in range(2):
        _identify(registrar, expert, forensic.record_remains(expert, early.pk, sex="male"), person("Перший" + "аб"[n]))
    days = (timezone.localdate() - RECEIVED).days
    fig = selectors.figure("remains_time", selectors.Range())
    cells = _cells(fig)
    assert cells[f"{early.reference} · {RECEIVED.isoformat()}"] == [2, 2, Decimal(days)]
    assert cells[f"{late.reference} · {late.received_on.isoformat()}"] == [1, 0, ""]
    assert "—" in fig.note  # fewer than 5 identified: no median over all
    assert _median_days([1, 2, 3, 10]) == Decimal("2.5") and _median_days([4]) == Decimal("4.0")


def test_missing_persons_without_enough_reference_samples_by_direction(people):
    _registrar, expert, (first, second), person = people
    both, mother_only, nothing = person("Обидва", first), person("Мати", first), person("Ніхто", first)
    _sample(expert, both, "father", 1)
    _sample(expert, both, "mother", 2)
    _sample(expert, mother_only, "mother", 3)
    revoked = person("Відкликано", second)
    withdrawn = [_sample(expert, revoked, r, 10 + i) for i, r in enumerate(("father", "mother"))]
    forensic.update_reference_sample(expert, withdrawn[0].pk, state="withdrawn")
    person("Повернений", second, status="captivity_confirmed")  # not missing: not counted
    cells = _cells(selectors.figure("remains_samples", selectors.Range()))
    assert cells[first.name] == [3, 2]
    assert cells[second.name] == [1, 1]  # a withdrawn consent does not count
    assert nothing.pk  # (made for the count)


def test_small_numbers_are_hidden_from_everyone_who_may_not_read_forensic_data(people, client_for, make_user):
    registrar, expert, _directions, person = people
    transfer = forensic.record_transfer(expert, received_on=RECEIVED, place="Пункт", declared_count=9,
                                        received_count=9)
    _identify(registrar, expert, forensic.record_remains(expert, transfer.pk, sex="male"), person("Один"))
    fig = selectors.figure("remains_time", selectors.Range())
    # an analyst reads the register (and drills into its figures) but not forensic data
    assert hides_small_numbers(fig, make_user("analyst")) and hides_small_numbers(fig, make_user("leadership"))
    assert not hides_small_numbers(fig, make_user("forensic_expert", "analyst"))
    hidden = selectors.suppress(fig)
    assert hidden.rows[0].cells[1:] == [None, None]  # one identified: the count and its median
    for role in ("analyst", "leadership"):
        html = client_for(role).get("/reports/").content.decode()
        forensic_part = html.split('id="figure-remains"')[1]
        assert '<td class="num">c</td>' in forensic_part
        assert 'class="drill"' not in forensic_part
        csv = client_for(role).get("/reports/csv/remains_time/").content.decode()
        # the row's one hidden count takes a second with it (the house rule: _complement)
        assert csv.splitlines()[1].endswith(",c,c,c")
    assert client_for("forensic_expert").get("/reports/").status_code == 403  # the dashboard is not theirs
