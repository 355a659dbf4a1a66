"""The status model of a person, stated once: states, transitions, and how the current status is
derived from the append-only status history.

Why a model and not "the latest date wins": events are typed after the fact. A stage entered on
2 December for an exchange carried out on 1 December put "on an exchange list" (2 Dec) after
"returned" (1 Dec), and the latest date made five returnees look still listed. Here the order is
what happened:

* A person's **state** comes from the live (not corrected) *state events*, the latest by
  effective date; on the same day the later step of a life wins (missing < captive < home <
  deceased), whatever the order of typing. A correction is a new event that replaces one.
* Being **on an exchange list** is not a state event but a *listing*: it stays open until the
  exchange closes it (``ends``): the reconciliation's "returned" ends it, "not delivered" and
  "withdrawn" end it with a closing event that returns the person to what they were before the
  list. An open listing shows "on an exchange list" only while the state beneath it is one from
  which a person can be exchanged (missing, captive, held); an outcome (home, deceased) always
  wins over it, whatever the dates.
* A state event that contradicts the history around it (``TRANSITIONS``: a return followed by
  "captive", anything after a death, a return dated before the capture) is refused unless a
  person records it with an explicit reason (``exception_reason``); ``contradictions`` names
  what it contradicts.

docs/status-model.md shows this as a table and a diagram; ``homecoming invariants`` and the
stateful property tests check that the register, the exchange lists, aftercare, payments and what
families are told agree with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.utils.translation import gettext as _

from .models import Side, Status

LISTING = Status.ON_EXCHANGE_LIST

#: outcomes of an exchange or of a release: the person is out of the other side's hands
HOME = frozenset({Status.RETURNED, Status.RELEASED_OTHER, Status.EXCHANGED, Status.RELEASED})
#: states from which a person can be put on an exchange list (an open listing shows over them)
LISTABLE = frozenset({"", Status.MISSING, Status.CAPTIVITY_CONFIRMED, Status.HELD})
#: states in which the other side holds the person, as far as we know
HELD = frozenset({Status.MISSING, Status.CAPTIVITY_CONFIRMED, Status.HELD, Status.ON_EXCHANGE_LIST})

#: the step of a life each state stands for; on one day, the later step wins
PHASE = {
    Status.MISSING: 0,
    Status.CAPTIVITY_CONFIRMED: 1, Status.HELD: 1, Status.ON_EXCHANGE_LIST: 1,
    Status.FOUND: 2, Status.RETURNED: 2, Status.RELEASED_OTHER: 2, Status.EXCHANGED: 2, Status.RELEASED: 2,
    Status.DECEASED: 3,
}

#: state -> the states that may follow it without a stated reason ("" = no state yet: anything)
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    Side.OURS: {
        Status.MISSING: frozenset({Status.MISSING, Status.CAPTIVITY_CONFIRMED, Status.RETURNED,
                                   Status.RELEASED_OTHER, Status.FOUND, Status.DECEASED}),
        # "found" after "captive": the captivity was a wrong report (found in a hospital, with another unit)
        Status.CAPTIVITY_CONFIRMED: frozenset({Status.CAPTIVITY_CONFIRMED, Status.MISSING, Status.RETURNED,
                                              Status.RELEASED_OTHER, Status.FOUND, Status.DECEASED}),
        Status.RETURNED: frozenset({Status.RETURNED, Status.DECEASED}),
        Status.RELEASED_OTHER: frozenset({Status.RELEASED_OTHER, Status.DECEASED}),
        Status.FOUND: frozenset({Status.FOUND, Status.DECEASED}),
        Status.DECEASED: frozenset({Status.DECEASED}),
    },
    Side.ENEMY: {
        Status.HELD: frozenset({Status.HELD, Status.EXCHANGED, Status.RELEASED, Status.DECEASED}),
        Status.EXCHANGED: frozenset({Status.EXCHANGED, Status.DECEASED}),
        Status.RELEASED: frozenset({Status.RELEASED, Status.DECEASED}),
        Status.DECEASED: frozenset({Status.DECEASED}),
    },
}


class Derived(NamedTuple):
    status: str
    since: dt.date | None
    was_missing: bool


def _key(e) -> tuple:
    return (e.effective_date, PHASE.get(e.status, 0), e.pk or 0)


def live_events(events: Iterable) -> list:
    """The events no later event corrects, in the order of what happened."""
    events = list(events)
    corrected = {e.corrects_id for e in events if e.corrects_id}
    return sorted((e for e in events if e.pk not in corrected), key=_key)


def is_closing(e) -> bool:
    """An event that only closes a listing (not delivered, withdrawn): not a state of its own."""
    return bool(getattr(e, "ends_id", None)) and e.status not in HOME


def state_events(live: list) -> list:
    return [e for e in live if e.status != LISTING and not is_closing(e)]


def open_listings(live: list) -> list:
    closed = {e.ends_id for e in live if getattr(e, "ends_id", None)}
    return [e for e in live if e.status == LISTING and not is_closing(e) and e.pk not in closed]


def derive(events: Iterable) -> Derived:
    """The current status, since when, and whether the person was ever considered missing."""
    live = live_events(events)
    states = state_events(live)
    was_missing = any(e.status == Status.MISSING for e in states)
    base = states[-1] if states else None
    base_status = base.status if base else ""
    listings = open_listings(live)
    if listings and base_status in LISTABLE:
        return Derived(LISTING, min(e.effective_date for e in listings), was_missing)
    if base is None:
        return Derived("", None, was_missing)
    since = base.effective_date
    if base_status in LISTABLE:  # back from a list: the state holds again since the list closed
        closings = [e.effective_date for e in live if is_closing(e) and e.effective_date > since]
        since = max(closings, default=since)
    return Derived(base_status, since, was_missing)


def state_beneath(events: Iterable) -> str:
    """The state beneath any listing: where a closed list returns the person to."""
    states = state_events(live_events(events))
    return states[-1].status if states else ""


def allowed(side: str, before: str, after: str) -> bool:
    if not before:
        return True
    return after in TRANSITIONS.get(side, {}).get(before, frozenset())


def contradictions(side: str, events: Iterable, *, status: str, effective_date: dt.date, corrects=None,
                   incident_date: dt.date | None = None) -> list[str]:
    """What a new state event (``status`` on ``effective_date``, perhaps replacing ``corrects``)
    contradicts in the history: the state before it, the state after it, the capture date.
    Empty when it fits. Listings are the exchanges' business (they check the pool)."""
    if status == LISTING:
        return []
    # Live first, then without the replaced event: dropping it before would bring back to life
    # whatever it had corrected itself (a correction of a correction judged against the original).
    states = state_events([e for e in live_events(events) if e.pk != corrects])
    new_key = (effective_date, PHASE.get(status, 0), float("inf"))
    before = [e for e in states if _key(e) < new_key]
    after = [e for e in states if _key(e) > new_key]
    problems = []
    if before and not allowed(side, before[-1].status, status):
        problems.append(_("It cannot follow “%(before)s” of %(date)s.")
                        % {"before": Status(before[-1].status).label, "date": before[-1].effective_date.isoformat()})
    if after and not allowed(side, status, after[0].status):
        problems.append(_("“%(after)s” of %(date)s cannot follow it.")
                        % {"after": Status(after[0].status).label, "date": after[0].effective_date.isoformat()})
    if status in HOME and incident_date and effective_date < incident_date:
        problems.append(_("The return is dated before the capture or disappearance (%(date)s).")
                        % {"date": incident_date.isoformat()})
    return problems


def broken_transitions(side: str, events: Iterable) -> list:
    """State events that contradict the one before them, where neither of the two carries a stated
    reason (the reason given for an event covers what it contradicts on both sides: see
    :func:`contradictions`). For ``homecoming invariants`` and merges."""
    states = state_events(live_events(events))
    return [b for a, b in zip(states, states[1:], strict=False)
            if not allowed(side, a.status, b.status) and not getattr(b, "exception_reason", "")
            and not getattr(a, "exception_reason", "")]
