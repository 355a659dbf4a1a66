"""Invariants between what families were told and the register (common/invariants.py). What a
family sees is derived (status.portal_state); what can go wrong is what was SENT to them."""

from __future__ import annotations

from homecoming.common.invariants import invariant

from .models import Inquiry, InquiryState
from .status import BEING_CHECKED, CAPTIVE, MISSING, NOTIFY_STATES, ON_THE_WAY, RETURNED, family_state

#: the order of a captivity as a family lives it; a message about a later step must not be followed
#: by an earlier state (that would make the message untrue)
JOURNEY = {MISSING: 0, CAPTIVE: 1, ON_THE_WAY: 2, BEING_CHECKED: 3, RETURNED: 4}


@invariant("families.message_disagrees_with_register",
           "What a family was last told by a message is still true, and news they are told about by message "
           "(captivity confirmed, returned home) was sent.", record="inquiry")
def message_disagrees_with_register() -> list[int]:
    bad = []
    for inquiry in (Inquiry.objects.filter(state=InquiryState.LINKED).exclude(notified_state="")
                    .select_related("person")):
        now, told = family_state(inquiry), inquiry.notified_state
        if now == told or now not in JOURNEY:
            continue  # unchanged, or news given in person (a death, "please contact us")
        if now in NOTIFY_STATES or JOURNEY[now] < JOURNEY.get(told, 0):
            bad.append(inquiry.pk)
    return bad


@invariant("families.link_inconsistent",
           "An inquiry is 'linked' exactly when it names a person, and never a record merged into another.",
           record="inquiry")
def link_inconsistent() -> list[int]:
    return sorted(set(Inquiry.objects.filter(state=InquiryState.LINKED, person__isnull=True)
                      .values_list("pk", flat=True))
                  | set(Inquiry.objects.filter(state=InquiryState.NEW, person__isnull=False)
                        .values_list("pk", flat=True))
                  | set(Inquiry.objects.filter(person__merged_into__isnull=False).values_list("pk", flat=True)))
