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

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from homecoming.families.models import Inquiry
from homecoming.families.status import current_death_id, family_view
from homecoming.payments import services as payments
from homecoming.payments.models import Batch, DeathBenefit
from homecoming.registry import lifecycle
from homecoming.registry import services as registry
from homecoming.registry.models import STATUSES_BY_SIDE, Merge, Person, StatusEvent
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


def run_machine(actors) -> None:
    class Day(RuleBasedStateMachine):
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
