"""Identification: a forensic expert opens it (pending), adds the laboratory's kinship report,
proposes it (preliminary) or excludes it; a registrar who is not the proposer confirms it. The
confirmation writes the person's death through the status model (registry.add_status_event, kept
by this app: ``managed_by="remains"``) and creates the tasks that follow, the first of which is to
tell the family in person: the family portal says nothing of the death until that is recorded
(families.status)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record
from homecoming.common import confirm
from homecoming.common.actors import user_of
from homecoming.registry import services as registry
from homecoming.registry.models import SourceKind, Status

from ..models import (
    Identification,
    IdentificationState,
    KinshipReport,
    Method,
    ReferenceSample,
    Remains,
    Task,
    TaskKind,
    TaskState,
)
from .common import CHANGE, CONFIRM, missing_person, not_known_home, require, save_with_history

TELL = "families.tell_family"
OPEN_STATES = (IdentificationState.PENDING, IdentificationState.PRELIMINARY)
#: what follows a confirmation, in this order: the family is told in person first
TASKS_AFTER_CONFIRMATION = (TaskKind.TELL_FAMILY, TaskKind.HAND_OVER, TaskKind.BURIAL)


def _identification(pk, *, lock: bool = True) -> Identification:
    qs = Identification.objects.select_related("remains", "remains__transfer", "person")
    obj = (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=pk).first() \
        if str(pk or "").isdigit() else None
    if obj is None:
        raise ValidationError(_("No such identification."))
    return obj


def _log_identification(actor, identification: Identification, action: str, changes: dict, request=None) -> None:
    from ..models import Change

    Change.objects.create(object_type="identification", object_id=identification.pk, action=action,
                          changes=changes, changed_by=user_of(actor))
    record(actor, action, object_type="identification", object_id=identification.pk,
           details={"remains": identification.remains_id, "person": identification.person_id,
                    "state": identification.state}, request=request)


@transaction.atomic
def open_identification(actor, remains_id, person_id, *, method: str, reasoning: str = "",
                        request=None) -> Identification:
    """A forensic expert names a person as the possible identity of remains (pending)."""
    require(actor, CHANGE)
    remains = Remains.objects.select_for_update().filter(pk=remains_id).first() \
        if str(remains_id or "").isdigit() else None
    if remains is None:
        raise ValidationError({"remains": [_("No such remains.")]})
    person = missing_person(person_id)
    not_known_home(person)
    if Identification.objects.filter(remains=remains, state=IdentificationState.CONFIRMED).exists():
        raise ValidationError(_("These remains are identified already."))
    if Identification.objects.filter(person=person, state=IdentificationState.CONFIRMED).exists():
        raise ValidationError({"person": [_("%(ref)s is identified already, with other remains.")
                                          % {"ref": person.reference}]})
    if Identification.objects.filter(remains=remains, person=person, state__in=OPEN_STATES).exists():
        raise ValidationError({"person": [_("An identification of these remains as %(ref)s is open already.")
                                          % {"ref": person.reference}]})
    identification = Identification(remains=remains, person=person, proposed_by=user_of(actor))
    return save_with_history(actor, identification, {"method": method, "reasoning": reasoning},
                             action="identification.open", object_type="identification",
                             details={"remains": remains.pk, "person": person.pk}, request=request)


@transaction.atomic
def add_kinship_report(actor, identification_id, *, laboratory: str, report_reference: str, reported_on,
                       likelihood_ratio=None, probability=None, sample_ids=(), request=None) -> KinshipReport:
    """The laboratory's kinship match report: the reference samples it used (the missing person's
    own), a likelihood ratio or a probability (at least one)."""
    require(actor, CHANGE)
    identification = _identification(identification_id)
    if identification.state not in OPEN_STATES:
        raise ValidationError(_("This identification is closed."))
    ids = {int(s) for s in sample_ids if str(s).isdigit()}
    samples = list(ReferenceSample.objects.filter(pk__in=ids, person=identification.person_id))
    if not samples or len(samples) != len(ids) or len(ids) != len(list(sample_ids)):
        raise ValidationError({"samples": [_("Choose the reference samples of this person the laboratory used.")]})
    report = KinshipReport(identification=identification)
    if likelihood_ratio in (None, "") and probability in (None, ""):
        raise ValidationError({"likelihood_ratio": [_("Enter the likelihood ratio or the probability.")]})
    report = save_with_history(actor, report, {
        "laboratory": laboratory, "report_reference": report_reference, "reported_on": reported_on,
        "likelihood_ratio": likelihood_ratio if likelihood_ratio not in ("",) else None,
        "probability": probability if probability not in ("",) else None,
    }, action="identification.kinship_report", object_type="kinship_report",
        details={"identification": identification.pk}, request=request)
    report.samples.set(samples)
    return report


@transaction.atomic
def propose_identification(actor, identification_id, *, reasoning: str = "", request=None) -> Identification:
    """Pending -> preliminary: the forensic expert proposes it for a registrar's confirmation. A DNA
    identification needs a kinship report first."""
    require(actor, CHANGE)
    identification = _identification(identification_id)
    if identification.state != IdentificationState.PENDING:
        raise ValidationError(_("Only a pending identification can be proposed."))
    if identification.method == Method.DNA and not identification.kinship_reports.exists():
        raise ValidationError(_("Add the laboratory's kinship match report before proposing a DNA identification."))
    values = {"state": IdentificationState.PRELIMINARY, "proposed_by": user_of(actor)}
    if reasoning.strip():
        values["reasoning"] = reasoning
    return save_with_history(actor, identification, values, action="identification.propose",
                             object_type="identification", request=request)


@transaction.atomic
def exclude_identification(actor, identification_id, *, reasoning: str, request=None) -> Identification:
    """The remains are not this person (a kinship test excluded them, a contradiction was found)."""
    require(actor, CHANGE)
    identification = _identification(identification_id)
    if identification.state not in OPEN_STATES:
        raise ValidationError(_("This identification is closed."))
    if not (reasoning or "").strip():
        raise ValidationError({"reasoning": [_("Say why the person is excluded.")]})
    return save_with_history(actor, identification, {"state": IdentificationState.EXCLUDED,
                                                     "reasoning": reasoning},
                             action="identification.exclude", object_type="identification", request=request)


def confirmation_preview(identification: Identification) -> dict:
    """What the registrar sees before confirming, as plain data; its fingerprint is confirmed."""
    return {
        "identification": identification.pk, "state": identification.state, "method": identification.method,
        "remains": identification.remains.case_number, "person": identification.person_id,
        "person_status": identification.person.current_status, "proposed_by": identification.proposed_by_id,
        "reasoning": identification.reasoning,
        "reports": [[r.pk, r.laboratory, r.report_reference, r.reported_on, r.likelihood_ratio, r.probability,
                     sorted(r.samples.values_list("barcode", flat=True))]
                    for r in identification.kinship_reports.order_by("pk")],
        "date_of_death": death_date(identification),
    }


def confirmation_fingerprint(identification: Identification) -> str:
    return confirm.fingerprint(confirmation_preview(identification))


def death_date(identification: Identification):
    """The date the register records for the death: the date declared by the other side, else the
    date of the transfer (the latest the death can be)."""
    remains = identification.remains
    return remains.declared_date or remains.transfer.received_on


@transaction.atomic
def confirm_identification(actor, identification_id, *, fingerprint: str | None, request=None) -> Identification:
    """A registrar confirms a preliminary identification proposed by someone else, against the
    preview they saw (``fingerprint``). The person's death is written through the status model and
    the tasks that follow are created, telling the family in person first."""
    require(actor, CONFIRM)
    identification = _identification(identification_id)
    if identification.proposed_by_id == getattr(user_of(actor), "pk", None):
        raise PermissionDenied(_("The person who proposed an identification cannot confirm it: a second person "
                                 "must."))
    if identification.state != IdentificationState.PRELIMINARY:
        raise ValidationError(_("Only a proposed (preliminary) identification can be confirmed."))
    confirm.check(fingerprint, confirmation_fingerprint(identification))
    others = Identification.objects.filter(state=IdentificationState.CONFIRMED)
    if others.filter(remains=identification.remains_id).exists():
        raise ValidationError(_("These remains are identified already."))
    if others.filter(person=identification.person_id).exists():
        raise ValidationError(_("%(ref)s is identified already, with other remains.")
                              % {"ref": identification.person.reference})
    not_known_home(identification.person)  # the register may have learnt it since the proposal
    event = registry.add_status_event(
        actor, identification.person_id, status=Status.DECEASED, effective_date=death_date(identification),
        source_kind=SourceKind.IDENTIFIED_REMAINS,
        source_reference=f"{identification.remains.case_number} {identification}",
        managed_by=registry.MANAGED_BY_REMAINS, permission=CONFIRM, request=request)
    identification.state = IdentificationState.CONFIRMED
    identification.confirmed_by = user_of(actor)
    identification.confirmed_at = timezone.now()
    identification.death_event = event
    identification.save(update_fields=["state", "confirmed_by", "confirmed_at", "death_event"])
    Task.objects.bulk_create([Task(identification=identification, kind=kind, position=i)
                              for i, kind in enumerate(TASKS_AFTER_CONFIRMATION)])
    _log_identification(actor, identification, "identification.confirm",
         {"state": IdentificationState.CONFIRMED, "death_event": event.pk}, request=request)
    # the other open identifications of these remains and of this person are closed by it
    others = Identification.objects.select_for_update().filter(
        Q(remains=identification.remains_id) | Q(person=identification.person_id), state__in=OPEN_STATES)
    for other in others:
        other.state = IdentificationState.EXCLUDED
        other.save(update_fields=["state"])
        _log_identification(actor, other, "identification.exclude", {"state": IdentificationState.EXCLUDED,
                                                      "by_confirmation_of": identification.pk}, request=request)
    return identification


@transaction.atomic
def complete_task(actor, task_id, *, outcome: str, happened_on=None, recipient: str = "", place: str = "",
                  request=None) -> Task:
    """Record a task done, by someone in contact with families (``families.tell_family``: a
    registrar or a case worker); telling the family in person comes first, every task waits for it.
    The hand-over names the day and the family member who received the remains; the burial its day
    and place. Telling the family makes the death benefit arise (payments); telling them of a
    reversal lets the portal show the register again (families)."""
    task = Task.objects.select_for_update().select_related("identification").filter(pk=task_id).first() \
        if str(task_id or "").isdigit() else None
    if task is None:
        raise ValidationError(_("No such task."))
    require(actor, TELL)
    if task.state != TaskState.OPEN:
        raise ValidationError(_("This task is done already.") if task.state == TaskState.DONE
                              else _("This task was cancelled."))
    if task.kind != TaskKind.TELL_FAMILY and task.identification.tasks.filter(
            kind=TaskKind.TELL_FAMILY, state=TaskState.OPEN).exists():
        raise ValidationError(_("The family is told in person first."))
    values = {"state": TaskState.DONE, "outcome": outcome, "done_at": timezone.now(), "done_by": user_of(actor)}
    values.update(_task_facts(task, happened_on=happened_on, recipient=recipient, place=place))
    if not (outcome or "").strip():
        raise ValidationError({"outcome": [_("Describe the outcome.")]})
    identification = task.identification
    if task.kind == TaskKind.TELL_FAMILY:
        _record_told_in_person(actor, identification.person_id, request=request)
        _ask("payments", "death_benefit_arises", actor, person_id=identification.person_id,
             identification_id=identification.pk, death_event_id=identification.death_event_id, permission=TELL,
             request=request)
    elif task.kind == TaskKind.TELL_REVERSAL:
        _ask("families", "record_reversal_told", actor, identification.person_id, request=request)
    return save_with_history(actor, task, values, action="identification.task_done",
                             object_type="identification_task",
                             details={"identification": task.identification_id, "kind": task.kind},
                             request=request)


def _task_facts(task: Task, *, happened_on, recipient: str, place: str) -> dict:
    """The facts a hand-over (day, recipient) and a burial (day, place) must name; none for the others."""
    if task.kind not in (TaskKind.HAND_OVER, TaskKind.BURIAL):
        return {}
    errors: dict[str, list[str]] = {}
    day = happened_on
    if not isinstance(day, dt.date):
        try:
            day = dt.date.fromisoformat(str(happened_on or "").strip())
        except ValueError:
            errors["happened_on"] = [_("Enter a date as YYYY-MM-DD.")]
            day = None
    confirmed_on = timezone.localdate(task.identification.confirmed_at)
    if day is not None and day > timezone.localdate():
        errors["happened_on"] = [_("The date cannot be in the future.")]
    elif day is not None and day < confirmed_on:
        errors["happened_on"] = [_("The date is before the identification was confirmed (%(date)s).")
                                 % {"date": confirmed_on.isoformat()}]
    facts = {"happened_on": day}
    if task.kind == TaskKind.HAND_OVER:
        if not (recipient or "").strip():
            errors["recipient"] = [_("Name the family member who received the remains.")]
        facts["recipient"] = recipient
    else:
        if not (place or "").strip():
            errors["place"] = [_("Enter the place of burial.")]
        facts["place"] = place
    if errors:
        raise ValidationError(errors)
    return facts


def _ask(app_label: str, method: str, *args, **kwargs):
    """Ask an app of the same layer by name (no import either way); nothing when it is not installed."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.label == app_label:
            return getattr(config, method)(*args, **kwargs)
    return None


def _record_told_in_person(actor, person_id: int, *, request=None) -> None:
    """The families app keeps what each family was told (its inquiries); it is asked by name, as
    apps of one layer do (no import either way): every family that asked about the person is now
    recorded as told in person of the death."""
    from django.apps import apps

    if apps.is_installed("homecoming.families"):
        apps.get_app_config("families").record_death_told(actor, person_id, request=request)
