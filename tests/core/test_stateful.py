"""A random day of work, many times over: a hypothesis state machine drives the real services as
the roles would (registrar, negotiator, case worker, finance officers, a family), in any order, with
back-dated, same-day and corrected events, merges and their undo, stages moved on before their
lists are right, crossings, reconciliations with every mix of outcomes, inquiries, a death told in
person, payments prepared, approved and paid; and remains: transfers received, identifications opened,
proposed, excluded, confirmed by a second person and reversed, the tasks after them done (the family
told in person first), the death benefit approved and paid. After every step:

* every invariant of ``homecoming invariants`` holds (common/invariants.py), and
* what each family sees is true by statements written here, apart from the code that derives it,
  and by what the machine itself made happen (a person it saw reconciled as returned, with nothing
  recorded after, is "returned home"; one not delivered is never "on the way").

A refused step must change nothing. Bounded for CI (``HOMECOMING_STATEFUL_EXAMPLES``, default 12 runs
of up to 30 steps, on SQLite and on PostgreSQL); docs/status-model.md gives the nightly setting.
A failure prints every step of the day that broke; ``HOMECOMING_STATEFUL_SHRINK=1`` asks hypothesis
to shrink it first (minutes).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from homecoming.common.invariants import broken
from homecoming.exchanges import selectors as exchange_selectors
from homecoming.exchanges import services as exchanges
from homecoming.exchanges.models import Exchange, ListEntry
from homecoming.families import services as families
from homecoming.families.models import Inquiry, Notification
from homecoming.families.status import current_death_id, family_view
from homecoming.intake import services as intake
from homecoming.intake.models import IncomingList, ListRow, RowState
from homecoming.intake.register_index import reset_register_index
from homecoming.intake.services.review import _event_reference
from homecoming.payments import services as payments
from homecoming.payments.models import Batch, DeathBenefit
from homecoming.registry import lifecycle, status_counts
from homecoming.registry import services as registry
from homecoming.registry.models import STATUSES_BY_SIDE, Merge, Person, Source, StatusCount, StatusEvent
from homecoming.remains import services as remains
from homecoming.remains.models import Identification, Remains, Task

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HOMECOMING_STATEFUL_EXAMPLES", "12"))
STEPS = int(os.environ.get("HOMECOMING_STATEFUL_STEPS", "30"))
DAYS_END = dt.date(2026, 11, 30)
DAYS = st.dates(min_value=dt.date(2024, 1, 1), max_value=DAYS_END)
REASON = st.sampled_from(["", "", "Typed from the paper list afterwards"])
SURNAMES = ["Коваль", "Бондар", "Шевчук", "Ткач", "Гончар", "Мельник", "Кравець", "Лисенко", "Мороз"]
ENEMY_SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов"]
IBAN = "UA213223130000026007233566001"
REFUSED = (ValidationError, PermissionDenied)


@pytest.fixture
def actors(make_user):
    return {role: make_user(role) for role in ("registrar", "negotiator", "case_worker", "finance_officer",
                                               "forensic_expert", "administrator")} | {
        "finance_two": make_user("finance_officer")}


def _snapshot():
    """Everything a refused step must leave as it was."""
    return (StatusEvent.objects.count(), list(Person.objects.order_by("pk").values_list(
        "pk", "current_status", "current_status_date", "merged_into_id", "version")),
        list(ListEntry.objects.order_by("pk").values_list("pk", "state", "person_id")),
        list(Exchange.objects.order_by("pk").values_list("pk", "status", "carried_out_on")),
        Merge.objects.filter(undone_at__isnull=True).count(), Inquiry.objects.count(), Batch.objects.count(),
        list(Identification.objects.order_by("pk").values_list("pk", "state", "person_id", "reversal_proposed_at")),
        list(Task.objects.order_by("pk").values_list("pk", "state")), Remains.objects.count(),
        list(DeathBenefit.objects.order_by("pk").values_list("pk", "state", "flagged_at")),
        list(Inquiry.objects.order_by("pk").values_list("pk", "told_in_person_event_id")))


def _family_truths(inquiry, made: dict) -> None:
    """What a family sees, checked against facts read here directly and against what the machine made."""
    view = family_view(inquiry)
    person = inquiry.person
    entries = ListEntry.objects.filter(person=person)
    active = entries.filter(state__in=("proposed", "confirmed", "contested"))
    if view.state == "on_the_way":
        assert person.current_status == "on_exchange_list"
        assert active.filter(state="confirmed", exchange__status__in=("planning", "lists_sent", "lists_agreed")) \
            .exists(), "on the way home without a confirmed list of a stage not carried out"
    if view.state == "being_checked":
        assert active.filter(exchange__status="carried_out").exists()
    if view.state == "returned":
        assert person.current_status in ("returned", "released_other")
    events = list(person.status_events.all())
    told_event = next((e for e in events if e.pk == inquiry.told_in_person_event_id), None)
    if told_event is not None and told_event.managed_by == "remains" and any(
            e.corrects_id == told_event.pk for e in events):
        # told of an identification that was reversed since: asked to come in until told of the reversal
        assert view.state == "contact_us", f"a reversed identification shows {view.state}"
    elif person.current_status == "deceased":
        told = inquiry.told_in_person_event_id == current_death_id(person)
        death = next(e for e in events if e.pk == current_death_id(person))
        if death.managed_by == "remains" and not told:
            # an identification the family was not told of yet: nothing new, what the register held before
            before = lifecycle.derive([e for e in events if e.pk != death.pk]).status
            assert view.state != "deceased", "a death from remains on the portal before it was told"
            if before in ("", "missing"):
                assert view.state == "missing", f"untold identification shows {view.state}"
            if before == "captivity_confirmed":
                assert view.state == "captive", f"untold identification shows {view.state}"
        else:
            assert view.state == ("deceased" if told else "contact_us"), "a death on the portal before it was told"
    assert view.state != "deceased" or person.current_status == "deceased"
    # what the machine made happen: reconciled home, or not delivered, and nothing recorded after
    fact = made.get(person.pk)
    if fact is not None:
        kind, day = fact
        later = StatusEvent.objects.filter(person=person, effective_date__gte=day, managed_by="").exists()
        if kind == "home" and not later:
            assert view.state == "returned", f"returned on {day} but the family is told {view.state}"
        if kind == "not_delivered" and not later and not active.exists():
            assert view.state in ("captive", "missing"), f"not delivered on {day}, the family is told {view.state}"


# --- review decisions on incoming lists and their undo (issue 19) ----------------------------------
#
# Kept apart from the day above (a mixin the day inherits) so that other rules merge without
# conflicts. An analyst and a lead (analyst + registrar: may create persons and undo anyone's
# decision) receive small lists from the other side naming persons of the day (and a stranger),
# decide rows (accept a candidate or anyone, reject, create) and undo decisions at random, from
# the decider, another analyst, a lead, or a stale page: also decisions a later step has used
# since (a status event, a listing, an inquiry, a merge), which must be refused with nothing
# changed. After every step the review's own invariants hold (below) besides every module's.

#: what the undo rule saw, printed after the run (pytest -s): proof that the rules reached each case
REVIEW_SEEN: Counter = Counter()


def _review_snapshot():
    """Everything an undo touches or a refused undo must leave as it was."""
    return (_snapshot(), list(ListRow.objects.order_by("pk").values_list(
        "pk", "state", "person_id", "status_event_id", "decided_by_id", "version")),
        list(StatusEvent.objects.order_by("pk").values_list("pk", "person_id", "status", "effective_date")),
        sorted(Source.objects.values_list("pk", flat=True)),
        sorted(StatusCount.objects.exclude(n=0).values_list("day", "status", "side", "n")))


def _recount() -> Counter:
    """The status counts recounted here, apart from registry/status_counts.py: every event no other
    event corrects, by day, status and the side of its person."""
    events = list(StatusEvent.objects.select_related("person"))
    corrected = {e.corrects_id for e in events if e.corrects_id}
    return Counter((e.effective_date, e.status, e.person.side) for e in events if e.pk not in corrected)


def _merged_chain(person_id: int) -> set[int]:
    """``person_id`` and every record it was merged into, in turn."""
    seen = set()
    person = Person.objects.filter(pk=person_id).first()
    while person is not None and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    return seen


def _used_since(row: ListRow) -> str:
    """Why the undo of ``row`` must be refused, by facts read here (not by the code under test);
    "" when nothing this machine does has used the decision."""
    person = Person.objects.filter(pk=row.person_id).first()
    if person is None:
        return ""
    if person.merged_into_id:
        return "merged into another record"
    event_id = row.status_event_id
    if row.state == RowState.CREATED:
        if person.status_events.count() > 1:
            return "another status event of the new person"
        if person.version != 1:
            return "the new person was edited"
        if Inquiry.objects.filter(person=person).exists() or ListEntry.objects.filter(person=person).exists() \
                or ListRow.objects.filter(person=person).exclude(pk=row.pk).exists():
            return "an inquiry, a list entry or another row points at the new person"
        if Identification.objects.filter(person=person).exists() or person.reference_samples.exists() \
                or hasattr(person, "ante_mortem"):
            return "forensic records (an identification, a reference sample) name the new person"
        return ""
    if event_id and person.status_events.filter(pk__gt=event_id).exists():
        return "a later status event of the person"
    return ""


def _untouched_since(row: ListRow) -> bool:
    """Nothing at all happened to what the decision wrote: the undo must succeed."""
    person = Person.objects.filter(pk=row.person_id).first()
    if person is None or person.merged_into_id or _used_since(row):
        return False
    if Merge.objects.filter(Q(survivor=person) | Q(duplicate=person)).exists():
        return False
    event = StatusEvent.objects.get(pk=row.status_event_id)
    if StatusEvent.objects.filter(corrects=event).exists() or Inquiry.objects.filter(
            told_in_person_event=event).exists():
        return False
    told = Notification.objects.filter(inquiry__person=person, created_at__gte=event.created_at).exists()
    return not told


def review_undo_rules(actors):
    """The rules and invariants of the review queue's decisions and their undo (a mixin class)."""
    from homecoming.accounts.services import create_user

    reviewers = {
        "analyst": create_user(None, username="stateful-analyst", password="correct-horse-battery-9",
                               roles=["analyst"]),
        "analyst_two": create_user(None, username="stateful-analyst-2", password="correct-horse-battery-9",
                                   roles=["analyst"]),
        "lead": create_user(None, username="stateful-lead", password="correct-horse-battery-9",
                            roles=["analyst", "registrar"]),
    }

    class ReviewUndo:
        lists_received = 0

        def open_rows(self):
            return list(ListRow.objects.filter(state=RowState.OPEN).order_by("pk"))

        def decided_rows(self):
            return list(ListRow.objects.exclude(state=RowState.OPEN).order_by("pk"))

        @precondition(lambda self: IncomingList.objects.count() < 3
                      and Person.objects.filter(side="ours", merged_into__isnull=True).exists())
        @rule(data=st.data(), day=DAYS, stranger=st.booleans())
        def receive_list(self, data, day, stranger):
            """The other side hands over a list naming some of our persons (and maybe a stranger)."""
            self.lists_received += 1
            reset_register_index()  # the machine's rolled-back days leave the warm index behind
            named = data.draw(st.lists(st.sampled_from(self.persons(side="ours")), min_size=1, max_size=3,
                                       unique=True))
            rows = [[p.last_name, p.first_name, ""] for p in named]
            if stranger:
                rows.append(["Зозуля", "Остап", f"SN-{self.lists_received}"])
            n = self.lists_received  # the list's own numbers: no file is the same as another
            rows = [["№", "Прізвище", "Ім'я", "Особовий номер"]] + [[f"{n}.{i}", *r] for i, r in enumerate(rows, 1)]
            content = "\n".join(",".join(r) for r in rows).encode()
            analyst = reviewers["analyst"]
            job = intake.stage_upload(analyst, content=content, filename=f"list-{self.lists_received}.csv",
                                      kind="list", source_kind="other_side_list",
                                      source_reference=f"stateful list {self.lists_received} ({day})",
                                      list_date=day)
            job = intake.start_import(analyst, job.pk)
            assert job.incoming_list is not None, f"the list was not imported: {job.state} {job.errors}"

        @precondition(lambda self: ListRow.objects.filter(state=RowState.OPEN).exists())
        @rule(data=st.data(), n=st.integers(1, 3))
        def decide(self, data, n):
            """A reviewer's few minutes: up to three rows decided (accept a candidate or anyone, reject,
            create), by one of the analysts or the lead; a refusal changes nothing."""
            for _ in range(n):
                rows = self.open_rows()
                if not rows:
                    return
                row = data.draw(st.sampled_from(rows))
                action = data.draw(st.sampled_from(["accept", "accept", "reject", "create"]))
                who = data.draw(st.sampled_from(["analyst", "analyst_two", "lead"]))
                person_id = None
                if action == "accept":
                    ids = [c["person_id"] for c in row.candidates] if not data.draw(st.booleans()) else []
                    person_id = data.draw(st.sampled_from(ids or [p.pk for p in self.persons()]))
                done = self.attempt(partial(intake.decide_row, reviewers[who], row.pk, action=action,
                                            version=row.version, person_id=person_id,
                                            note="not ours" if action == "reject" else ""))
                REVIEW_SEEN[f"decide {action} " + ("done" if done is not None else "refused")] += 1

        @precondition(lambda self: ListRow.objects.exclude(state=RowState.OPEN).exists())
        @rule(data=st.data(), n=st.integers(1, 2))
        def undo(self, data, n):
            """Undo a decision or two, by the decider, another analyst, the lead or a registrar, from the
            page showing it or a stale one: refused with nothing changed when a later step used it, when
            the actor may not, or from a stale page; otherwise the row is open again and what it wrote is
            gone."""
            for _ in range(n):
                rows = self.decided_rows()
                if not rows:
                    return
                row = data.draw(st.sampled_from(rows))
                who = data.draw(st.sampled_from(["decider", "decider", "analyst_two", "lead", "registrar"]))
                self.undo_one(row, who, stale=data.draw(st.sampled_from([False] * 5 + [True])))

        def undo_one(self, row, who, *, stale):
            actor = {"decider": row.decided_by, "registrar": actors["registrar"]}.get(who) or reviewers.get(who)
            version = row.version - 1 if stale else row.version  # stale: a page showing an earlier decision
            used, untouched = _used_since(row), _untouched_since(row)
            may = actor is not None and (actor.pk == row.decided_by_id or actor.has_perm("intake.undo_any_decision")) \
                and actor.has_perm("intake.review_match")
            if row.state == RowState.CREATED:
                may = may and actor.has_perm("registry.add_person")
            state, person_id, event_id = row.state, row.person_id, row.status_event_id
            before = _review_snapshot()
            try:
                with transaction.atomic():
                    intake.undo_decision(actor, row.pk, version=version)
            except (*REFUSED, intake.RowAlreadyDecided) as exc:
                REVIEW_SEEN[f"undo of {state} refused: " + ("stale page" if stale else "may not" if not may else
                                                            used or "other")] += 1
                assert _review_snapshot() == before, "a refused undo changed something"
                assert not (may and not stale and untouched), \
                    f"an undo of an untouched {state} decision was refused: {exc}"
                return
            assert may and not stale, "an undo from a stale page or by someone who may not went through"
            assert not used, f"the undo of a used decision went through ({used})"
            REVIEW_SEEN[f"undo of {state} done"] += 1
            row.refresh_from_db()
            assert (row.state, row.person_id, row.status_event_id, row.decided_by_id, row.decision_note) == (
                RowState.OPEN, None, None, None, "")
            if event_id:
                assert not StatusEvent.objects.filter(pk=event_id).exists(), "the decision's event is still there"
            if state == RowState.CREATED:
                assert not Person.objects.filter(pk=person_id).exists(), "the person it created is still there"
            elif state == RowState.ACCEPTED:
                person = Person.objects.get(pk=person_id)
                derived = lifecycle.derive(list(person.status_events.all()))
                assert (person.current_status or "", person.current_status_date) == (
                    derived.status or "", derived.since), "the person's status was not derived again after the undo"

        @invariant()
        def decisions_and_the_register_agree(self):
            """A decided row points at what it wrote; an open or rejected one at nothing; every event a
            decision wrote (its source names the list and the row) belongs to the row that holds it:
            no event is left behind by an undo, none is shared."""
            rows = {}
            for row in ListRow.objects.select_related("incoming_list", "status_event"):
                rows[_event_reference(row)[:300]] = row
                if row.state in (RowState.OPEN, RowState.REJECTED):
                    assert (row.person_id, row.status_event_id) == (None, None), f"row {row.pk} {row.state} points"
                    assert row.state == RowState.REJECTED or (row.decided_by_id, row.decided_at) == (None, None)
                else:
                    assert row.status_event is not None and row.person_id is not None, f"row {row.pk} lost its event"
                    assert row.status_event.person_id in _merged_chain(row.person_id)
            for event in StatusEvent.objects.select_related("source").filter(source__reference__in=list(rows)):
                row = rows[event.source.reference]
                assert row.status_event_id == event.pk, f"event {event.pk} of row {row.pk} ({row.state}) is an orphan"
            assert not Source.objects.filter(events__isnull=True, reference__in=list(rows)).exists(), \
                "a decision's source outlived its event"

        @invariant()
        def status_counts_equal_a_recount(self):
            assert status_counts.stored() == _recount()

    return ReviewUndo


