"""Invariants of the background operations (common/invariants.py)."""

from __future__ import annotations

from django.db.models import F

from homecoming.common.invariants import invariant

from .models import Operation, OperationState


@invariant("operations.done_but_incomplete",
           "A background operation that ended 'done' did every item of its plan (processed = total), and no "
           "operation counts more done than planned.", record="operation")
def done_but_incomplete() -> list[int]:
    done = Operation.objects.filter(state=OperationState.DONE).exclude(processed=F("total"))
    over = Operation.objects.filter(total__isnull=False, processed__gt=F("total"))
    return sorted(set(done.values_list("pk", flat=True)) | set(over.values_list("pk", flat=True)))
