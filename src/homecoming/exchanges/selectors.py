"""Reads of the exchanges app that pages, the API and the demo share: pools, counts and balance,
the reconciliation report's facts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import CharField, Count, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homecoming.audit.services import record
from homecoming.common.collation import person_order, person_sort_key
from homecoming.registry.models import Person, Side, Status
from homecoming.registry.selectors import active_persons
from homecoming.rules import Compiled, compile_rule

from .labels import rule_labels
from .models import Category, Direction, EntryState, Exchange, ListEntry, TradeRule

#: entries in these states hold a person on a list
ACTIVE_STATES = (EntryState.PROPOSED, EntryState.CONFIRMED, EntryState.CONTESTED)
#: the current statuses that put a person of a side into the pools
POOL_STATUSES = {
    Side.OURS: (Status.CAPTIVITY_CONFIRMED, Status.ON_EXCHANGE_LIST),
    Side.ENEMY: (Status.HELD, Status.ON_EXCHANGE_LIST),
}
SIDE_OF_DIRECTION = {Direction.RECEIVE: Side.OURS, Direction.HAND_OVER: Side.ENEMY}
DIRECTION_OF_SIDE = {Side.OURS: Direction.RECEIVE, Side.ENEMY: Direction.HAND_OVER}

# the Person columns a rule's facts come from
FACT_COLUMNS = {
    "side": ("side",), "kind": ("kind",), "sex": ("sex",), "medical_category": ("medical_category",),
    "status": ("current_status",), "branch": ("branch__code",), "direction": ("direction__code",),
    "operation": ("operation__code",), "was_missing": ("was_missing",),
    "rank_category": ("rank_category", "rank__category"),
    "birth_date": ("birth_date",), "birth_date_precision": ("birth_date_precision",),
    "incident_date": ("incident_date",),
}


DATE_COLUMNS = ("birth_date", "incident_date")


def facts_of(row: dict) -> dict:
    """A Person ``values()`` row -> the facts a rule reads."""
    facts = {}
    for name, columns in FACT_COLUMNS.items():
        if columns[0] in row:
            facts[name] = row[columns[0]]
    if "rank_category" in row and not row["rank_category"]:
        facts["rank_category"] = row.get("rank__category") or ""
    if "current_status" in row:
        facts["status"] = row["current_status"]
    return facts


def person_facts(person: Person) -> dict:
    return facts_of({
        "side": person.side, "kind": person.kind, "sex": person.sex, "medical_category": person.medical_category,
        "current_status": person.current_status, "branch__code": person.branch.code if person.branch_id else None,
        "direction__code": person.direction.code if person.direction_id else None,
        "operation__code": person.operation.code if person.operation_id else None,
        "was_missing": person.was_missing, "rank_category": person.rank_category,
        "rank__category": person.rank.category if person.rank_id else "",
        "birth_date": person.birth_date, "birth_date_precision": person.birth_date_precision,
        "incident_date": person.incident_date,
    })


def pool_base(side: str) -> QuerySet[Person]:
    return active_persons().filter(side=side, current_status__in=POOL_STATUSES[side])


@dataclass
class Pool:
    category: Category
    side: str
    eligible: list[int] = field(default_factory=list)  # person ids
    just_outside: list[int] = field(default_factory=list)
    on_lists: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # person id -> [(stage no., state)]
    considered: int = 0


def compiled_rule(category: Category) -> Compiled:
    return compile_rule(category.rule)


def pool(category: Category, side: str, *, outside_distance: int = 1, with_lists: bool = True) -> Pool:
    """Every person of ``side`` in the pool statuses, evaluated in Python over the rule's columns
    only (the rule's reasons come later, for the persons shown: see :func:`explain`)."""
    compiled = compiled_rule(category)
    columns: set[str] = set()
    for name in compiled.fields:
        columns.update(FACT_COLUMNS[name])
    names = sorted(columns)
    result = Pool(category, side)
    cost = compiled.cost
    # Persons with the same values in the rule's columns have the same outcome: evaluate each
    # distinct combination once (a medical rule has a handful, an age rule one per date of birth).
    seen: dict[tuple, tuple] = {}
    eligible, outside = result.eligible, result.just_outside
    considered = 0
    # dates are read as text and turned into dates once per distinct value (not once per row)
    as_text = {f"{n}__text": Cast(n, output_field=CharField()) for n in names if n in DATE_COLUMNS}
    selected = [f"{n}__text" if n in DATE_COLUMNS else n for n in names]
    for row in pool_base(side).annotate(**as_text).values_list("id", *selected):
        key = row[1:]
        outcome = seen.get(key)
        if outcome is None:
            outcome = seen[key] = cost(facts_of(dict(zip(names, key, strict=True))))
            if len(seen) > 200000:  # bounded memory on very varied registers
                seen.clear()
        considered += 1
        if outcome[0] is True:
            eligible.append(row[0])
        elif outcome[1] <= outside_distance and outcome[2]:
            outside.append(row[0])
    result.considered = considered
    result.eligible.sort()
    result.just_outside.sort()
    if not with_lists:
        return result
    wanted = set(result.eligible) | set(result.just_outside)
    for person_id, number, state in (ListEntry.objects.filter(
            exchange__agreement_id=category.agreement_id, state__in=ACTIVE_STATES + (EntryState.RETURNED,))
            .values_list("person_id", "exchange__number", "state")):
        if person_id in wanted:
            result.on_lists.setdefault(person_id, []).append((number, state))
    return result


def explain(category: Category, person_ids: list[int]) -> list[dict]:
    """For the persons shown: the person, the result and the reasons in the reader's language."""
    compiled = compiled_rule(category)
    labels = rule_labels()
    persons = {p.pk: p for p in Person.objects.filter(pk__in=person_ids).select_related(
        "branch", "rank", "direction", "operation")}
    out = []
    for pk in person_ids:
        person = persons.get(pk)
        if person is None:
            continue
        evaluation = compiled.evaluate(person_facts(person))
        out.append({"person": person, "eligible": evaluation.eligible, "distance": evaluation.distance,
                    "reasons": evaluation.reasons(labels), "evaluation": evaluation})
    return out


def preview(rule, *, sample: int = 10) -> dict:
    """Before a rule is saved: how many of each side are eligible, and samples of those eligible
    and just outside, with reasons."""
    category = Category(rule=rule, agreement_id=None)
    out = {}
    for side in (Side.OURS, Side.ENEMY):
        p = pool_without_lists(category, side)
        out[side] = {
            "eligible_count": len(p.eligible), "just_outside_count": len(p.just_outside),
            "considered": p.considered,
            "eligible": explain(category, p.eligible[:sample]),
            "just_outside": explain(category, p.just_outside[:sample]),
        }
    return out


def pool_without_lists(category: Category, side: str) -> Pool:
    return pool(category, side, with_lists=False)


# --- counts and the trade rule ----------------------------------------------------------------

@dataclass
class Balance:
    category: Category
    receive: int
    hand_over: int
    balanced: bool
    message: str


def counted_states() -> tuple[str, ...]:
    return ACTIVE_STATES + (EntryState.RETURNED,)


def balance(category: Category, receive: int, hand_over: int) -> Balance:
    """Check counts of one category against its trade rule; a clear message where they do not balance."""
    rule = category.trade_rule
    if rule == TradeRule.ALL_FOR_ALL:
        return Balance(category, receive, hand_over, True,
                       _("All for all: every eligible person of each side, the numbers need not be equal."))
    if rule == TradeRule.N_FOR_N:
        if receive == hand_over:
            return Balance(category, receive, hand_over, True, _("%(n)s for %(n)s: balanced.") % {"n": receive})
        return Balance(category, receive, hand_over, False,
                       _("N for N: we ask to receive %(r)s but hand over %(h)s; the lists must be equal "
                         "(%(d)s too many on the list to %(side)s).")
                       % {"r": receive, "h": hand_over, "d": abs(receive - hand_over),
                          "side": _("receive") if receive > hand_over else _("hand over")})
    a, b = category.ratio_receive or 1, category.ratio_hand_over or 1
    if receive * b == hand_over * a:
        return Balance(category, receive, hand_over, True,
                       _("Ratio %(a)s:%(b)s: %(r)s to receive for %(h)s to hand over, balanced.")
                       % {"a": a, "b": b, "r": receive, "h": hand_over})
    needed = receive * b / a
    return Balance(category, receive, hand_over, False,
                   _("Ratio %(a)s:%(b)s: for %(r)s to receive we should hand over %(n)s, but the list has %(h)s.")
                   % {"a": a, "b": b, "r": receive, "h": hand_over, "n": f"{needed:g}"})


def balances(exchange: Exchange) -> list[Balance]:
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for row in (exchange.entries.filter(state__in=counted_states())
                .values("category_id", "direction").annotate(n=Count("id"))):
        counts[(row["category_id"], row["direction"])] = row["n"]
    return [balance(c, counts[(c.pk, Direction.RECEIVE)], counts[(c.pk, Direction.HAND_OVER)])
            for c in exchange.agreement.categories.all()]


def entries_of(exchange: Exchange) -> QuerySet[ListEntry]:
    return exchange.entries.select_related("person", "category").order_by("category__position", "category_id",
                                                                            "direction", *person_order("person__"))


def is_last_stage(exchange: Exchange) -> bool:
    """The stage whose reconciliation completes the agreement (every stage reconciled)."""
    return not exchange.agreement.exchanges.exclude(status="reconciled").exclude(pk=exchange.pk).exists()


def persons_missing_until(person_ids: list[int], until: dt.date) -> dict[int, str]:
    """Of these persons, those considered missing until ``until``: -> "until_return" when the last
    status before that day was still "missing", "before_confirmation" when their history had
    "missing" before captivity was confirmed."""
    from homecoming.registry.models import StatusEvent

    events = defaultdict(list)
    for pid, status, date, pk, corrects in (StatusEvent.objects.filter(person_id__in=person_ids,
                                                                         effective_date__lte=until)
                                            .values_list("person_id", "status", "effective_date", "id",
                                                         "corrects_id")
                                            .order_by("effective_date", "id")):
        events[pid].append((status, date, pk, corrects))
    out = {}
    for pid, evs in events.items():
        corrected = {c for *_x, c in evs if c}
        live = [(s, d) for s, d, pk, _c in evs if pk not in corrected
                and s not in (Status.RETURNED, Status.ON_EXCHANGE_LIST)]
        if not live:
            continue
        statuses = [s for s, _d in live]
        if statuses[-1] == Status.MISSING:
            out[pid] = "until_return"
        elif Status.MISSING in statuses:
            out[pid] = "before_confirmation"
    return out


def histories(person_ids) -> dict[int, list]:
    """Every status event of these persons (for the status model's checks), by person."""
    from homecoming.registry.models import StatusEvent

    out: dict[int, list] = defaultdict(list)
    for event in StatusEvent.objects.filter(person_id__in=list(person_ids)).only(
            "id", "person_id", "status", "effective_date", "corrects_id", "ends_id", "exception_reason",
            "managed_by"):
        out[event.person_id].append(event)
    return out


def state_dates(person_ids) -> dict[int, dt.date]:
    """The date of each person's latest state (beneath any listing): a list cannot be older."""
    from homecoming.registry import lifecycle

    out = {}
    for pid, events in histories(person_ids).items():
        states = lifecycle.state_events(lifecycle.live_events(events))
        if states:
            out[pid] = states[-1].effective_date
    return out


@dataclass(frozen=True)
class StageProblem:
    kind: str  # "unbalanced", "contested", "before_listing"
    message: str


def stage_problems(exchange: Exchange, status: str, *, carried_out_on: dt.date | None = None) -> list[StageProblem]:
    """What a move of the stage to ``status`` would break: lists agreed while a trade rule does not
    balance or an entry is contested; carried out on a day before a person was listed."""
    problems = []
    if status == "lists_agreed":
        for b in balances(exchange):
            if not b.balanced:
                problems.append(StageProblem("unbalanced", f"{b.category.name}: {b.message}"))
        contested = exchange.entries.filter(state=EntryState.CONTESTED).count()
        if contested:
            problems.append(StageProblem("contested", ngettext(
                "%(n)s entry is still contested.", "%(n)s entries are still contested.", contested) % {"n": contested}))
    if status == "carried_out" and carried_out_on is not None:
        from homecoming.registry.models import StatusEvent

        late = (StatusEvent.objects.filter(pk__in=exchange.entries.exclude(state=EntryState.WITHDRAWN)
                                           .values("listing_event_id"), effective_date__gt=carried_out_on)
                .order_by("-effective_date").values_list("effective_date", flat=True))
        if late:
            problems.append(StageProblem("before_listing", ngettext(
                "%(n)s person was put on the lists after %(day)s (on %(last)s): an exchange cannot have been "
                "carried out before its lists. Check the date.",
                "%(n)s persons were put on the lists after %(day)s (the latest on %(last)s): an exchange cannot "
                "have been carried out before its lists. Check the date.", len(late))
                % {"n": len(late), "day": carried_out_on.isoformat(), "last": late[0].isoformat()}))
    return problems


@dataclass
class ReconcilePlan:
    """What a reconciliation will do, person by person: the preview a person confirms."""

    exchange: Exchange
    outcomes: list[dict]  # {"entry", "person", "outcome", "status", "ends"}: one per person who changes
    groups: dict[str, list[Person]]  # outcome group -> persons, sorted by name
    other_entries: list[ListEntry]  # active entries of returnees on other stages: withdrawn with it
    contradictions: dict[int, list[str]]  # person id -> what their new event contradicts
    fingerprint: str = ""


RECONCILE_GROUPS = ("returned_as_listed", "listed_not_returned", "returned_unlisted", "handed_over",
                    "not_handed_over", "handed_over_unlisted")


def reconcile_plan(exchange: Exchange) -> ReconcilePlan:
    """Every entry's outcome (returned / not delivered), every unlisted crossing, the events each
    will write in the register, what those contradict, and the fingerprint of it all
    (common.confirm)."""
    from homecoming.common.confirm import fingerprint
    from homecoming.registry import lifecycle

    day = exchange.carried_out_on
    crossings = {c.person_id: c for c in exchange.crossings.select_related("person")}
    entries = list(exchange.entries.filter(state__in=ACTIVE_STATES).select_related("person"))
    listed = {e.person_id for e in entries}
    histories_ = histories([e.person_id for e in entries] + list(crossings))
    outcomes, groups = [], {g: [] for g in RECONCILE_GROUPS}
    contradictions: dict[int, list[str]] = {}
    for e in entries:
        ours = e.direction == Direction.RECEIVE
        home = Status.RETURNED if ours else Status.EXCHANGED
        history = histories_[e.person_id]
        if e.person_id in crossings:
            status, outcome = home, EntryState.RETURNED
            groups["returned_as_listed" if ours else "handed_over"].append(e.person)
        else:
            status = lifecycle.state_beneath(history) or (Status.CAPTIVITY_CONFIRMED if ours else Status.HELD)
            outcome = EntryState.NOT_DELIVERED
            groups["listed_not_returned" if ours else "not_handed_over"].append(e.person)
        problems = []
        if e.listing_event_id and day:
            listing = next((h for h in history if h.pk == e.listing_event_id), None)
            if listing is not None and day < listing.effective_date:
                problems.append(_("The exchange day %(day)s is before the listing of %(date)s.")
                                % {"day": day.isoformat(), "date": listing.effective_date.isoformat()})
        if status == home and day:
            problems += lifecycle.contradictions(e.person.side, history, status=status, effective_date=day,
                                                 incident_date=e.person.incident_date)
        if problems:
            contradictions[e.person_id] = problems
        outcomes.append({"entry": e.pk, "person": e.person_id, "outcome": outcome, "status": status,
                         "ends": e.listing_event_id})
    for pid, c in crossings.items():
        if pid in listed:
            continue
        ours = c.person.side == Side.OURS
        status = Status.RETURNED if ours else Status.EXCHANGED
        groups["returned_unlisted" if ours else "handed_over_unlisted"].append(c.person)
        if day:
            problems = lifecycle.contradictions(c.person.side, histories_[pid], status=status, effective_date=day,
                                                incident_date=c.person.incident_date)
            if problems:
                contradictions[pid] = problems
        outcomes.append({"entry": None, "person": pid, "outcome": None, "status": status, "ends": None})
    home_ids = [o["person"] for o in outcomes if o["status"] in (Status.RETURNED, Status.EXCHANGED)]
    other_entries = list(ListEntry.objects.filter(person_id__in=home_ids, state__in=ACTIVE_STATES)
                         .exclude(exchange=exchange).select_related("exchange__agreement", "person")
                         .order_by("person_id", "id"))
    for persons in groups.values():
        persons.sort(key=person_sort_key)
    plan = ReconcilePlan(exchange, outcomes, groups, other_entries, contradictions)
    plan.fingerprint = fingerprint({"day": day, "outcomes": outcomes, "other": [e.pk for e in other_entries],
                                    "contradictions": sorted(contradictions)})
    return plan


def list_standing(person_ids) -> dict[int, str]:
    """Where each person stands on the exchange lists, for what the family is told
    (families.status.portal_state): "carried_out" when on an active entry of a stage carried out
    and not reconciled yet; else "confirmed" when on a confirmed entry of a stage not carried out;
    else "proposed" when on any other active entry; absent when on no list."""
    rank = {"carried_out": 3, "confirmed": 2, "proposed": 1}
    out: dict[int, str] = {}
    rows = (ListEntry.objects.filter(person_id__in=list(person_ids), state__in=ACTIVE_STATES)
            .values_list("person_id", "state", "exchange__status"))
    for pid, state, stage in rows:
        if stage == "carried_out":
            standing = "carried_out"
        elif stage == "reconciled":
            continue
        else:
            standing = "confirmed" if state == EntryState.CONFIRMED else "proposed"
        if rank[standing] > rank.get(out.get(pid, ""), 0):
            out[pid] = standing
    return out


# --- audited reads: what a page or an API answer shows of persons, and its audit event ----------
# ``request`` only gives the event the client's address.

def preview_for_reading(actor, agreement, rule, *, request=None) -> dict:
    """The preview of a category's rule (:func:`preview`) for ``agreement``; the persons it
    shows are audited."""
    shown = preview(rule)
    persons = [row["person"].pk for side in shown.values() for key in ("eligible", "just_outside")
               for row in side[key]]
    record(actor, "category.preview", object_type="agreement", object_id=agreement.pk,
           details={"persons": persons}, request=request)
    return shown


def pool_rows_for_reading(actor, category: Category, side: str, person_ids: list[int], *, request=None) -> list[dict]:
    """One page of a category's pool, explained (:func:`explain`); the persons shown are audited."""
    rows = explain(category, person_ids)
    record(actor, "category.pool_view", object_type="category", object_id=category.pk,
           details={"side": side, "persons": [r["person"].pk for r in rows]}, request=request)
    return rows


def stage_for_reading(actor, exchange: Exchange, *, request=None) -> tuple[list[ListEntry], list]:
    """A stage's list entries and crossings, as its page shows them; the persons listed and those
    crossed without an entry are audited."""
    entries = list(entries_of(exchange))
    crossings = list(exchange.crossings.select_related("person", "entry"))
    record(actor, "exchange.view", object_type="exchange", object_id=exchange.pk,
           details={"persons": [e.person_id for e in entries] + [c.person_id for c in crossings
                                                                  if c.entry_id is None]}, request=request)
    return entries, crossings


def reconcile_plan_for_reading(actor, exchange: Exchange, *, request=None) -> ReconcilePlan:
    """The plan of a reconciliation (:func:`reconcile_plan`); the persons of its groups are audited."""
    plan = reconcile_plan(exchange)
    persons = {p.pk for group in plan.groups.values() for p in group}
    record(actor, "exchange.reconcile_preview", object_type="exchange", object_id=exchange.pk,
           details={"persons": sorted(persons)}, request=request)
    return plan


def report_for_reading(actor, exchange: Exchange, keys, *, request=None) -> dict:
    """A reconciled stage's report; the persons of its groups ``keys`` (those shown) are audited."""
    report = exchange.report
    persons = sorted({row["person"] for key in keys for row in report["groups"].get(key, [])})
    record(actor, "exchange.report_view", object_type="exchange", object_id=exchange.pk,
           details={"persons": persons}, request=request)
    return report
