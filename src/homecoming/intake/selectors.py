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


def register_records() -> list[Record]:
    """The active register as linkage records: one per person (id = person id), and one per
    alternative name (id = ``<person>/<alternative name>``)."""
    out: list[Record] = []
    dates: dict[int, PartialDate | None] = {}
    ids: dict[int, tuple[str, str]] = {}
    for pk, last, first, pat, bd, prec, sn, tn in active_persons().values_list(
            "pk", "last_name", "first_name", "patronymic", "birth_date", "birth_date_precision", "service_number",
            "tax_number").order_by():
        pd = _pdate(bd, prec)
        dates[pk], ids[pk] = pd, (sn, tn)
        out.append(Record(str(pk), last, first, pat, birth_date=pd, service_number=sn, tax_number=tn))
    for apk, pid, last, first, pat in AlternativeName.objects.filter(person_id__in=active_persons().values("pk")) \
            .values_list("pk", "person_id", "last_name", "first_name", "patronymic").order_by():
        if pid in dates:
            out.append(Record(f"{pid}/{apk}", last, first, pat, birth_date=dates[pid], service_number=ids[pid][0],
                              tax_number=ids[pid][1]))
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
