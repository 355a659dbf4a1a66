"""The demo scenario: the article's story told with the demo register.

An agreement "Istanbul, 2 June 2025" with the categories "seriously wounded and seriously ill"
(all for all) and "under 25" (all for all), counts withheld until the last stage, and three stages:

1. carried out on 9 June 2025 (under 25), reconciled;
2. carried out on 12 June 2025 (seriously wounded and seriously ill), reconciled, its communiqué
   published: among the returnees, Mariupol defenders held for over three years, some who had been
   considered missing, and one who came back without being on the lists;
3. planned for 26 June 2025, lists being drawn up.

Persons are picked deterministically (by id) from the register that ``demo_data`` loaded: only
persons whose history ends before June 2025, so the new events are the latest. A Mixed Medical
Commission (the demo medical officer) records the medical category of those listed as seriously
wounded or ill. Where the register has too few (an empty register), the persons the story needs are
created through the register's services. Everything goes through the services, with audit.
Idempotent: nothing is done when the agreement exists.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from homecoming.registry import services as registry
from homecoming.registry.models import Person, Side, Status

from . import services
from .models import Agreement

TITLE = "Istanbul, 2 June 2025"
CUTOFF = dt.date(2025, 6, 1)
SERIOUS_RULE = {"in": [{"field": "medical_category"}, ["seriously_wounded", "seriously_ill"]]}
UNDER_25_RULE = {"and": [{"=": [{"field": "kind"}, "servicemember"]}, {"≤": [{"age_on": "2025-06-02"}, 24]}]}
SERIOUS = ("seriously_wounded", "seriously_ill")


def _user(username: str):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        from django.core.management import call_command

        call_command("demo", accounts_only=True, stdout=_Null())
        user = User.objects.get(username=username)
    return user


class _Null:
    def write(self, *_args, **_kwargs):
        return None

    def flush(self):
        return None


def _candidates(side: str, status: str, extra: Q | None = None):
    return (Person.objects.filter(merged_into__isnull=True, side=side, current_status=status,
                                  current_status_date__lt=CUTOFF).filter(extra or Q())
            .exclude(exchange_entries__isnull=False).exclude(exchange_crossings__isnull=False).order_by("id"))


class Story:
    def __init__(self):
        self.registrar = _user("registrar")
        self.medic = _user("medic")
        self.negotiator = _user("negotiator")
        self.used: set[int] = set()
        self.created = 0

    def pick(self, qs, n: int, make) -> list[Person]:
        out = [p for p in qs.exclude(pk__in=self.used)[: n * 3] if p.pk not in self.used][:n]
        while len(out) < n:
            out.append(make(len(out)))
            self.created += 1
        self.used.update(p.pk for p in out)
        return out

    def make(self, last, first, *, side="ours", born, captured, history, **fields) -> Person:
        data = {"last_name": last, "first_name": first, "side": side, "sex": "male", "kind": "servicemember",
                "birth_date": born.isoformat(), "incident_date": captured.isoformat(), **fields}
        person = registry.create_person(self.registrar, data)
        for status, day in history:
            registry.add_status_event(self.registrar, person.pk, status=status, effective_date=day,
                                      source_kind="unit_report", source_reference="Донесення (демо)")
        person.refresh_from_db()
        return person

    def commission(self, persons: list[Person], category: str = "seriously_wounded") -> None:
        """The Mixed Medical Commission's finding, recorded by the medical officer."""
        for i, p in enumerate(persons):
            if p.medical_category not in SERIOUS:
                p.refresh_from_db()
                registry.update_person(self.medic, p.pk, version=p.version,
                                       changes={"medical_category": SERIOUS[i % 2] if category == "alternate"
                                                else category}, reason="medical_commission")


NAMES = ["Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук", "Поліщук", "Савченко",
         "Руденко", "Марченко", "Клименко", "Павленко"]
ENEMY_NAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов"]


def run(stdout=None) -> str:
    if Agreement.objects.filter(title=TITLE).exists():
        return "The demo scenario is already loaded; nothing done."
    story = Story()
    with transaction.atomic():
        return _run(story)


