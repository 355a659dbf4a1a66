"""Two registrars merge the same records at the same moment, or one merges a record that another
is adding a status event to (PostgreSQL): one wins, the other is told, no event is lost or doubled."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.audit.models import AuditEvent
from homecoming.registry import services
from homecoming.registry.models import Merge, Person, StatusEvent
from homecoming.registry.services import history as history_module
from homecoming.registry.services import merge as merge_module
from tests.concurrency import collide, one_wins, require_postgres, slow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pair(make_person):
    survivor = make_person("Петренко", "Олександр", "Миколайович", birth_date="1990-04-02")
    duplicate = make_person("Петренко", "Александр", "Николаевич", status_date=dt.date(2023, 6, 1))
    return survivor, duplicate


def test_the_same_merge_twice_at_once(pair, make_user, monkeypatch):
    require_postgres()
    survivor, duplicate = pair
    a, b = make_user("registrar"), make_user("registrar")
    slow(monkeypatch, merge_module)  # the module whose audit write the merge waits in
    outcomes = collide(lambda: services.merge_persons(a, survivor.pk, duplicate.pk),
                       lambda: services.merge_persons(b, survivor.pk, duplicate.pk))
    assert "already been merged" in one_wins(outcomes)
    assert Merge.objects.count() == 1
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk
    assert StatusEvent.objects.filter(person=survivor).count() == 2 and StatusEvent.objects.count() == 2
    assert AuditEvent.objects.filter(action="person.merge").count() == 1


def test_crossed_merges_at_once(pair, make_user, monkeypatch):
    """A folds X into Y while B folds Y into X: without one order of locks this deadlocks or
    leaves two records each merged into the other."""
    require_postgres()
    x, y = pair
    a, b = make_user("registrar"), make_user("registrar")
    slow(monkeypatch, merge_module)
    outcomes = collide(lambda: services.merge_persons(a, y.pk, x.pk),
                       lambda: services.merge_persons(b, x.pk, y.pk))
    assert "already been merged" in one_wins(outcomes)
    merge = Merge.objects.get()
    persons = {p.pk: p for p in Person.objects.filter(pk__in=[x.pk, y.pk])}
    assert persons[merge.duplicate_id].merged_into_id == merge.survivor_id
    assert persons[merge.survivor_id].merged_into_id is None
    assert StatusEvent.objects.filter(person_id=merge.survivor_id).count() == 2


def test_merge_while_someone_adds_an_event_to_the_duplicate(pair, make_user, monkeypatch):
    require_postgres()
    survivor, duplicate = pair
    a, b = make_user("registrar"), make_user("registrar")
    slow(monkeypatch, merge_module)
    slow(monkeypatch, history_module)
    outcomes = collide(
        lambda: services.merge_persons(a, survivor.pk, duplicate.pk),
        lambda: services.add_status_event(b, duplicate.pk, status="captivity_confirmed",
                                          effective_date=dt.date(2024, 2, 1), source_kind="unit_report",
                                          source_reference="report 12"))
    assert [kind for kind, _ in outcomes][0] == "ok"
    assert Merge.objects.count() == 1
    added = StatusEvent.objects.filter(status="captivity_confirmed")
    if outcomes[1][0] == "ok":  # the event came first: the merge moved it to the survivor
        assert added.get().person_id == survivor.pk
    else:  # the merge came first: the event is refused and points to the survivor
        assert outcomes[1][0] == "refused" and survivor.reference in outcomes[1][1]
        assert not added.exists()
    assert not StatusEvent.objects.filter(person=duplicate).exists()  # nothing stranded on the merged record
