"""Reads of payments that more than one place needs (pages, API, services, the report)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from homecoming.audit.services import record, record_list_read
from homecoming.common.collation import person_order
from homecoming.registry.models import Person, Status

from .models import Batch, BatchState, Due, Entitlement, LedgerEntry

RETURN_STATUSES = (Status.RETURNED, Status.RELEASED_OTHER)


def return_date_of(person: Person) -> dt.date | None:
    """The date of the person's latest live (not corrected) "Returned" or "Released by other means"
    status event."""
    events = list(person.status_events.all())
    corrected = {e.corrects_id for e in events if e.corrects_id}
    dates = [e.effective_date for e in events if e.pk not in corrected and e.status in RETURN_STATUSES]
    return max(dates) if dates else None


def returnees() -> QuerySet[Person]:
    """Persons whose current status is returned or released by other means, with their entitlement."""
    return (Person.objects.filter(merged_into__isnull=True, current_status__in=RETURN_STATUSES)
            .select_related("entitlement").order_by("-current_status_date", *person_order()))


def iban_of(person: Person) -> str:
    profile = getattr(person, "payment_profile", None)
    try:
        return profile.iban if profile else ""
    except Person.payment_profile.RelatedObjectDoesNotExist:  # pragma: no cover
        return ""


def open_dues() -> QuerySet[Due]:
    """Dues in no active batch line and not in the ledger."""
    return (Due.objects.filter(ledger_entry__isnull=True).exclude(batch_lines__active=True)
            .select_related("entitlement__person").order_by("id"))


def batches(state: str = "") -> QuerySet[Batch]:
    qs = Batch.objects.select_related("prepared_by", "approved_by")
    return qs.filter(state=state) if state else qs


ZERO = Decimal("0.00")


def _money(value) -> Decimal:
    """A database sum as exact kopiyky (SQLite returns sums of decimals with a long tail)."""
    return ZERO if value is None else Decimal(value).quantize(Decimal("0.01"))


def report(*, returned_from: dt.date | None = None, returned_to: dt.date | None = None) -> dict:
    """What is owed (dues not approved yet), approved (in the ledger, batch not paid) and paid,
    by exchange (blank: released by other means or no exchange known) and overall; optionally
    only for returns (the entitlement's return date) between ``returned_from`` and ``returned_to``."""
    rows: dict[str, dict] = {}
    ent_q, due_q, ledger_q = Q(), Q(), Q()
    if returned_from:
        ent_q &= Q(return_date__gte=returned_from)
        due_q &= Q(entitlement__return_date__gte=returned_from)
        ledger_q &= Q(due__entitlement__return_date__gte=returned_from)
    if returned_to:
        ent_q &= Q(return_date__lte=returned_to)
        due_q &= Q(entitlement__return_date__lte=returned_to)
        ledger_q &= Q(due__entitlement__return_date__lte=returned_to)

    def row(label: str) -> dict:
        return rows.setdefault(label, {"exchange": label, "persons": 0, "owed": ZERO, "approved": ZERO,
                                       "paid": ZERO})

    for ent in Entitlement.objects.filter(ent_q).values("exchange_label").annotate(n=Count("id")):
        row(ent["exchange_label"])["persons"] = ent["n"]
    owed = (Due.objects.filter(due_q, ledger_entry__isnull=True).values("entitlement__exchange_label")
            .annotate(s=Sum("amount")))
    for r in owed:
        row(r["entitlement__exchange_label"])["owed"] = _money(r["s"])
    ledger = (LedgerEntry.objects.filter(ledger_q).values("due__entitlement__exchange_label", "batch__state")
              .annotate(s=Sum("amount")))
    for r in ledger:
        target = row(r["due__entitlement__exchange_label"])
        key = "paid" if r["batch__state"] == BatchState.PAID else "approved"
        target[key] += _money(r["s"])
    ordered = sorted(rows.values(), key=lambda r: (r["exchange"] == "", r["exchange"]))
    total = {"exchange": "", "persons": sum(r["persons"] for r in ordered),
             "owed": sum((r["owed"] for r in ordered), ZERO), "approved": sum((r["approved"] for r in ordered), ZERO),
             "paid": sum((r["paid"] for r in ordered), ZERO)}
    return {"rows": ordered, "total": total}


def person_dues(person: Person) -> QuerySet[Due]:
    return Due.objects.filter(entitlement__person=person).select_related("ledger_entry__batch").order_by("id")


def batch_fingerprint(batch: Batch) -> str:
    """What an approver or the officer who marks a batch paid confirms: every active line (due,
    person, amount, account) and the total (common.confirm)."""
    from homecoming.common.confirm import fingerprint

    lines = list(batch.lines.filter(active=True).order_by("id").values_list(
        "due_id", "due__entitlement__person_id", "amount", "iban", "name"))
    return fingerprint({"batch": batch.pk, "state": batch.state, "lines": lines, "total": batch.total})


# --- audited reads: a person's money is read by name, and every such read is audited -----------
# ``request`` only gives the audit event the client's address.

#: returnees on one page of the payments overview
RETURNEES_PER_PAGE = 50


def home_for_reading(actor, *, q: str = "", number=None, request=None):
    """One page of the returnees the payments overview shows (those matching ``q``, a name,
    reference or service number, as the register's search reads it) and the open dues (the first
    500), audited with the persons they name."""
    from django.core.paginator import Paginator

    from homecoming.registry.selectors import search_persons

    found = search_persons(q, base=returnees()) if q.strip() else returnees()
    page = Paginator(found, RETURNEES_PER_PAGE).get_page(number)
    shown_dues = list(open_dues()[:500])
    record_list_read(actor, "payments.home_view", object_type="person",
                     ids=sorted({p.pk for p in page.object_list} | {d.entitlement.person_id for d in shown_dues}),
                     details={"returnees": len(page.object_list), "open_dues": len(shown_dues), "q": q,
                              "page": page.number}, request=request)
    return page, shown_dues


def entitlement_for_reading(actor, person: Person, *, request=None) -> Entitlement | None:
    """The entitlement of ``person`` (None before one is computed); the read of the person's
    money is audited either way."""
    from .services import record_entitlement_view  # the services read through this module: imported late

    entitlement = Entitlement.objects.filter(person=person).first()
    if entitlement:
        record_entitlement_view(actor, entitlement, request=request)
    else:
        record(actor, "payments.person_view", object_type="person", object_id=person.pk, request=request)
    return entitlement


def batch_for_reading(actor, batch: Batch, *, request=None) -> Batch:
    """``batch``, shown to ``actor`` with its lines (persons and amounts): audited."""
    record(actor, "payments.batch_view", object_type="batch", object_id=batch.pk, request=request)
    return batch
