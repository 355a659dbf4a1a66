"""The figures of remains and identification (issue 20): what became of the remains received,
the time from a transfer to the identifications of its remains, and the missing persons whose
relatives' reference samples do not yet suffice for kinship testing, by front direction.

Counts only, never a person or a body: the figures have no drill-down for anyone (the persons
and remains behind them are forensic data, readable by forensic experts alone), and everyone
without ``remains.view_forensic`` sees small numbers hidden (``Figure.forensic``), the analysts
and negotiators too, not only the leadership.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.registry.models import Direction, Person, Side, Status
from homecoming.remains.models import (
    USABLE_SAMPLE_STATES,
    Dental,
    Hair,
    Identification,
    IdentificationState,
    Mark,
    ReferenceSample,
    Remains,
    Task,
    TaskKind,
    TaskState,
    Transfer,
)
from homecoming.remains.references import sufficiency

from .shapes import SMALL_NUMBER, Figure, Range, Row, _note

_RECEIVED_ON = "transfer__received_on"


def _examined() -> Q:
    """Remains with post-mortem data recorded: any estimate or finding beyond "unknown", or a mark."""
    return (~Q(sex="unknown") | Q(age_min__isnull=False) | Q(age_max__isnull=False)
            | Q(height_min_cm__isnull=False) | Q(height_max_cm__isnull=False) | ~Q(hair=Hair.UNKNOWN)
            | ~Q(dental=Dental.UNKNOWN) | Q(Exists(Mark.objects.filter(remains=OuterRef("pk")))))


def remains_progress(rng: Range) -> Figure:
    """Remains received in the range's transfers and how far they came: post-mortem data recorded,
    with a candidate under examination (an identification opened), identified (confirmed), handed
    over to the family (the hand-over task of the confirmed identification done)."""
    received = sum(Transfer.objects.filter(rng.q("received_on")).values_list("received_count", flat=True))
    remains = Remains.objects.filter(rng.q(_RECEIVED_ON))
    identified = Identification.objects.filter(rng.q("remains__" + _RECEIVED_ON), state=IdentificationState.CONFIRMED)
    counts = remains.aggregate(
        recorded=Count("pk"),
        examined=Count("pk", filter=_examined()),
        candidate=Count("pk", filter=Q(Exists(Identification.objects.filter(remains=OuterRef("pk"))))),
    )
    handed = Task.objects.filter(identification__in=identified, kind=TaskKind.HAND_OVER, state=TaskState.DONE)
    rows = [
        Row(_("Received"), [received]),
        Row(_("Recorded"), [counts["recorded"]]),
        Row(_("Examined (post-mortem data recorded)"), [counts["examined"]]),
        Row(_("With a candidate under examination"), [counts["candidate"]]),
        Row(_("Identified (confirmed)"), [identified.count()]),
        Row(_("Handed over to the family"), [handed.count()]),
    ]
    if not any(r.cells[0] for r in rows):
        rows = []
    return Figure("remains", _("Remains received and what became of them"), _("Date of the transfer"), "bar",
                  _("Stage"), [_("Remains")], rows, forensic=True)


def _median_days(days: list[int]) -> Decimal:
    return Decimal(str(statistics.median(days))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def identification_time(rng: Range) -> Figure:
    """Per transfer: remains received, how many are identified, and the median number of days from
    the transfer to the confirmation (in Kyiv time; "" when none is identified yet). A median is
    hidden with its count."""
    days: dict[int, list[int]] = defaultdict(list)
    for transfer_id, received_on, confirmed_at in Identification.objects.filter(
            rng.q("remains__" + _RECEIVED_ON), state=IdentificationState.CONFIRMED).values_list(
            "remains__transfer_id", "remains__" + _RECEIVED_ON, "confirmed_at"):
        days[transfer_id].append((timezone.localdate(confirmed_at) - received_on).days)
    rows = []
    for t in Transfer.objects.filter(rng.q("received_on")).order_by("received_on", "pk"):
        got = days.get(t.pk, [])
        rows.append(Row(f"{t.reference} · {t.received_on.isoformat()}",
                        [t.received_count, len(got), _median_days(got) if got else ""]))
    everyone = [d for ds in days.values() for d in ds]
    # over everyone, only from SMALL_NUMBER identifications on: a median of a few is their dates
    note = _note(_("Median over all identified: %(days)s days."),
                 days=_median_days(everyone) if len(everyone) >= SMALL_NUMBER else "—")
    return Figure("remains_time", _("Time from the transfer to the identification, by transfer"),
                  _("Date of the transfer"), "bar", _("Transfer"),
                  [_("Remains received"), _("Identified"), _("Median days to identification")], rows,
                  forensic=True, paired={2: 1}, **note)


def missing_without_samples(rng: Range) -> Figure:
    """Our missing persons by front direction, and of them those whose usable reference samples do
    not suffice for kinship testing (``remains.references``: both parents, a child with the other
    parent, or two full siblings): the families to ask for more."""
    missing = Person.objects.filter(rng.q("incident_date"), side=Side.OURS, merged_into__isnull=True,
                                    current_status=Status.MISSING)
    totals = {row["direction_id"]: row["n"] for row in missing.values("direction_id").annotate(n=Count("pk"))
              .order_by()}
    relationships: dict[int, list[str]] = defaultdict(list)
    direction_of = {}
    for person_id, direction_id, relationship in ReferenceSample.objects.filter(
            person__in=missing, state__in=USABLE_SAMPLE_STATES).values_list(
            "person_id", "person__direction_id", "relationship"):
        relationships[person_id].append(relationship)
        direction_of[person_id] = direction_id
    enough: dict[int | None, int] = defaultdict(int)
    for person_id, rels in relationships.items():
        if sufficiency(rels).enough:
            enough[direction_of[person_id]] += 1
    names = {d.pk: d.name for d in Direction.objects.filter(pk__in=[k for k in totals if k])}
    rows = []
    for direction_id, total in sorted(totals.items(), key=lambda kv: (kv[0] is None, names.get(kv[0], ""))):
        label = names.get(direction_id) or _("Not recorded")
        rows.append(Row(str(label), [total, total - enough[direction_id]]))
    return Figure("remains_samples", _("Missing persons without enough reference samples, by front direction"),
                  _("Date of disappearance or capture"), "bar", _("Front direction"),
                  [_("Missing persons"), _("Without enough reference samples")], rows, forensic=True)
