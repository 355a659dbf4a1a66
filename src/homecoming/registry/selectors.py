"""Reads of the register that more than one place needs (pages, API, other apps)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Replace, Upper

from .keys import query_token_keys, query_tokens
from .models import (
    REFERENCE_PREFIX,
    DatePrecision,
    FieldChange,
    Kind,
    MedicalCategory,
    Merge,
    Person,
    PersonNameKey,
    RankCategory,
    Sex,
    Side,
    Status,
    StatusEvent,
)
from .services import FK_MODELS, derive_status, record_person_search, record_person_view

# "HC-003519", "hc3519", "003519" or "3519": the prefix is optional as a whole, not only its dash
_REFERENCE_RE = re.compile(rf"^\s*(?:{re.escape(REFERENCE_PREFIX.rstrip('-'))}\s*-?\s*)?0*(\d{{1,9}})\s*$",
                           re.IGNORECASE)
# letters that look the same in Cyrillic and Latin: a service number typed on either keyboard
_TO_LATIN = str.maketrans("АВЕКМНОРСТХІ", "ABEKMHOPCTXI")
_TO_CYRILLIC = str.maketrans("ABEKMHOPCTXI", "АВЕКМНОРСТХІ")

SORTS = {
    # names in Ukrainian alphabetical order: the stored key (homecoming.common.collation)
    "name": ("name_sort_key", "id"),
    "birth": ("birth_date", "id"),
    "incident": ("incident_date", "id"),
    "status": ("current_status", "name_sort_key", "id"),
    "reference": ("id",),
}




def active_persons() -> QuerySet[Person]:
    """Persons in the register (records merged into another are left out)."""
    return Person.objects.filter(merged_into__isnull=True)


def person_by_reference(text: str) -> Person | None:
    """``HC-000123`` (or ``123``) -> the person, following merges to the surviving record."""
    m = _REFERENCE_RE.match(text or "")
    if not m:
        return None
    person = Person.objects.filter(pk=int(m.group(1))).first()
    seen = set()
    while person is not None and person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = person.merged_into
    return person


def identifier_matches(query: str) -> list[int]:
    """Persons a reference or a service number typed bare points at: the reference's person
    (following merges) and every person in the register whose service number is the query,
    ignoring case, spaces, dashes and slashes, and whether its letters were typed in Cyrillic or
    Latin."""
    ids = []
    person = person_by_reference(query)
    if person is not None:
        ids.append(person.pk)
    compact = re.sub(r"[\s\-/]", "", query or "").upper()
    if compact:
        variants = {compact, compact.translate(_TO_LATIN), compact.translate(_TO_LATIN).translate(_TO_CYRILLIC)}
        typed = {(query or "").strip(), *variants}
        found = list(active_persons().filter(service_number__in=typed).values_list("pk", flat=True))  # indexed
        if not found and len(compact) >= 4:  # stored with other spacing or dashes: compare compacted
            written = Upper(Replace(Replace(Replace("service_number", Value("-"), Value("")), Value(" "), Value("")),
                                    Value("/"), Value("")))
            found = list(active_persons().annotate(written=written).filter(written__in=variants)
                         .values_list("pk", flat=True)[:50])
        ids += found
    return ids


def search_persons(query: str, base: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """Persons a reference or service number typed bare points at (:func:`identifier_matches`),
    or whose names (canonical or alternative, in any script) match every token of ``query``.
    Each token becomes its search keys (``homecoming.names.search_keys``); a one- or two-letter
    token is an initial. The person sets of the tokens are intersected in the database, starting
    from the rarest token so that the other tokens are only probed per candidate."""
    qs = Person.objects.all() if base is None else base
    tokens = query_tokens(query)
    text = query or ""
    if any(c.isdigit() for c in text) and sum(c.isalpha() for c in text) <= 4:
        # mostly digits: a reference ("3519") or a service number ("ЕМ-323132", "em 323 132")
        return qs.filter(pk__in=identifier_matches(query))
    if not tokens:
        if (query or "").strip():
            return qs.none()  # punctuation only: it matches no one (it used to match everyone)
        return active_persons() if base is None else base
    # Merged records have no keys (services.merge_persons deletes them), so a key search needs no
    # merged_into filter; leaving it out lets the database sort by the name index (4x faster).
    qs = Person.objects.all() if base is None else base
    token_keys = [query_token_keys(t) for t in tokens]
    if any(not keys for keys in token_keys):
        return qs.none()
    # Rarest token first: it drives the query; the others are EXISTS probes on (person, key).
    # Initials ("#..." keys) are the least selective; full tokens are ordered by their counts.
    unique = list(dict.fromkeys(token_keys))
    full = [keys for keys in unique if not all(k.startswith("#") for k in keys)]
    initials = [keys for keys in unique if keys not in full]
    if len(full) > 1:
        counts = {keys: PersonNameKey.objects.filter(key__in=keys).count() for keys in full}
        full.sort(key=counts.__getitem__)
    unique = full + initials
    first, rest = unique[0], unique[1:]
    qs = qs.filter(pk__in=PersonNameKey.objects.filter(key__in=first).values("person_id"))
    for keys in rest:
        qs = qs.filter(Exists(PersonNameKey.objects.filter(person_id=OuterRef("pk"), key__in=keys)))
    return qs


@dataclass
class RegisterFilters:
    q: str = ""
    status: str = ""
    side: str = ""
    kind: str = ""
    branch: Any = None
    direction: Any = None
    operation: Any = None
    medical_category: str = ""
    incident_from: dt.date | None = None
    incident_to: dt.date | None = None
    missing_then_found: bool = False
    sort: str = "name"
    descending: bool = False


# each filter of the register that is a plain comparison: the field of RegisterFilters -> the lookup
_FILTER_LOOKUPS = {
    "status": "current_status", "side": "side", "kind": "kind", "branch": "branch", "direction": "direction",
    "operation": "operation", "medical_category": "medical_category", "incident_from": "incident_date__gte",
    "incident_to": "incident_date__lte",
}


def _browsed_persons() -> QuerySet[Person]:
    """:func:`active_persons` for a browse without a query. On SQLite said so that no index can
    serve the test (``COALESCE(merged_into_id, 0) = 0``): without statistics SQLite would pick
    the ``merged_into`` index (every row) and sort 100,000 rows (1.8 s for page 1,000 by name)
    instead of reading ``person_sort_key_idx`` in order, which also holds ``merged_into`` (0.03 s).
    PostgreSQL keeps statistics and reads that index for the plain test (an index-only scan,
    25 ms for page 1,000; the COALESCE form would make it guess and sort: 180 ms)."""
    if connection.vendor != "sqlite":
        return active_persons()
    return Person.objects.alias(_merged=Coalesce("merged_into", Value(0), output_field=IntegerField())).filter(
        _merged=0)


def filter_persons(f: RegisterFilters) -> QuerySet[Person]:
    qs = search_persons(f.q) if f.q else _browsed_persons()
    given = {lookup: getattr(f, name) for name, lookup in _FILTER_LOOKUPS.items() if getattr(f, name)}
    if given:
        qs = qs.filter(**given)
    if f.missing_then_found:
        qs = qs.filter(was_missing=True).exclude(current_status__in=["", Status.MISSING])
    keys = SORTS.get(f.sort, SORTS["name"])
    order = [F(o) for o in keys]
    if f.q:
        # A search yields a small set: sort it. Wrapping the sort keys keeps PostgreSQL from
        # walking the whole name index in order hoping to meet 50 matches early (slow for rare
        # names); browsing without a query still reads the index in order.
        order = [Coalesce(o, o) if name != "id" else o for name, o in zip(keys, order, strict=True)]
    order = [o.desc() if f.descending else o.asc() for o in order]
    return qs.select_related("branch", "direction", "rank").order_by(*order)


def fetch_in_order(ids: list[int]) -> list[Person]:
    """Full rows (with their reference data) for ``ids``, in that order."""
    objs = Person.objects.select_related("branch", "direction", "rank", "operation").in_bulk(ids)
    return [objs[i] for i in ids if i in objs]


def page_of_persons(qs: QuerySet[Person], number, per_page: int = 50):
    """One page of a register query, sorting narrow rows (ids and sort keys only) and fetching
    the full rows of that page alone: the wide rows are never sorted (10x faster on PostgreSQL
    for common names)."""
    from django.core.paginator import Paginator

    page = Paginator(qs.values_list("pk", flat=True), per_page).get_page(number)
    page.object_list = fetch_in_order(list(page.object_list))
    return page


def likely_duplicates(*, last_name: str, first_name: str, patronymic: str = "", birth_date: dt.date | None = None,
                      side: str | None = None, exclude_id: int | None = None, limit: int = 10) -> list[Person]:
    """Records that may be the same person: same last and first name in any script, and a date
    of birth that agrees (equal, unknown on either side, day and month swapped, or one digit off).
    A namesake born on another day is not a duplicate."""
    if not (last_name and first_name):
        return []
    qs = search_persons(f"{last_name} {first_name}")
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    if side:
        qs = qs.filter(side=side)
    out = []
    for person in qs.select_related("branch")[:500]:
        if patronymic and person.patronymic and not _names_agree(patronymic, person.patronymic):
            continue
        if birth_date and person.birth_date and not dates_agree(birth_date, person.birth_date,
                                                                person.birth_date_precision):
            continue
        out.append(person)
        if len(out) >= limit:
            break
    return out


def _names_agree(a: str, b: str) -> bool:
    return bool(query_token_keys(a) & query_token_keys(b))


def dates_agree(a: dt.date, b: dt.date, precision_b: str = DatePrecision.DAY) -> bool:
    if precision_b == DatePrecision.YEAR:
        return a.year == b.year
    if precision_b == DatePrecision.MONTH:
        return (a.year, a.month) == (b.year, b.month)
    if a == b or (a.year == b.year and a.month == b.day and a.day == b.month):
        return True
    sa, sb = a.isoformat(), b.isoformat()
    return sum(x != y for x, y in zip(sa, sb, strict=True)) == 1


def timeline(person: Person) -> list[StatusEvent]:
    """The status history in effective order, each event knowing whether it was corrected."""
    events = list(person.status_events.select_related("source", "author", "corrects").order_by(
        "effective_date", "id"))
    corrected = {e.corrects_id for e in events if e.corrects_id}
    for e in events:
        e.is_corrected = e.pk in corrected
    return events


def status_is_consistent(person: Person) -> bool:
    """The denormalised columns equal the derivation from the events (a check for tests and ops)."""
    status, since, was_missing = derive_status(person.status_events.all())
    return (person.current_status, person.current_status_date, person.was_missing) == (status, since, was_missing)


SENSITIVE_FIELDS = {"medical_notes": "registry.view_medical", "family_contacts": "registry.view_contacts"}


def can_see(user, field: str) -> bool:
    perm = SENSITIVE_FIELDS.get(field)
    return perm is None or user.has_perm(perm)


_CHOICE_LABELS = {
    "side": Side, "kind": Kind, "sex": Sex, "birth_date_precision": DatePrecision, "rank_category": RankCategory,
    "medical_category": MedicalCategory,
}


def display_value(field: str, text: str) -> str:
    if text == "":
        return "—"
    if field in _CHOICE_LABELS:
        try:
            return str(_CHOICE_LABELS[field](text).label)
        except ValueError:
            return text
    if field in FK_MODELS:
        obj = FK_MODELS[field].objects.filter(code=text).first()
        return obj.name if obj else text
    return text


def edit_history(person: Person, user) -> list[dict]:
    """Field changes, newest first, with values the user may not read left out."""
    rows = []
    for change in FieldChange.objects.filter(person=person).select_related("changed_by"):
        visible = can_see(user, change.field)
        rows.append({
            "change": change,
            "label": Person._meta.get_field(change.field).verbose_name,
            "visible": visible,
            "old": display_value(change.field, change.old_value) if visible else "",
            "new": display_value(change.field, change.new_value) if visible else "",
        })
    return rows


def merges_of(person: Person) -> QuerySet[Merge]:
    return Merge.objects.filter(Q(survivor=person) | Q(duplicate=person)).select_related(
        "survivor", "duplicate", "merged_by", "undone_by")


def status_counts() -> dict[str, int]:
    return dict(active_persons().values_list("current_status").annotate(n=Count("id")).order_by())


# --- audited reads: the read and its audit event in one call (pages and API alike) -------------

def person_for_reading(actor, person: Person, *, via: str = "page", request=None) -> Person:
    """``person``, shown to ``actor``: every read of a person's record is audited (``request``
    only gives the event the client's address)."""
    record_person_view(actor, person, request=request, via=via)
    return person


def search_page_for_reading(actor, qs: QuerySet[Person], number, per_page: int, filters: dict, *,
                            via: str = "page", request=None):
    """One page of a register search (:func:`page_of_persons`), audited with its filters and the
    persons it shows."""
    page = page_of_persons(qs, number, per_page)
    record_person_search(actor, page.object_list, filters, request=request, via=via)
    return page
