"""Reads of the remains app. Every read that shows a person (candidates, a person's forensic
section, an identification) is audited here, never in a view. The candidates of remains are
ranked by the pure :mod:`homecoming.remains.candidates` over the missing persons this module reads
with the database doing the blocking (sex, years of birth, names on documents found)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.translation import gettext as _

from homecoming.audit.services import record, record_list_read
from homecoming.linkage import Record, prepare
from homecoming.registry.models import AlternativeName, Person, PersonNameKey, Side, Status

from . import candidates as ranking
from .models import (
    USABLE_SAMPLE_STATES,
    AnteMortemRecord,
    Identification,
    IdentificationState,
    Mark,
    ReferenceSample,
    Remains,
    Transfer,
)
from .references import sufficiency

#: who may be the person behind remains: our missing, those whose captivity was confirmed, and
#: the dead not yet identified (docs/status-model.md)
CANDIDATE_STATUSES = (Status.MISSING, Status.CAPTIVITY_CONFIRMED, Status.DECEASED)


def transfers():
    return Transfer.objects.select_related("agreement", "stage").order_by("-received_on", "-id")


def transfer_remains(transfer: Transfer):
    return transfer.remains.order_by("case_number")


def post_mortem_of(remains: Remains) -> ranking.PostMortem:
    """The remains as the ranking reads them; without a declared date, the transfer's."""
    return ranking.PostMortem(
        remains.pk, remains.sex, remains.age_min, remains.age_max, remains.height_min_cm, remains.height_max_cm,
        remains.hair, remains.dental, tuple((m.kind, m.location) for m in remains.marks.all()),
        remains.declared_place, remains.declared_date or remains.transfer.received_on,
        tuple(e.name_as_found for e in remains.effects.all() if e.name_as_found.strip()))


def candidate_persons(pm: ranking.PostMortem):
    """The persons who may be behind ``pm``, blocked in the database as the index blocks: sex,
    years of birth within the slack of the age estimate, and anyone whose surname a document
    found names."""
    qs = (Person.objects.filter(side=Side.OURS, merged_into__isnull=True, current_status__in=CANDIDATE_STATUSES)
          .exclude(identifications__state=IdentificationState.CONFIRMED))
    block = Q()
    if pm.sex in ("male", "female"):
        block &= Q(sex__in=(pm.sex, "unknown"))
    if pm.date is not None and (pm.age_min is not None or pm.age_max is not None):
        lo = pm.age_min if pm.age_min is not None else pm.age_max
        hi = pm.age_max if pm.age_max is not None else pm.age_min
        block &= Q(birth_date__isnull=True) | Q(birth_date__year__gte=pm.date.year - hi - ranking.AGE_SLACK - 1,
                                                 birth_date__year__lt=pm.date.year - lo + ranking.AGE_SLACK + 1)
    keys = set()
    for name in pm.names:
        doc = prepare(Record("doc", full_name=name))
        keys |= doc.last.keys | doc.first.keys
    if keys:
        block |= Q(pk__in=PersonNameKey.objects.filter(key__in=keys).values("person_id"))
    return qs.filter(block)


def ante_mortem_records(persons) -> list[ranking.AnteMortem]:
    """The ranking's records of ``persons`` (a queryset), with their ante-mortem data, marks and
    other spellings of their names, in four queries."""
    rows = list(persons.values_list("pk", "sex", "birth_date", "incident_place", "incident_date", "last_name",
                                    "first_name", "patronymic"))
    ids = [r[0] for r in rows]
    am = {}
    marks = defaultdict(list)
    aliases = defaultdict(list)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        am.update((a.person_id, a) for a in AnteMortemRecord.objects.filter(person_id__in=chunk))
        for person_id, kind, location in Mark.objects.filter(ante_mortem__person_id__in=chunk).values_list(
                "ante_mortem__person_id", "kind", "location"):
            marks[person_id].append((kind, location))
        for person_id, *names in AlternativeName.objects.filter(person_id__in=chunk).values_list(
                "person_id", "last_name", "first_name", "patronymic"):
            aliases[person_id].append(tuple(names))
    out = []
    for pk, sex, birth, place, date, last, first, patronymic in rows:
        a = am.get(pk)
        out.append(ranking.AnteMortem(
            pk, sex, birth.year if birth else None, a.height_min_cm if a else None, a.height_max_cm if a else None,
            a.hair if a else "unknown", a.dental if a else "unknown", tuple(marks[pk]), place, date, last, first,
            patronymic, tuple(aliases[pk])))
    return out


def rank_candidates(remains: Remains, limit: int = 20) -> list[ranking.Candidate]:
    pm = post_mortem_of(remains)
    return ranking.rank(pm, ante_mortem_records(candidate_persons(pm)), limit)


