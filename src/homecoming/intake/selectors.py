"""Reads of intake data that more than one place needs."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from homecoming.linkage import PartialDate, Record
from homecoming.registry.models import AlternativeName, Person
from homecoming.registry.selectors import active_persons

from .columns import identity_key
from .models import ImportJob, IncomingList, JobState, ListRow, RowState


def _pdate(d, precision: str) -> PartialDate | None:
    if d is None:
        return None
    if precision == "year":
        return PartialDate(d.year)
    if precision == "month":
        return PartialDate(d.year, d.month)
    return PartialDate(d.year, d.month, d.day)


def register_records(person_ids=None, id_ranges=()) -> list[Record]:
    """The active register as linkage records: one per person (id = person id), with its
    alternative names as aliases (one record to the engine: a person's spellings never
    compete with each other).  ``person_ids`` / ``id_ranges`` (inclusive ``(first, last)``
    pairs) narrow it to those persons (the warm index's updates, intake.register_index)."""
    persons = active_persons()
    if person_ids is not None or id_ranges:
        q = Q(pk__in=list(person_ids or ()))
        for first, last in id_ranges:
            q |= Q(pk__gte=first, pk__lte=last)
        persons = persons.filter(q)
    aliases: dict[int, list[tuple[str, str, str]]] = {}
    alt_q = AlternativeName.objects.all() if person_ids is None and not id_ranges else \
        AlternativeName.objects.filter(person_id__in=persons.values("pk"))
    for pid, last, first, pat in alt_q.values_list("person_id", "last_name", "first_name", "patronymic") \
            .order_by("pk"):
        aliases.setdefault(pid, []).append((last, first, pat))
    out: list[Record] = []
    for pk, last, first, pat, bd, prec, sn, tn in persons.values_list(
            "pk", "last_name", "first_name", "patronymic", "birth_date", "birth_date_precision", "service_number",
            "tax_number").order_by():
        out.append(Record(str(pk), last, first, pat, birth_date=_pdate(bd, prec), service_number=sn,
                          tax_number=tn, aliases=tuple(aliases.get(pk, ()))))
    return out


def existing_identities() -> dict[tuple, int]:
    """identity key (name, date of birth, service number) -> person id, for the active register."""
    out: dict[tuple, int] = {}
    for pk, last, first, pat, bd, sn in active_persons().values_list(
            "pk", "last_name", "first_name", "patronymic", "birth_date", "service_number").order_by():
        out.setdefault(identity_key(last, first, pat, bd.isoformat() if bd else "", sn), pk)
    return out


def lists_with_counts() -> QuerySet[IncomingList]:
    return IncomingList.objects.select_related("job", "created_by").annotate(
        open_rows=Count("rows", filter=Q(rows__state=RowState.OPEN)),
        auto_rows=Count("rows", filter=Q(rows__state=RowState.OPEN, rows__decision="match")),
        review_rows=Count("rows", filter=Q(rows__state=RowState.OPEN, rows__decision="review")),
        accepted_rows=Count("rows", filter=Q(rows__state=RowState.ACCEPTED)),
    ).order_by("-list_date", "-id")


def recent_jobs() -> QuerySet[ImportJob]:
    return ImportJob.objects.defer("content").select_related("created_by")


def done_job_with_hash(kind: str, sha256: str) -> ImportJob | None:
    return ImportJob.objects.defer("content").filter(kind=kind, sha256=sha256, state=JobState.DONE).first()


QUEUE_FILTERS = {
    "review": Q(state=RowState.OPEN, decision="review"),
    "match": Q(state=RowState.OPEN, decision="match"),
    "none": Q(state=RowState.OPEN, decision="none"),
    "open": Q(state=RowState.OPEN),
    "decided": ~Q(state=RowState.OPEN),
    "all": Q(),
}


def queue_rows(incoming_list: IncomingList, which: str) -> QuerySet[ListRow]:
    return incoming_list.rows.filter(QUEUE_FILTERS.get(which, QUEUE_FILTERS["review"])).select_related(
        "person", "decided_by").order_by("row_number")


RECENT_DECISIONS = 10


def recent_decisions(incoming_list: IncomingList, user, *, limit: int = RECENT_DECISIONS) -> QuerySet[ListRow]:
    """The latest decisions on the rows of ``incoming_list`` that ``user`` may undo: their own, or
    anyone's for a lead (``intake.undo_any_decision``), newest first."""
    rows = incoming_list.rows.exclude(state=RowState.OPEN).filter(decided_at__isnull=False)
    if not user.has_perm("intake.undo_any_decision"):
        rows = rows.filter(decided_by_id=getattr(user, "pk", None))
    return rows.select_related("person", "decided_by").order_by("-decided_at", "-pk")[:limit]


def persons_by_id(ids) -> dict[int, Person]:
    """Persons by id, following merges to the surviving record."""
    found = {p.pk: p for p in Person.objects.filter(pk__in=set(ids)).select_related("merged_into")}
    out = {}
    for pk, p in found.items():
        seen = set()
        while p.merged_into_id and p.pk not in seen:
            seen.add(p.pk)
            p = p.merged_into
        out[pk] = p
    return out


def review_for_reading(actor, incoming_list: IncomingList, person_ids, *, request=None) -> None:
    """The review queue of ``incoming_list`` shows the register persons ``person_ids`` to
    ``actor``: the read is audited (``request`` only gives the event the client's address)."""
    from .services import record_review_view  # services read through this module: imported late

    record_review_view(actor, incoming_list, person_ids, request=request)


def decided_labels() -> list:
    """Every decided row of every incoming list as labels for learning
    (:func:`homecoming.linkage.learning.labels_of_row`): the accepted person's candidate is
    confirmed, every other shown candidate rejected.  Reads levels and probabilities only,
    no person's details."""
    from homecoming.linkage.learning import labels_of_row

    labels = []
    rows = (ListRow.objects.exclude(state=RowState.OPEN).exclude(candidates=[])
            .values_list("state", "person_id", "candidates").order_by("pk").iterator(chunk_size=2000))
    for state, person_id, candidates in rows:
        labels.extend(labels_of_row(candidates or [], person_id, state == RowState.ACCEPTED))
    return labels


def active_linkage_model():
    """The linkage model in use (``None``: the built-in values)."""
    from .models import LinkageModel

    return LinkageModel.objects.filter(active=True).first()


def linkage_params(model=None):
    """The engine's parameters of ``model`` (a :class:`~.models.LinkageModel`; ``None``: the
    built-in values)."""
    from homecoming.linkage.learning import params_with

    return params_with(model.m, model.thresholds) if model is not None else params_with()


def linkage_models():
    """Every stored version, newest first."""
    from .models import LinkageModel

    return LinkageModel.objects.select_related("created_by")
