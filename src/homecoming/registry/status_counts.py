"""The status history summed by day (:class:`~homecoming.registry.models.StatusCount`), kept in step
with the events by the services that write them.

Every writer of status events calls in here inside its own transaction:

* a new event counts one on its day, status and the person's side; an event that corrects another
  takes the corrected one out (it was live until now: an event is corrected at most once);
* a person whose side changes moves their live events from one side to the other;
* the bulk loaders (the demo register, a file import) add their events in one go;
* a merge moves events between two records of the same side: nothing changes;
* a review decision undone takes its events away (:func:`events_removing`).

Each change is one ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` (the same statement
on SQLite and PostgreSQL), so concurrent writers add up instead of overwriting each other. The
writers call in here *after* their audit event: every writer takes the audit log's head row first
(``audit.services.record``, ``SELECT … FOR UPDATE`` on PostgreSQL), so a count row is only ever
locked by the one transaction that holds the head, and two writers can never wait for each other
the other way round (a deadlock).
:func:`computed` counts from the events themselves: the invariant compares the two and
:func:`rebuild` makes the table match (the migration that made it, ``homecoming recount-statuses``).
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterable
from functools import reduce

from django.db import connection, transaction
from django.db.models import Count, Q

from .models import Person, StatusCount, StatusEvent

Key = tuple  # (day, status, side)


def add(deltas: Counter) -> None:
    """Add ``deltas`` {(day, status, side): +n or -n} to the counts, creating rows as needed."""
    rows = [(day, status, side, n) for (day, status, side), n in deltas.items() if n]
    if not rows:
        return
    table = connection.ops.quote_name(StatusCount._meta.db_table)
    sql = (f"INSERT INTO {table} (day, status, side, n) VALUES (%s, %s, %s, %s) "  # noqa: S608 - our table
           f"ON CONFLICT (day, status, side) DO UPDATE SET n = {table}.n + excluded.n")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(connection.ops.adapt_datefield_value(d), st, sd, n) for d, st, sd, n in rows])
    lowered = [Q(day=d, status=st, side=sd) for d, st, sd, n in rows if n < 0]
    if lowered:  # a day counted down to nothing holds no row, as if it had never been counted
        StatusCount.objects.filter(reduce(operator.or_, lowered), n=0).delete()


def events_added(events: Iterable[StatusEvent], side_of: dict[int, str] | None = None) -> None:
    """Count new ``events`` (saved, in the caller's transaction); an event that corrects another
    takes that one out. ``side_of`` {person id: side} saves a look-up when the caller has it."""
    events = list(events)
    if not events:
        return
    side_of = dict(side_of or {})
    corrected_ids = [e.corrects_id for e in events if e.corrects_id]
    corrected = list(StatusEvent.objects.filter(pk__in=corrected_ids).values_list(
        "person_id", "effective_date", "status")) if corrected_ids else []
    missing = {e.person_id for e in events} | {p for p, _d, _s in corrected}
    missing -= set(side_of)
    if missing:
        side_of.update(Person.objects.filter(pk__in=missing).values_list("pk", "side"))
    deltas: Counter = Counter()
    for e in events:
        deltas[(e.effective_date, e.status, side_of[e.person_id])] += 1
    for person_id, day, status in corrected:
        deltas[(day, status, side_of[person_id])] -= 1
    add(deltas)


def events_removing(events: Iterable[StatusEvent]) -> Counter:
    """What taking ``events`` away does to the counts, computed before they are deleted (a review
    decision undone: registry/services/withdraw.py): each live one counts one less, and one that
    corrected another gives that one back. The caller applies it with :func:`add` after its audit
    event, as every writer does."""
    events = list(events)
    ids = {e.pk for e in events}
    still_corrected = set(StatusEvent.objects.filter(corrects_id__in=ids).exclude(pk__in=ids)
                          .values_list("corrects_id", flat=True))
    side_of = dict(Person.objects.filter(pk__in={e.person_id for e in events}).values_list("pk", "side"))
    deltas: Counter = Counter()
    for e in events:
        if e.pk not in still_corrected:
            deltas[(e.effective_date, e.status, side_of[e.person_id])] -= 1
    back = [e.corrects_id for e in events if e.corrects_id and e.corrects_id not in ids]
    for person_id, day, status in StatusEvent.objects.filter(pk__in=back).values_list(
            "person_id", "effective_date", "status"):
        deltas[(day, status, side_of[person_id])] += 1
    return deltas


def side_changed(person_id: int, old: str, new: str) -> None:
    """Move the live events of a person whose side changed from ``old`` to ``new``."""
    if old == new:
        return
    deltas: Counter = Counter()
    for day, status in _live().filter(person_id=person_id).values_list("effective_date", "status"):
        deltas[(day, status, old)] -= 1
        deltas[(day, status, new)] += 1
    add(deltas)


def _live():
    return StatusEvent.objects.exclude(pk__in=StatusEvent.objects.filter(corrects__isnull=False)
                                       .values("corrects_id"))


def computed() -> Counter:
    """The counts as the events give them: {(day, status, side): n} of every live event."""
    out: Counter = Counter()
    for day, status, side, n in (_live().values_list("effective_date", "status", "person__side")
                                 .annotate(n=Count("id")).order_by()):
        out[(day, status, side)] += n
    return out


def stored() -> Counter:
    """The counts as the table holds them (rows of zero left out)."""
    return Counter({(day, status, side): n for day, status, side, n in
                    StatusCount.objects.exclude(n=0).values_list("day", "status", "side", "n")})


@transaction.atomic
def rebuild() -> int:
    """Make the table equal to the counts the events give; returns the number of rows."""
    StatusCount.objects.all().delete()
    counts = computed()
    StatusCount.objects.bulk_create([StatusCount(day=d, status=st, side=sd, n=n)
                                     for (d, st, sd), n in counts.items()], batch_size=2000)
    return len(counts)


def differences() -> list[Key]:
    """The (day, status, side) whose stored count differs from the events' (empty when in step)."""
    want, have = computed(), stored()
    return sorted(k for k in set(want) | set(have) if want.get(k, 0) != have.get(k, 0))
