"""The demo's remains: a transfer of bodies under the Istanbul agreement of 2 June 2025 (6,000 for
6,000; in mid-June 2025 transfers of over a thousand bodies each), its first remains examined, and
one whole road from arrival to a family that was told in person, paid and given the remains.

* TR-0001, 11 June 2025: 1,212 declared, 1,212 received; 8 remains recorded so far with their
  post-mortem data (the examinations go on).
* The first remains: a DNA identification (the mother's and the father's reference samples, a
  kinship report), proposed by the forensic expert, confirmed by the registrar; the case worker tells
  the family in person, so the death benefit arises (payments' demo, ``demo_death_benefits``,
  approves and pays it with a demo amount marked as demo data); the remains are handed over to the
  mother and buried.
* The second: confirmed, the family not told yet (the portal shows nothing new).
* The third: proposed (preliminary), waiting for a registrar.
* The others: pending, each with the missing persons named as candidates, or examined only.

Missing persons are picked deterministically (by id) from the demo register: ours, missing since
before June 2025, on no exchange list; created through the register's services where there are too
few. Everything goes through the services, with audit. Idempotent: nothing is done when the
transfer exists. Only synthetic data.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from homecoming.registry import services as registry
from homecoming.registry.models import Person, Side, Status

from . import services
from .models import Identification, Task, TaskKind, Transfer

PLACE = "Пункт передачі тіл (демо)"
RECEIVED_ON = dt.date(2025, 6, 11)
CUTOFF = dt.date(2025, 6, 1)
RECORDED = 8
SURNAMES = ["Литвиненко", "Гнатюк", "Дорошенко", "Приходько", "Зінченко", "Мазур", "Кучер", "Остапчук",
            "Білик", "Гуменюк", "Федоренко", "Яковенко"]


def _user(username: str):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        from django.core.management import call_command

        from homecoming.exchanges.demo import _Null

        call_command("demo", accounts_only=True, stdout=_Null())
        user = User.objects.get(username=username)
    return user


def run() -> str:
    if Transfer.objects.filter(place=PLACE, received_on=RECEIVED_ON).exists():
        return "The demo remains are already loaded; nothing done."
    with transaction.atomic():
        return _run()


def _missing(registrar, n: int) -> list[Person]:
    picked = list(Person.objects.filter(merged_into__isnull=True, side=Side.OURS, current_status=Status.MISSING,
                                        current_status_date__lt=CUTOFF, kind="servicemember")
                  .exclude(exchange_entries__isnull=False).exclude(identifications__isnull=False)
                  .order_by("id")[:n])
    while len(picked) < n:
        i = len(picked)
        person = registry.create_person(registrar, {
            "last_name": SURNAMES[i % len(SURNAMES)], "first_name": "Андрій", "sex": "male", "kind": "servicemember",
            "birth_date": dt.date(1990 + i, 3, 1 + i).isoformat(), "incident_date": "2024-11-20"},
            initial_event={"status": Status.MISSING, "effective_date": "2024-11-20", "source_kind": "unit_report",
                           "source_reference": "Донесення (демо)"})
        picked.append(person)
    return picked


def _age_range(person: Person) -> tuple[int, int]:
    if person.birth_date is None:
        return 20, 50
    age = (RECEIVED_ON - person.birth_date).days // 365
    return max(age - 4, 18), age + 5


def _ante_mortem(expert, person: Person, i: int) -> None:
    record = services.record_ante_mortem(
        expert, person.pk, height_min_cm=172 + i % 8, height_max_cm=180 + i % 8,
        hair=("brown", "black", "blond")[i % 3], dental=("fillings", "natural", "missing_teeth")[i % 3],
        source="family", source_detail="Мати (демо)", collected_on=dt.date(2025, 1, 15))
    services.add_mark(expert, ante_mortem_id=record.pk, kind="tattoo", location="left_arm",
                      description=f"Тризуб на передпліччі (демо {i})")


def _remains(expert, transfer, person: Person, i: int):
    low, high = _age_range(person)
    declared = max(person.current_status_date or CUTOFF, dt.date(2025, 1, 1)) + dt.timedelta(days=10)
    body = services.record_remains(
        expert, transfer.pk, other_side_label=f"Б-{101 + i}", sex="male", age_min=low, age_max=high,
        height_min_cm=170 + i % 8, height_max_cm=182 + i % 8, hair=("brown", "black", "blond")[i % 3],
        dental=("fillings", "natural", "missing_teeth")[i % 3], condition=("complete", "decomposed")[i % 2],
        declared_place="Донецька область (демо)", declared_date=min(declared, RECEIVED_ON),
        storage_place=f"Холодильна камера {1 + i % 3} (демо)")
    services.add_mark(expert, remains_id=body.pk, kind="tattoo", location="left_arm",
                      description="Тризуб (демо)")
    if i % 2 == 0:
        services.add_effect(expert, body.pk, kind="military_id", description="Жетон (демо)",
                            name_as_found=f"{person.last_name} {person.first_name}")
    return body


def _confirm(expert, registrar, body, person, *, sample_ids, i: int) -> Identification:
    identification = services.open_identification(expert, body.pk, person.pk, method="dna",
                                                  reasoning="Збіг ДНК з матір'ю та батьком (демо)")
    services.add_kinship_report(expert, identification.pk, laboratory="Лабораторія ДНК (демо)",
                                report_reference=f"LR-DEMO-{i:03d}", reported_on=dt.date(2025, 8, 20),
                                likelihood_ratio="125000000000", sample_ids=sample_ids)
    services.propose_identification(expert, identification.pk)
    identification = Identification.objects.get(pk=identification.pk)
    return services.confirm_identification(registrar, identification.pk,
                                           fingerprint=services.confirmation_fingerprint(identification))


def _samples(expert, person: Person, i: int) -> list[int]:
    ids = []
    for relationship, donor in (("mother", "Мати (демо)"), ("father", "Батько (демо)")):
        sample = services.add_reference_sample(
            expert, person.pk, donor_name=donor, relationship=relationship, consent_purpose="identification",
            consent_on=dt.date(2025, 2, 1), barcode=f"DEMO-{i:03d}-{relationship[0].upper()}",
            laboratory="Лабораторія ДНК (демо)", collected_on=dt.date(2025, 2, 1), sent_on=dt.date(2025, 2, 3),
            result_on=dt.date(2025, 3, 1), state="profiled")
        ids.append(sample.pk)
    return ids


def _whole_road(identification: Identification, case_worker) -> None:
    """Told in person, handed over, buried (the death benefit that arises is approved and paid by
    the payments app's demo, ``demo_death_benefits``: remains does not import payments)."""

    def task(kind):
        return Task.objects.get(identification=identification, kind=kind)

    today = timezone.localdate()
    services.complete_task(case_worker, task(TaskKind.TELL_FAMILY).pk,
                           outcome="Повідомлено матері особисто вдома, з психологом (демо)")
    services.complete_task(case_worker, task(TaskKind.HAND_OVER).pk, outcome="Останки передано родині (демо)",
                           happened_on=today, recipient="Мати (демо)")
    services.complete_task(case_worker, task(TaskKind.BURIAL).pk, outcome="Поховано з військовими почестями (демо)",
                           happened_on=today, place="Міське кладовище, Алея героїв (демо)")


def _run() -> str:
    from homecoming.exchanges.demo import TITLE
    from homecoming.exchanges.models import Agreement

    expert, registrar, case_worker = _user("forensic"), _user("registrar"), _user("caseworker")
    agreement = Agreement.objects.filter(title=TITLE).first()
    transfer = services.record_transfer(
        expert, agreement_id=agreement.pk if agreement else None, received_on=RECEIVED_ON, place=PLACE,
        declared_count=1212, received_count=1212,
        documents="Супровідний список іншої сторони на 1212 тіл, акт прийому-передачі (демо)")
    persons = _missing(registrar, 9)
    for i, person in enumerate(persons):
        _ante_mortem(expert, person, i)
    bodies = [_remains(expert, transfer, persons[i], i) for i in range(RECORDED)]
    # 1: the whole road; 2: confirmed, the family not told yet; 3: proposed, waiting for a registrar
    first = _confirm(expert, registrar, bodies[0], persons[0], sample_ids=_samples(expert, persons[0], 0), i=0)
    _whole_road(first, case_worker)
    _confirm(expert, registrar, bodies[1], persons[1], sample_ids=_samples(expert, persons[1], 1), i=1)
    third = services.open_identification(expert, bodies[2].pk, persons[2].pk, method="dental",
                                         reasoning="Збіг зубної карти (демо)")
    services.propose_identification(expert, third.pk)
    # 4-6: pending, each with two candidates (the right one and another missing person)
    for i in (3, 4, 5):
        services.open_identification(expert, bodies[i].pk, persons[i].pk, method="dna",
                                     reasoning="Кандидат за татуюванням і жетоном (демо)")
        services.open_identification(expert, bodies[i].pk, persons[8].pk, method="dna",
                                     reasoning="Кандидат за зростом і віком (демо)")
    return (f"Demo remains: transfer {transfer.reference} of {RECEIVED_ON.isoformat()} ({RECORDED} of 1212 remains "
            f"recorded); one identification confirmed, told in person, paid and handed over; one confirmed, "
            f"the family not told yet; one proposed; three pending with candidates.")