def sample_sufficiency(person: Person):
    """Whether the person's usable reference samples suffice for kinship testing
    (references.sufficiency), counted from the samples with a consent that stands."""
    usable = ReferenceSample.objects.filter(person=person, state__in=USABLE_SAMPLE_STATES)
    return sufficiency(usable.values_list("relationship", flat=True))


# --- audited reads --------------------------------------------------------------------------

def remains_for_reading(actor, remains: Remains, *, limit: int = 20, request=None):
    """(remains, candidates) shown to ``actor``: the read of the remains and of the persons ranked
    as candidates are audited."""
    ranked = rank_candidates(remains, limit)
    persons = {p.pk: p for p in Person.objects.filter(pk__in=[c.person_id for c in ranked])}
    record(actor, "remains.view", object_type="remains", object_id=remains.pk, request=request)
    record_list_read(actor, "remains.candidates", object_type="person", ids=[c.person_id for c in ranked],
                     details={"remains": remains.pk}, request=request)
    return [(persons[c.person_id], c) for c in ranked if c.person_id in persons]


def person_forensic_for_reading(actor, person: Person, *, request=None) -> dict:
    """A person's forensic section: ante-mortem record and marks, reference samples and whether
    they suffice, identifications. Audited as a read of the person."""
    record(actor, "person.forensic_view", object_type="person", object_id=person.pk, request=request)
    am = AnteMortemRecord.objects.filter(person=person).first()
    return {
        "ante_mortem": am,
        "marks": list(am.marks.all()) if am else [],
        "samples": list(ReferenceSample.objects.filter(person=person).order_by("collected_on", "pk")),
        "sufficiency": sample_sufficiency(person),
        "identifications": list(Identification.objects.filter(person=person).select_related("remains")),
    }


def identification_for_reading(actor, identification: Identification, *, request=None) -> Identification:
    record(actor, "identification.view", object_type="identification", object_id=identification.pk,
           details={"person": identification.person_id, "remains": identification.remains_id}, request=request)
    return identification


def identifications(state: str = ""):
    qs = Identification.objects.select_related("remains", "person").order_by("-proposed_at", "-id")
    return qs.filter(state=state) if state else qs


def identification_list_read(actor, rows, *, state: str = "", request=None) -> None:
    """Audit a page of identifications shown (who read which)."""
    record_list_read(actor, "identification.list", object_type="identification", ids=[i.pk for i in rows],
                     details={"state": state}, request=request)


def identification_page_for_reading(actor, state: str, number, *, per_page: int = 50, request=None):
    page = Paginator(identifications(state), per_page).get_page(number)
    identification_list_read(actor, page.object_list, state=state, request=request)
    return page


def transfer_page_read(actor, transfers, *, request=None) -> None:
    """Audit a page of transfers shown (the API's list): no person in it, but forensic data."""
    record_list_read(actor, "transfer.list", object_type="remains_transfer", ids=[t.pk for t in transfers],
                     request=request)


def transfer_for_reading(actor, transfer: Transfer, *, request=None) -> Transfer:
    record(actor, "transfer.view", object_type="remains_transfer", object_id=transfer.pk, request=request)
    return transfer


def _identified_persons(remains_ids) -> list[int]:
    return sorted(set(Identification.objects.filter(remains_id__in=remains_ids).values_list("person_id", flat=True)))


def remains_page_read(actor, remains, *, transfer: Transfer | None = None, request=None) -> None:
    """Audit a page of remains shown with their post-mortem data (a transfer's remains), and the
    persons their identifications name."""
    ids = [r.pk for r in remains]
    record_list_read(actor, "remains.list", object_type="remains", ids=ids,
                     details={"transfer": transfer.pk if transfer else None, "persons": _identified_persons(ids)},
                     request=request)


def remains_record_for_reading(actor, remains: Remains, *, request=None) -> Remains:
    """Remains with their post-mortem data, marks, effects and identifications, without the
    candidates: audited with the persons the identifications name."""
    record(actor, "remains.view", object_type="remains", object_id=remains.pk,
           details={"persons": _identified_persons([remains.pk])}, request=request)
    return remains


def sufficiency_message(result) -> str:
    """The sufficiency in words (for the person's forensic section)."""
    from .models import Relationship

    if result.enough:
        return {"both_parents": _("Enough for kinship testing: both parents."),
                "child_and_other_parent": _("Enough for kinship testing: a child and the child's other parent."),
                "siblings": _("Enough for kinship testing: several full siblings.")}[result.rule]
    options = ["; ".join(str(Relationship(r).label) for r in option) for option in result.ask_for]
    return _("Not enough for kinship testing. Ask the family for one of: %(options)s.") % {
        "options": " — ".join(f"({o})" for o in options)}


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
