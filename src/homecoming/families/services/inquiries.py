"""An inquiry's life at the headquarters: linked to a person of the register (or a new one),
a family told in person, closed, and following the register's merges.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.registry import services as registry_services
from homecoming.registry.models import Person, Side, SourceKind, Status

from ..models import (
    Inquiry,
    InquiryState,
)
from .common import PORTAL_ACTOR, _require, _user
from .notifications import _notify_if_news


@transaction.atomic
def link_inquiry(actor, inquiry_id: int, person_id: int, *, request=None) -> Inquiry:
    """Link an inquiry to a person of the register (ours, not merged away)."""
    _require(actor, "families.change_inquiry", "registry.view_person")
    inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    if inquiry is None:
        raise ValidationError(_("No such inquiry."))
    person = Person.objects.filter(pk=person_id).first() if str(person_id).isascii() and str(person_id).isdigit() \
        else None
    if person is None:
        raise ValidationError({"person": [_("No person with this reference in the register.")]})
    if person.merged_into_id:
        raise ValidationError({"person": [_("This record was merged into %(ref)s; link to that one.")
                                          % {"ref": person.merged_into.reference}]})
    if person.side != Side.OURS:
        raise ValidationError({"person": [_("Families inquire about our own people only.")]})
    if inquiry.state == InquiryState.CLOSED:
        raise ValidationError(_("This inquiry is closed."))
    previous = inquiry.person_id
    inquiry.person = person
    inquiry.state = InquiryState.LINKED
    inquiry.linked_at = timezone.now()
    inquiry.linked_by = _user(actor)
    inquiry.moved_by_merge_from = None
    inquiry.save()
    record(actor, "inquiry.link", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference, "person": person.reference, "previous": previous},
           request=request)
    _notify_if_news(inquiry)
    return inquiry


@transaction.atomic
def unlink_inquiry(actor, inquiry_id: int, *, request=None) -> Inquiry:
    """Undo a wrong link: the inquiry goes back to the ones to link."""
    _require(actor, "families.change_inquiry")
    inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    if inquiry is None:
        raise ValidationError(_("No such inquiry."))
    if inquiry.person_id is None:
        raise ValidationError(_("This inquiry is not linked."))
    previous = inquiry.person.reference
    inquiry.person = None
    inquiry.state = InquiryState.NEW
    inquiry.linked_at = None
    inquiry.linked_by = None
    inquiry.moved_by_merge_from = None
    inquiry.notified_state = ""
    inquiry.save()
    record(actor, "inquiry.unlink", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference, "previous": previous}, request=request)
    return inquiry


@transaction.atomic
def record_told_in_person(actor, inquiry_id: int, *, request=None) -> Inquiry:
    """A case worker or registrar told the family in person of their relative's death, as the
    register holds it now: from then on the portal may say it (status.death_told). Refused while
    the register holds no death, or when this death was told already."""
    from ..status import current_death_id

    _require(actor, "families.tell_family")
    inquiry = Inquiry.objects.select_for_update(of=("self",)).select_related("person").filter(pk=inquiry_id).first()
    if inquiry is None:
        raise ValidationError(_("No such inquiry."))
    death = current_death_id(inquiry.person)
    if death is None:
        raise ValidationError(_("The register does not hold the death of this inquiry's relative."))
    if inquiry.told_in_person_event_id == death:
        raise ValidationError(_("It is already recorded that the family was told in person."))
    inquiry.told_in_person_event_id = death
    inquiry.told_in_person_at = timezone.now()
    inquiry.told_in_person_by = _user(actor)
    inquiry.save(update_fields=["told_in_person_event", "told_in_person_at", "told_in_person_by", "updated_at"])
    record(actor, "inquiry.told_in_person", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference, "event": death}, request=request)
    return inquiry


@transaction.atomic
def record_reversal_told(actor, person_id: int, *, request=None) -> int:
    """The family was told in person that the identification of remains whose death they had been
    told of was reversed: the record of that telling is taken off (the audit keeps it) and the
    portal shows the register's state again; a message follows if that is news by status.news."""
    from ..status import told_of_a_reversed_identification

    _require(actor, "families.tell_family")
    told = 0
    for inquiry in Inquiry.objects.select_for_update(of=("self",)).select_related("person").filter(
            person_id=person_id, told_in_person_event__isnull=False):
        if not told_of_a_reversed_identification(inquiry):
            continue
        event = inquiry.told_in_person_event_id
        inquiry.told_in_person_event_id, inquiry.told_in_person_at, inquiry.told_in_person_by = None, None, None
        inquiry.save(update_fields=["told_in_person_event", "told_in_person_at", "told_in_person_by", "updated_at"])
        record(actor, "inquiry.reversal_told_in_person", object_type="inquiry", object_id=inquiry.pk,
               details={"reference": inquiry.reference, "event": event}, request=request)
        if inquiry.state == InquiryState.LINKED:
            _notify_if_news(inquiry)
        told += 1
    return told


