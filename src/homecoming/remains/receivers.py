"""Reactions to the signals of the apps below (connected in RemainsConfig.ready)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext as _

from homecoming.registry.services import person_merged

from .models import AnteMortemRecord, Identification, ReferenceSample


@receiver(person_merged, dispatch_uid="remains.person_merged")
def _person_merged(sender, merge, survivor, duplicate, **kwargs):
    """Forensic records (identifications, ante-mortem data, reference samples) never move between
    records: the death an identification wrote would leave its person. A merge whose duplicate
    holds any is refused (raised inside the merge's transaction: it is rolled back)."""
    if (Identification.objects.filter(person=duplicate).exists()
            or AnteMortemRecord.objects.filter(person=duplicate).exists()
            or ReferenceSample.objects.filter(person=duplicate).exists()):
        raise ValidationError(_("%(ref)s holds forensic records: keep that record and merge the other one into it, "
                                "or ask a forensic expert.") % {"ref": duplicate.reference})