def run_machine(actors) -> None:
    class Day(review_undo_rules(actors), RuleBasedStateMachine):
        """One random day of the headquarters (its state is the database, rolled back after each run)."""

        def __init__(self):
            super().__init__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self.made: dict[int, tuple[str, dt.date]] = {}
            negotiator = actors["negotiator"]
            self.agreement = exchanges.create_agreement(negotiator, {"title": "Synthetic talks", "date": "2024-01-01"})
            self.category = exchanges.create_category(negotiator, self.agreement.pk, {
                "name_uk": "усі", "name_en": "everyone", "rule": {"and": []}, "trade_rule": "all_for_all"})
            self.balanced = exchanges.create_category(negotiator, self.agreement.pk, {
                "name_uk": "рівно", "name_en": "equal", "rule": {"and": []}, "trade_rule": "n_for_n"})
            payments.create_death_benefit_rule(actors["administrator"], {"valid_from": "2014-02-20",
                                                                         "amount": "15000000", "demo": True})

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        # --- helpers --------------------------------------------------------------------------------

        def persons(self, **filters):
            return list(Person.objects.filter(merged_into__isnull=True, **filters).order_by("pk"))

        def attempt(self, step):
            """Run a step; a refusal must change nothing at all."""
            before = _snapshot()
            try:
                with transaction.atomic():
                    return step()
            except REFUSED:
                assert _snapshot() == before, "a refused step changed something"
                return None

        # --- the registrar ------------------------------------------------------------------------------

        @precondition(lambda self: Person.objects.count() < 9)
        @rule(side=st.sampled_from(["ours", "ours", "ours", "enemy"]), missing=st.booleans(), day=DAYS,
              n=st.integers(0, 8))
        def register_person(self, side, missing, day, n):
            status = "held" if side == "enemy" else ("missing" if missing else "captivity_confirmed")
            names = ENEMY_SURNAMES if side == "enemy" else SURNAMES
            registry.create_person(actors["registrar"], {
                "last_name": names[n % len(names)], "first_name": "Іван", "side": side,
                "incident_date": (day - dt.timedelta(days=30)).isoformat()},
                initial_event={"status": status, "effective_date": day, "source_kind": "unit_report"})

        @precondition(lambda self: Person.objects.exists())
        @rule(data=st.data(), day=DAYS, reason=REASON, correct=st.booleans())
        def record_status(self, data, day, reason, correct):
            person = data.draw(st.sampled_from(self.persons()))
            status = data.draw(st.sampled_from(sorted(STATUSES_BY_SIDE[person.side])))
            corrects = None
            if correct:
                events = [e for e in lifecycle.live_events(person.status_events.all()) if not e.managed_by]
                corrects = data.draw(st.sampled_from(events)).pk if events else None
            self.attempt(lambda: registry.add_status_event(
                actors["registrar"], person.pk, status=status, effective_date=day, source_kind="icrc",
                corrects=corrects, exception_reason=reason))

        @precondition(lambda self: Person.objects.filter(merged_into__isnull=True).count() >= 2)
        @rule(data=st.data(), keep_duplicate=st.booleans())
        def merge(self, data, keep_duplicate):
            a, b = data.draw(st.lists(st.sampled_from(self.persons()), min_size=2, max_size=2, unique=True))
            keep = dict.fromkeys(registry.merge_conflicts(a, b), "duplicate" if keep_duplicate else "survivor")
            self.attempt(lambda: registry.merge_persons(actors["registrar"], a.pk, b.pk, keep=keep,
                                                        confirm=registry.merge_fingerprint(a, b)))

        @precondition(lambda self: Merge.objects.filter(undone_at__isnull=True).exists())
        @rule(data=st.data())
        def undo_merge(self, data):
            merge = data.draw(st.sampled_from(list(Merge.objects.filter(undone_at__isnull=True))))
            if self.attempt(lambda: registry.undo_merge(actors["registrar"], merge.pk)) is not None:
                self.made.pop(merge.survivor_id, None)
                self.made.pop(merge.duplicate_id, None)

        # --- the negotiator -----------------------------------------------------------------------------

        @precondition(lambda self: Exchange.objects.count() < 3)
        @rule()
        def new_stage(self):
            exchanges.create_exchange(actors["negotiator"], self.agreement.pk)

        @precondition(lambda self: Exchange.objects.filter(status__in=exchanges.LISTS_OPEN).exists())
        @rule(data=st.data(), day=DAYS, balanced=st.booleans())
        def put_on_list(self, data, day, balanced):
            stage = data.draw(st.sampled_from(list(Exchange.objects.filter(status__in=exchanges.LISTS_OPEN))))
            pool = self.persons(current_status__in=("captivity_confirmed", "held", "on_exchange_list"))
            if not pool:
                return
            chosen = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
            category = self.balanced if balanced else self.category
            self.attempt(lambda: exchanges.add_entries(actors["negotiator"], stage.pk, category.pk,
                                                       [p.pk for p in chosen], effective_date=day))

        @precondition(lambda self: ListEntry.objects.exists())
        @rule(data=st.data(), day=DAYS, reason=REASON)
        def change_entry(self, data, day, reason):
            entry = data.draw(st.sampled_from(list(ListEntry.objects.order_by("pk"))))
            state = data.draw(st.sampled_from(sorted(exchanges.ENTRY_TRANSITIONS[entry.state]) or ["confirmed"]))
            self.attempt(lambda: exchanges.change_entry_state(
                actors["negotiator"], entry.pk, state, reason="Not in their custody", effective_date=day,
                exception_reason=reason))

        @precondition(lambda self: Exchange.objects.exclude(status__in=("carried_out", "reconciled")).exists())
        @rule(data=st.data(), day=DAYS, reason=REASON)
        def move_stage_on(self, data, day, reason):
            stage = data.draw(st.sampled_from(list(Exchange.objects.exclude(
                status__in=("carried_out", "reconciled")).order_by("pk"))))
            status = data.draw(st.sampled_from(sorted(exchanges.EXCHANGE_TRANSITIONS[stage.status])))
            self.attempt(lambda: exchanges.set_exchange_status(actors["negotiator"], stage.pk, status,
                                                               carried_out_on=day, exception_reason=reason))

        @precondition(lambda self: Exchange.objects.filter(status="carried_out").exists())
        @rule(data=st.data(), unlisted=st.booleans())
        def record_crossings(self, data, unlisted):
            stage = data.draw(st.sampled_from(list(Exchange.objects.filter(status="carried_out"))))
            candidates = [e.person for e in stage.entries.exclude(state="withdrawn").select_related("person")]
            if unlisted:
                candidates += self.persons(current_status__in=("missing", "captivity_confirmed", "held"))
            if not candidates:
                return
            chosen = data.draw(st.lists(st.sampled_from(candidates), max_size=3, unique=True))
            self.attempt(lambda: exchanges.record_crossings(actors["negotiator"], stage.pk,
                                                            person_ids=[p.pk for p in chosen]))

        @precondition(lambda self: Exchange.objects.filter(status="carried_out").exists())
        @rule(data=st.data(), reason=REASON)
        def reconcile(self, data, reason):
            stage = data.draw(st.sampled_from(list(Exchange.objects.filter(status="carried_out"))))
            plan = exchange_selectors.reconcile_plan(stage)
            if self.attempt(lambda: exchanges.reconcile(actors["negotiator"], stage.pk, confirm=plan.fingerprint,
                                                        exception_reason=reason)) is None:
                return
            for outcome in plan.outcomes:
                kind = "home" if outcome["status"] in lifecycle.HOME else "not_delivered"
                self.made[outcome["person"]] = (kind, stage.carried_out_on)

        # --- families, case workers, finance ----------------------------------------------------------------

        @precondition(lambda self: Person.objects.filter(side="ours", merged_into__isnull=True).exists())
        @rule(data=st.data())
        def family_asks(self, data):
            person = data.draw(st.sampled_from(self.persons(side="ours")))
            filed = families.file_inquiry(None, {
                "last_name": person.last_name, "first_name": person.first_name, "inquirer_name": "Олена Синтетична",
                "relation": "mother", "phone": "+380501112233", "language": "uk", "consent": True})
            families.link_inquiry(actors["registrar"], filed.inquiry.pk, person.pk)

        @precondition(lambda self: Inquiry.objects.filter(person__current_status="deceased").exists())
        @rule(data=st.data())
        def tell_in_person(self, data):
            inquiry = data.draw(st.sampled_from(list(Inquiry.objects.filter(person__current_status="deceased"))))
            self.attempt(lambda: families.record_told_in_person(actors["case_worker"], inquiry.pk))

        @precondition(lambda self: Person.objects.filter(current_status__in=("returned", "released_other")).exists())
        @rule(data=st.data(), paid=st.booleans())
        def pay(self, data, paid):
            person = data.draw(st.sampled_from(self.persons(current_status__in=("returned", "released_other"))))
            first, second = actors["finance_officer"], actors["finance_two"]

            def steps():
                if not person.pay_data.exists():
                    payments.add_pay_data(first, person.pk, valid_from="2020-01-01", monthly_amount="3100")
                    payments.set_payment_profile(first, person.pk, iban=IBAN, account_holder="Синтетичний",
                                                 capture_precision="day")
                payments.compute_entitlement(first, person.pk)
                batch = payments.prepare_batch(first)
                payments.approve_batch(second, batch.pk)
                if paid:
                    payments.mark_batch_paid(first, batch.pk)

            self.attempt(steps)

        # --- the forensic expert, the registrar, the case worker and finance: remains ---------------------

        @initialize(n=st.integers(1, 3), declared=DAYS)
        def receive_remains(self, n, declared):
            """A transfer of remains arrives at the start of every day (identification is a long road):
            the first remains with the date of death the other side declared, the others without
            (the date of the transfer is the latest the death can be)."""
            expert = actors["forensic_expert"]
            transfer = remains.record_transfer(expert, received_on=DAYS_END, place="Synthetic crossing",
                                               declared_count=n, received_count=n)
            for i in range(n):
                remains.record_remains(expert, transfer.pk, sex="male", declared_date=declared if i == 0 else None)

        @precondition(lambda self: Person.objects.filter(side="ours").exists())
        @rule(data=st.data(), method=st.sampled_from(["documents", "documents", "dental", "dna"]),
              then=st.sampled_from(["open", "propose", "confirm", "confirm"]))
        def open_identification(self, data, method, then):
            """The forensic expert opens an identification and perhaps proposes it at once; perhaps a
            registrar confirms it at once (the steps a day may hold; each is a rule of its own too)."""
            body = data.draw(st.sampled_from(list(Remains.objects.order_by("pk"))))
            person = data.draw(st.sampled_from(self.persons(side="ours")))
            expert = actors["forensic_expert"]

            def steps():
                identification = remains.open_identification(expert, body.pk, person.pk, method=method)
                if then in ("propose", "confirm"):
                    remains.propose_identification(expert, identification.pk)
                if then == "confirm":
                    identification = Identification.objects.get(pk=identification.pk)
                    remains.confirm_identification(actors["registrar"], identification.pk,
                                                   fingerprint=remains.confirmation_fingerprint(identification))

            self.attempt(steps)

        @precondition(lambda self: Identification.objects.filter(state__in=("pending", "preliminary")).exists())
        @rule(data=st.data(), exclude=st.booleans())
        def propose_or_exclude(self, data, exclude):
            identification = data.draw(st.sampled_from(list(
                Identification.objects.filter(state__in=("pending", "preliminary")).order_by("pk"))))
            expert = actors["forensic_expert"]
            if exclude:
                self.attempt(lambda: remains.exclude_identification(expert, identification.pk,
                                                                    reasoning="Kinship test excludes"))
            else:
                self.attempt(lambda: remains.propose_identification(expert, identification.pk))

        @precondition(lambda self: Identification.objects.filter(state="preliminary").exists())
        @rule(data=st.data())
        def confirm_identification(self, data):
            identification = data.draw(st.sampled_from(list(
                Identification.objects.filter(state="preliminary").order_by("pk"))))
            self.attempt(lambda: remains.confirm_identification(
                actors["registrar"], identification.pk, fingerprint=remains.confirmation_fingerprint(identification)))

        @precondition(lambda self: Task.objects.filter(state="open").exists())
        @rule(data=st.data(), days_ago=st.integers(0, 2))
        def complete_task(self, data, days_ago):
            task = data.draw(st.sampled_from(list(Task.objects.filter(state="open").order_by("pk"))))
            self.attempt(lambda: remains.complete_task(
                actors["case_worker"], task.pk, outcome="Done with the family",
                happened_on=dt.date.today() - dt.timedelta(days=days_ago), recipient="Синтетична мати",
                place="Синтетичне кладовище"))

        @precondition(lambda self: Identification.objects.filter(state="confirmed").exists())
        @rule(data=st.data(), carry_out=st.booleans())
        def reverse_identification(self, data, carry_out):
            identification = data.draw(st.sampled_from(list(
                Identification.objects.filter(state="confirmed").order_by("pk"))))

            def steps():
                if not identification.reversal_proposed_at:
                    remains.propose_reversal(actors["forensic_expert"], identification.pk,
                                             reason="A DNA result overturns it")
                if carry_out:
                    fresh = Identification.objects.get(pk=identification.pk)
                    remains.reverse_identification(actors["registrar"], fresh.pk,
                                                   fingerprint=remains.reversal_fingerprint(fresh))

            self.attempt(steps)

        @precondition(lambda self: DeathBenefit.objects.filter(state__in=("due", "approved")).exists())
        @rule(data=st.data())
        def pay_death_benefit(self, data):
            benefit = data.draw(st.sampled_from(list(
                DeathBenefit.objects.filter(state__in=("due", "approved")).order_by("pk"))))
            if benefit.state == "due":
                self.attempt(lambda: payments.approve_death_benefit(actors["finance_officer"], benefit.pk,
                                                                    recipient="Синтетична мати", iban=IBAN))
            else:
                self.attempt(lambda: payments.mark_death_benefit_paid(actors["finance_two"], benefit.pk))

        # --- after every step ------------------------------------------------------------------------------

        @invariant()
        def the_modules_agree(self):
            assert broken() == {}

        @invariant()
        def families_are_told_the_truth(self):
            made = {}
            for pid, fact in self.made.items():  # facts follow a merge to the record that holds them now
                person = Person.objects.filter(pk=pid).first()
                while person is not None and person.merged_into_id:
                    person = person.merged_into
                if person is not None and person.pk not in made:
                    made[person.pk] = fact
            for inquiry in Inquiry.objects.filter(person__isnull=False).select_related("person"):
                _family_truths(inquiry, made)

    phases = list(Phase) if os.environ.get("HOMECOMING_STATEFUL_SHRINK") else [
        Phase.explicit, Phase.reuse, Phase.generate]  # shrinking a day of work takes minutes: on request
    run_state_machine_as_test(Day, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=False, phases=phases,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]))


def test_a_random_day_of_work_keeps_every_module_truthful(actors):
    run_machine(actors)
    print("review decisions and undo:", dict(sorted(REVIEW_SEEN.items())))