@transaction.atomic
def create_person_for_inquiry(actor, inquiry_id: int, *, request=None) -> Person:
    """No record matches: create one in the register from the inquiry (status missing, source
    the family's application) and link the inquiry to it."""
    _require(actor, "families.change_inquiry", "registry.add_person")
    inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    if inquiry is None:
        raise ValidationError(_("No such inquiry."))
    if inquiry.person_id:
        raise ValidationError(_("This inquiry is already linked to %(ref)s.") % {"ref": inquiry.person.reference})
    data: dict[str, Any] = {
        "last_name": inquiry.last_name, "first_name": inquiry.first_name, "patronymic": inquiry.patronymic,
        "birth_date": inquiry.birth_date, "birth_date_precision": inquiry.birth_date_precision,
        "service_number": inquiry.service_number, "unit": inquiry.unit,
        "incident_date": inquiry.incident_date, "incident_place": inquiry.incident_place,
    }
    if actor.has_perm("registry.view_contacts"):
        contact = ", ".join(p for p in (inquiry.phone, inquiry.email) if p)
        data["family_contacts"] = f"{inquiry.inquirer_name} ({inquiry.get_relation_display()}): {contact} " \
                                  f"[{inquiry.reference}]"
    person = registry_services.create_person(
        actor, data, request=request,
        initial_event={"status": Status.MISSING, "effective_date": inquiry.incident_date or timezone.localdate(),
                       "source_kind": SourceKind.FAMILY_APPLICATION, "source_reference": inquiry.reference},
    )
    link_inquiry(actor, inquiry.pk, person.pk, request=request)
    return person


@transaction.atomic
def close_inquiry(actor, inquiry_id: int, *, request=None) -> Inquiry:
    """Close an inquiry (withdrawn by the family, a duplicate of another). It stays readable."""
    _require(actor, "families.change_inquiry")
    inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    if inquiry is None:
        raise ValidationError(_("No such inquiry."))
    if inquiry.state == InquiryState.CLOSED:
        raise ValidationError(_("This inquiry is closed."))
    inquiry.state = InquiryState.CLOSED
    inquiry.save(update_fields=["state", "updated_at"])
    record(actor, "inquiry.close", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference}, request=request)
    return inquiry


def record_inquiry_view(actor, inquiry: Inquiry, *, request=None, via: str = "page") -> None:
    """Every read of an inquiry (it holds a family's contact and a person's details) is audited."""
    record(actor, "inquiry.view", object_type="inquiry", object_id=inquiry.pk,
           details={"reference": inquiry.reference, "via": via}, request=request)


def follow_merge(merge, survivor, duplicate) -> int:
    """A merge folded ``duplicate`` into ``survivor``: its inquiries follow."""
    moved = list(Inquiry.objects.filter(person=duplicate).values_list("pk", flat=True))
    if moved:
        Inquiry.objects.filter(pk__in=moved).update(person=survivor, moved_by_merge_from=duplicate,
                                                    updated_at=timezone.now())
        record(merge.merged_by or PORTAL_ACTOR, "inquiry.follow_merge", object_type="person",
               object_id=survivor.pk, details={"merge": merge.pk, "inquiries": moved})
    retell(survivor)  # both histories together may say something new to every family of the survivor
    return len(moved)


def retell(*persons) -> None:
    """A merge, its undo or a change on the exchange lists changed what a family may be told
    without a status event: each linked family's state is derived again and, where it is news for
    a message, told."""
    for person in persons:
        person.refresh_from_db()
        for inquiry in Inquiry.objects.filter(person=person, state=InquiryState.LINKED):
            inquiry.person = person
            _notify_if_news(inquiry)


def follow_merge_undo(merge, survivor, duplicate) -> int:
    moved = list(Inquiry.objects.filter(person=survivor, moved_by_merge_from=duplicate)
                 .values_list("pk", flat=True))
    if moved:
        Inquiry.objects.filter(pk__in=moved).update(person=duplicate, moved_by_merge_from=None,
                                                    updated_at=timezone.now())
        record(merge.undone_by or PORTAL_ACTOR, "inquiry.follow_merge_undo", object_type="person",
               object_id=duplicate.pk, details={"merge": merge.pk, "inquiries": moved})
    retell(survivor, duplicate)
    return len(moved)
