"""Reads of the families app that pages (and the API) share."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from homecoming.audit.services import record_list_read
from homecoming.linkage import Candidate as LinkCandidate
from homecoming.linkage import LinkageIndex, PartialDate, Record
from homecoming.registry.models import Person, Side
from homecoming.registry.selectors import active_persons, search_persons

from .models import BirthPrecision, FamilyMessage, Inquiry, LockOut, MessageFrom, Notification
from .services import record_inquiry_view, record_message_reads

POOL_LIMIT = 3000


def inquiries(state: str = "") -> QuerySet[Inquiry]:
    qs = Inquiry.objects.select_related("person")
    return qs.filter(state=state) if state else qs


def inquiries_for_person(person: Person) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(person=person).order_by("-created_at", "-id")


def notifications_of(inquiry: Inquiry) -> QuerySet[Notification]:
    return Notification.objects.filter(inquiry=inquiry).order_by("-created_at", "-id")


def lockouts(active_only: bool = False) -> QuerySet[LockOut]:
    qs = LockOut.objects.select_related("lifted_by")
    if active_only:
        qs = qs.filter(until__gt=timezone.now(), lifted_at__isnull=True)
    return qs


def _partial(date, precision) -> PartialDate | None:
    if not date:
        return None
    if precision == BirthPrecision.YEAR:
        return PartialDate(date.year)
    if precision == BirthPrecision.MONTH:
        return PartialDate(date.year, date.month)
    return PartialDate(date.year, date.month, date.day)


def _record(person: Person) -> Record:
    return Record(id=str(person.pk), last_name=person.last_name, first_name=person.first_name,
                  patronymic=person.patronymic,
                  birth_date=_partial(person.birth_date, person.birth_date_precision),
                  service_number=person.service_number,
                  aliases=[(a.last_name, a.first_name, a.patronymic) for a in person.alternative_names.all()])


@dataclass
class Proposal:
    person: Person
    candidate: LinkCandidate
    #: the candidate's explanation in the reader's words (homecoming.core.evidence.evidence), set by the view
    evidence: list[dict] = field(default_factory=list)


def linkage_proposals(inquiry: Inquiry, limit: int = 10) -> tuple[str, list[Proposal]]:
    """The linkage engine's decision for the inquiry (``match``, ``review`` or ``none``) and
    its candidates, best first, with their explanations. The register is narrowed to persons
    sharing a name (in any script) or the service number, then scored by the engine."""
    base = active_persons().filter(side=Side.OURS)
    pool = Q(pk__in=search_persons(inquiry.last_name, base).values("pk")[:POOL_LIMIT])
    if inquiry.service_number:
        pool |= Q(service_number=inquiry.service_number)
    if inquiry.first_name and inquiry.birth_date:
        pool |= Q(pk__in=search_persons(inquiry.first_name, base.filter(birth_date=inquiry.birth_date))
                  .values("pk")[:POOL_LIMIT])
    persons = {str(p.pk): p for p in base.filter(pool).prefetch_related("alternative_names")[:POOL_LIMIT]}
    if not persons:
        return "none", []
    index = LinkageIndex(_record(p) for p in persons.values())
    row = Record(id=inquiry.reference, last_name=inquiry.last_name, first_name=inquiry.first_name,
                 patronymic=inquiry.patronymic,
                 birth_date=_partial(inquiry.birth_date, inquiry.birth_date_precision),
                 service_number=inquiry.service_number)
    result = index.link([row], explain=True)[0]
    proposals = [Proposal(persons[c.registry_id], c) for c in result.candidates[:limit] if c.registry_id in persons]
    return result.decision, proposals


# --- audited reads: an inquiry holds a family's contact and a person's details -------------------
# ``request`` only gives the audit event the client's address.

def inquiry_for_reading(actor, inquiry: Inquiry, *, via: str = "page", request=None) -> Inquiry:
    """``inquiry``, shown to ``actor``: every read of an inquiry is audited."""
    record_inquiry_view(actor, inquiry, request=request, via=via)
    return inquiry


def inquiry_page_for_reading(actor, state: str, number, per_page: int, *, request=None):
    """One page of the inquiries in ``state`` ("all" for every state), oldest first; the
    inquiries it shows are audited."""
    qs = inquiries("" if state == "all" else state).order_by("created_at", "id")
    page = Paginator(qs, per_page).get_page(number)
    record_list_read(actor, "inquiry.list", object_type="inquiry", ids=[i.pk for i in page.object_list],
                     details={"state": state}, request=request)
    return page


# --- messages between families and case workers (services/messages.py) ---------------------------

def portal_thread(inquiry: Inquiry) -> list[FamilyMessage]:
    """What the family sees of its messages: its own and the replies to them, oldest first; a reply
    carries its text, its date and the name of the case worker who wrote it, nothing else."""
    return list(FamilyMessage.objects.filter(inquiry=inquiry).select_related("author").order_by("created_at", "id"))


def unread_counts(user) -> dict[str, int]:
    """Unread messages from families: addressed to ``user`` and in the shared queue (counts only)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("families.view_familymessage"):
        return {"mine": 0, "queue": 0}
    unread = FamilyMessage.objects.filter(sender=MessageFrom.FAMILY, read_at__isnull=True)
    return {"mine": unread.filter(recipient=user).count(), "queue": unread.filter(recipient__isnull=True).count()}


def inbox_for_reading(actor, show: str, number, per_page: int, *, request=None):
    """One page of the family messages addressed to ``actor`` (``show="mine"``) or in the shared
    queue (``"queue"``), unread first, newest first; audited."""
    qs = FamilyMessage.objects.filter(sender=MessageFrom.FAMILY).select_related("inquiry__person", "recipient")
    qs = qs.filter(recipient__isnull=True) if show == "queue" else qs.filter(recipient=actor)
    page = Paginator(qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id"), per_page) \
        .get_page(number)
    shown = list(page.object_list)  # audited even when empty, like every list page
    record_list_read(actor, "family_message.list", object_type="inquiry", ids=sorted({m.inquiry_id for m in shown}),
                     details={"via": f"inbox:{show}", "messages": [m.pk for m in shown]}, request=request)
    return page


def thread_for_reading(actor, message: FamilyMessage, *, request=None) -> list[FamilyMessage]:
    """The whole exchange of ``message``'s inquiry, for a case worker; audited."""
    thread = list(FamilyMessage.objects.filter(inquiry_id=message.inquiry_id).select_related("author", "read_by")
                  .order_by("created_at", "id"))
    record_message_reads(actor, thread, via="message", request=request)
    return thread


def person_messages_for_reading(actor, person, *, request=None) -> list[FamilyMessage]:
    """The messages of every family following ``person`` (the case page); audited."""
    messages = list(FamilyMessage.objects.filter(inquiry__person=person).select_related("author", "inquiry__person")
                    .order_by("created_at", "id"))
    record_message_reads(actor, messages, via="case", request=request)
    return messages
