"""Following the register's merges and their undo: entries and crossings move with the person.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from homecoming.registry.models import Status

from .. import selectors
from ..models import (
    Crossing,
    ExchangeStatus,
    ListEntry,
)


def follow_merge(merge, survivor, duplicate) -> int:
    """Re-point entries and crossings of a merged-away record to the survivor, remembering which,
    for :func:`follow_merge_undo`. Refuses (rolling the merge back) when both records are on one
    stage, and when an open entry would hold a survivor the register does not hold as listed
    (one of them is home, or dead): a list must never name someone twice or someone it cannot hold."""
    from ..models import MergeFollow

    both = (set(ListEntry.objects.filter(person=survivor).values_list("exchange_id", flat=True))
            & set(ListEntry.objects.filter(person=duplicate).values_list("exchange_id", flat=True))) | (
        set(Crossing.objects.filter(person=survivor).values_list("exchange_id", flat=True))
        & set(Crossing.objects.filter(person=duplicate).values_list("exchange_id", flat=True)))
    if both:
        raise ValidationError(_("Both records are on the lists of the same stage: withdraw one entry first."))
    open_entries = ListEntry.objects.filter(person__in=[survivor, duplicate], state__in=selectors.ACTIVE_STATES) \
        .exclude(exchange__status=ExchangeStatus.RECONCILED)
    if open_entries.exists() and survivor.current_status != Status.ON_EXCHANGE_LIST:
        raise ValidationError(_("One record is on an exchange list while the merged history says “%(status)s”: "
                                "withdraw the entry first, then merge.")
                              % {"status": survivor.get_current_status_display() or "—"})
    moved: dict[str, list[int]] = {}
    for key, model in (("entries", ListEntry), ("crossings", Crossing)):
        taken = set(model.objects.filter(person=survivor).values_list("exchange_id", flat=True))
        ids = list(model.objects.filter(person=duplicate).exclude(exchange_id__in=taken).values_list("pk", flat=True))
        model.objects.filter(pk__in=ids).update(person=survivor)
        moved[key] = ids
    MergeFollow.objects.update_or_create(merge_id=merge.pk, defaults=moved)
    return len(moved["entries"]) + len(moved["crossings"])


def follow_merge_undo(merge, survivor, duplicate) -> int:
    from ..models import MergeFollow

    follow = MergeFollow.objects.filter(merge_id=merge.pk).first()
    if follow is None:
        return 0
    n = ListEntry.objects.filter(pk__in=follow.entries, person=survivor).update(person=duplicate)
    n += Crossing.objects.filter(pk__in=follow.crossings, person=survivor).update(person=duplicate)
    follow.delete()
    return n