def _run(s: Story) -> str:
    """The agreement, its categories and three stages, each stage as on a real day of work."""
    neg = s.negotiator
    agreement, serious, young = _agreement(neg)
    _stage_one(s, agreement, young)
    stage2 = _stage_two(s, agreement, serious)
    # --- stage 3: planned, lists being drawn up -------------------------------------------------------
    stage3 = services.create_exchange(neg, agreement.pk, planned_date="2025-06-26")
    services.publish_communique(neg, stage2.pk)  # stage 3 is still open: the counts are withheld
    ours3 = s.pick(_candidates(Side.OURS, Status.CAPTIVITY_CONFIRMED, Q(sex="male")), 3, _other(s))
    s.commission(ours3, "seriously_ill")
    services.add_entries(neg, stage3.pk, serious.pk, [p.pk for p in ours3], effective_date="2025-06-20")
    return (f"Demo scenario: agreement “{TITLE}” with 2 categories and 3 stages (stage 2 carried out on "
            f"12 June 2025 and reconciled; {s.created} persons created, the rest picked from the register).")


def _agreement(neg):
    agreement = services.create_agreement(neg, {
        "title": TITLE, "date": "2025-06-02", "place": "Стамбул", "place_en": "Istanbul",
        "parties": "Україна; Російська Федерація", "mediator": "Türkiye",
        "notes": "Second round of talks: all for all for the seriously wounded and seriously ill and for "
                 "servicemen under 25; carried out in stages.",
        "withhold_counts_until_last_stage": True})
    serious = services.create_category(neg, agreement.pk, {
        "name_uk": "тяжкопоранені та тяжкохворі", "name_en": "seriously wounded and seriously ill",
        "rule": SERIOUS_RULE, "trade_rule": "all_for_all"})
    young = services.create_category(neg, agreement.pk, {
        "name_uk": "віком до 25 років", "name_en": "under 25", "rule": UNDER_25_RULE, "trade_rule": "all_for_all"})
    return agreement, serious, young


def _stage_one(s: Story, agreement, young) -> None:
    """9 June 2025, under 25: six for six, all crossed."""
    neg = s.negotiator
    young_born = Q(birth_date__gt=dt.date(2000, 6, 2), birth_date_precision="day", kind="servicemember")

    def young_ours(i):
        return s.make(NAMES[i % len(NAMES)], "Назар", born=dt.date(2002, 3, 1 + i), captured=dt.date(2024, 2, 10),
                      history=[("captivity_confirmed", dt.date(2024, 3, 1))], branch="land_forces", rank="soldier",
                      direction="donetsk")

    def young_enemy(i):
        return s.make(ENEMY_NAMES[i % len(ENEMY_NAMES)], "Илья", side="enemy", born=dt.date(2003, 1, 2 + i),
                      captured=dt.date(2024, 8, 10), history=[("held", dt.date(2024, 8, 10))],
                      branch="ru_armed_forces", rank="soldier")

    stage1 = services.create_exchange(neg, agreement.pk, planned_date="2025-06-09")
    ours1 = s.pick(_candidates(Side.OURS, Status.CAPTIVITY_CONFIRMED, young_born), 6, young_ours)
    theirs1 = s.pick(_candidates(Side.ENEMY, Status.HELD, young_born), 6, young_enemy)
    services.add_entries(neg, stage1.pk, young.pk, [p.pk for p in ours1 + theirs1], effective_date="2025-06-03")
    _agree_and_carry_out(neg, stage1, dt.date(2025, 6, 9))
    services.record_crossings(neg, stage1.pk, all_confirmed=True)
    services.reconcile(neg, stage1.pk)


def _other(s: Story):
    def other(i):
        return s.make(NAMES[(i + 9) % len(NAMES)], "Микола", born=dt.date(1983, 2, 1 + i),
                      captured=dt.date(2024, 9, 1), direction=["kharkiv", "donetsk"][i % 2], branch="land_forces",
                      rank="junior_sergeant", history=[("captivity_confirmed", dt.date(2024, 10, 1))])

    return other


