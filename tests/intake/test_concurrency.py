"""Two analysts accept all automatic matches of the same list at the same moment (PostgreSQL):
every row is accepted once, by one of them; the other counts it as decided by someone else;
no status event is doubled. (Two reviewers deciding one row: tests/intake/test_review.py.)"""

from __future__ import annotations

import pytest

from homecoming.audit.models import AuditEvent
from homecoming.intake import services
from homecoming.intake.models import ListRow, RowState
from homecoming.registry.models import StatusEvent
from tests.concurrency import collide, require_postgres, slow

from .test_review import imported  # noqa: F401 - the fixture: a register of 30 and a list of 9

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_bulk_acceptances_of_one_list(imported, make_user, monkeypatch):  # noqa: F811
    require_postgres()
    lst, persons = imported
    matched = lst.rows.filter(state=RowState.OPEN, decision="match").count()
    assert matched >= 5
    a, b = make_user("analyst"), make_user("analyst")
    slow(monkeypatch, services, seconds=0.05)  # each decision holds its row a moment: the two interleave
    outcomes = collide(lambda: services.accept_automatic(a, lst.pk), lambda: services.accept_automatic(b, lst.pk))
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    results = [value for _, value in outcomes]
    assert sum(r["accepted"] for r in results) == matched
    assert sum(r["skipped"] for r in results) == matched  # what one accepted, the other found decided
    assert all(not r["failed"] for r in results)
    assert ListRow.objects.filter(incoming_list=lst, state=RowState.ACCEPTED).count() == matched
    assert StatusEvent.objects.filter(status="captivity_confirmed").count() == matched
    assert AuditEvent.objects.filter(action="intake.row_accept").count() == matched
