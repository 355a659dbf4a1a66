"""Invariants between what families were told and the register (common/invariants.py). What a
family sees is derived (status.portal_state); what can go wrong is what was SENT to them."""

from __future__ import annotations

from homecoming.common.invariants import invariant

from .models import Inquiry, InquiryState
from .status import family_state, news


@invariant("families.message_disagrees_with_register",
           "Every family was sent what is news to them: their relative's captivity confirmed or return home as "
           "soon as it is recorded, and a request to contact us when the register takes back what a message "
           "said (status.news).", record="inquiry")
def message_disagrees_with_register() -> list[int]:
    return [inquiry.pk for inquiry in Inquiry.objects.filter(state=InquiryState.LINKED).select_related("person")
            if news(inquiry.notified_state, family_state(inquiry)) is not None]


@invariant("families.link_inconsistent",
           "An inquiry is 'linked' exactly when it names a person, and never a record merged into another.",
           record="inquiry")
def link_inconsistent() -> list[int]:
    return sorted(set(Inquiry.objects.filter(state=InquiryState.LINKED, person__isnull=True)
                      .values_list("pk", flat=True))
                  | set(Inquiry.objects.filter(state=InquiryState.NEW, person__isnull=False)
                        .values_list("pk", flat=True))
                  | set(Inquiry.objects.filter(person__merged_into__isnull=False).values_list("pk", flat=True)))