def _stage_two(s: Story, agreement, serious):
    """12 June 2025, seriously wounded and seriously ill: one not delivered, one crossed unlisted."""
    neg = s.negotiator

    def mariupol(i):
        return s.make(NAMES[(i + 3) % len(NAMES)], "Олександр", born=dt.date(1988, 4, 3 + i),
                      captured=dt.date(2022, 5, 17), operation="mariupol", direction="donetsk",
                      branch=["marines", "national_guard", "border_guard", "navy"][i % 4],
                      rank="sergeant" if i % 2 else "senior_soldier",
                      history=[("captivity_confirmed", dt.date(2022, 6, 1))])

    def was_missing(i):
        return s.make(NAMES[(i + 7) % len(NAMES)], "Сергій", born=dt.date(1979, 9, 10 + i),
                      captured=dt.date(2023, 10, 5), direction=["kherson", "zaporizhzhia", "luhansk"][i % 3],
                      branch=["air_force", "land_forces", "territorial_defence"][i % 3], rank="soldier",
                      history=[("missing", dt.date(2023, 10, 5)), ("captivity_confirmed", dt.date(2024, 5, 2))])

    def missing_until_return(i):
        return s.make("Мороз", "Андрій", born=dt.date(1990, 7, 7 + i), captured=dt.date(2024, 11, 20),
                      direction="zaporizhzhia", branch="national_guard", rank="soldier",
                      history=[("missing", dt.date(2024, 11, 20))])

    def enemy_wounded(i):
        return s.make(ENEMY_NAMES[(i + 2) % len(ENEMY_NAMES)], "Дмитрий", side="enemy",
                      born=dt.date(1985, 5, 5 + i), captured=dt.date(2024, 4, 1),
                      history=[("held", dt.date(2024, 4, 1))], branch="ru_armed_forces", rank="soldier")

    stage2 = services.create_exchange(neg, agreement.pk, planned_date="2025-06-12")
    long_held = Q(operation__code="mariupol", incident_date__lte=dt.date(2022, 6, 11), sex="male",
                  rank_category__in=("private", "nco"))
    ours2 = s.pick(_candidates(Side.OURS, Status.CAPTIVITY_CONFIRMED, long_held), 4, mariupol)
    ours2 += s.pick(_candidates(Side.OURS, Status.CAPTIVITY_CONFIRMED,
                                Q(was_missing=True, sex="male", rank_category__in=("private", "nco"))), 3, was_missing)
    ours2 += s.pick(_candidates(Side.OURS, Status.CAPTIVITY_CONFIRMED,
                                Q(sex="male", rank_category__in=("private", "nco"))), 4, _other(s))
    theirs2 = s.pick(_candidates(Side.ENEMY, Status.HELD), 10, enemy_wounded)
    s.commission(ours2 + theirs2, "alternate")
    services.add_entries(neg, stage2.pk, serious.pk, [p.pk for p in ours2 + theirs2], effective_date="2025-06-05")
    _agree_and_carry_out(neg, stage2, dt.date(2025, 6, 12), not_delivered=ours2[-1])
    unlisted = s.pick(_candidates(Side.OURS, Status.MISSING, Q(sex="male", rank_category__in=("private", "nco"))),
                      1, missing_until_return)
    services.record_crossings(neg, stage2.pk, all_confirmed=True)
    services.record_crossings(neg, stage2.pk, person_ids=[p.pk for p in unlisted])
    services.reconcile(neg, stage2.pk)
    return stage2


def _agree_and_carry_out(neg, exchange, day: dt.date, *, not_delivered: Person | None = None) -> None:
    for entry in exchange.entries.all():
        if not_delivered is not None and entry.person_id == not_delivered.pk:
            services.change_entry_state(neg, entry.pk, "contested", reason="The other side says he is not in its "
                                                                           "custody (демо)")
        else:
            services.change_entry_state(neg, entry.pk, "confirmed")
    services.set_exchange_status(neg, exchange.pk, "lists_sent")
    # a contested entry holds the lists back unless the negotiator records why they are agreed anyway
    services.set_exchange_status(neg, exchange.pk, "lists_agreed", exception_reason=(
        "Agreed without the contested entry: he stays on our list until the ICRC confirms (демо)"
        if not_delivered is not None else ""))
    services.set_exchange_status(neg, exchange.pk, "carried_out", carried_out_on=day)
