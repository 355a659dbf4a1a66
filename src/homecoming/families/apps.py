from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    """Inquiries from families, the family portal and the notifications sent to families."""

    name = "homecoming.families"
    label = "families"
    verbose_name = _("Families")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to the register's signals)

    def record_death_told(self, actor, person_id: int, *, request=None) -> int:
        """Asked by name by the remains app (same layer, so no import either way) when the task of
        telling the family in person is done: every linked inquiry about the person is recorded as
        told of the death the register holds now. Returns how many were recorded."""
        from .models import Inquiry, InquiryState
        from .services import record_told_in_person
        from .status import current_death_id

        told = 0
        for inquiry in Inquiry.objects.filter(person_id=person_id, state=InquiryState.LINKED).select_related("person"):
            death = current_death_id(inquiry.person)
            if death is not None and inquiry.told_in_person_event_id != death:
                record_told_in_person(actor, inquiry.pk, request=request)
                told += 1
        return told

    def record_reversal_told(self, actor, person_id: int, *, request=None) -> int:
        """Asked by name by the remains app when the family has been told in person that the
        identification of remains they were told of was reversed: the inquiries about the person
        that were told of that death no longer hold it as told. Returns how many."""
        from .services import record_reversal_told

        return record_reversal_told(actor, person_id, request=request)
