"""Merging a duplicate record into the one that survives, and undoing it. Other apps follow
through the ``person_merged``/``person_merge_undone`` signals (and may refuse by raising).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.audit.services import record

from .. import lifecycle
from ..models import (
    AlternativeName,
    FieldChange,
    MedicalCategory,
    Merge,
    Person,
    PersonNameKey,
    Script,
    Sex,
    Status,
    StatusEvent,
)
from .fields import ALL_FIELDS, NAME_FIELDS, _as_text, _from_text, _require, _validate
from .history import refresh_current_status
from .persons import rebuild_name_keys

# Sent after a merge and after its undo, so that other apps can re-point their own rows.
person_merged = Signal()  # kwargs: merge, survivor, duplicate
person_merge_undone = Signal()  # kwargs: merge, survivor, duplicate


def follow_merges(app_label: str, follow, undo) -> None:
    """An app whose records hang on persons follows every merge and its undo:
    ``follow(merge, survivor, duplicate)`` and ``undo(merge, survivor, duplicate)`` run inside the
    merge's transaction, so raising refuses the merge (or its undo)."""
    person_merged.connect(lambda sender, merge, survivor, duplicate, **kw: follow(merge, survivor, duplicate),
                          dispatch_uid=f"{app_label}.person_merged", weak=False)
    person_merge_undone.connect(lambda sender, merge, survivor, duplicate, **kw: undo(merge, survivor, duplicate),
                                dispatch_uid=f"{app_label}.person_merge_undone", weak=False)

MERGE_FILL_FIELDS = tuple(f for f in ALL_FIELDS if f not in ("side", "last_name", "first_name"))
#: names.name_language -> the script an alternative name is labelled with
SCRIPT_OF_LANGUAGE = {"uk": Script.UKRAINIAN, "ru": Script.RUSSIAN, "latin": Script.LATIN}


def _empty(person: Person, field: str) -> bool:
    value = getattr(person, Person._meta.get_field(field).attname)
    return value in (None, "") or (field == "medical_category" and value == MedicalCategory.NONE) or (
        field in ("sex",) and value == Sex.UNKNOWN)


def merge_conflicts(survivor: Person, duplicate: Person) -> list[str]:
    """The fields where both records hold a value and the values differ: a person chooses which
    one the kept record holds (the name counts as one field, ``name``)."""
    out = []
    if (survivor.last_name, survivor.first_name) != (duplicate.last_name, duplicate.first_name) or (
            survivor.patronymic and duplicate.patronymic and survivor.patronymic != duplicate.patronymic):
        out.append("name")  # an empty patronymic is filled like any empty field
    out += [f for f in MERGE_FILL_FIELDS if f not in NAME_FIELDS and not _empty(survivor, f)
            and not _empty(duplicate, f) and _as_text(survivor, f) != _as_text(duplicate, f)]
    return out


def merge_fingerprint(survivor: Person, duplicate: Person) -> str:
    """What the person who merges saw: both records at their versions (common.confirm)."""
    from homecoming.common.confirm import fingerprint

    return fingerprint([(p.pk, p.version, p.merged_into_id, sorted(
        p.status_events.values_list("pk", flat=True))) for p in (survivor, duplicate)])


def _name_script(last: str, first: str, patronymic: str) -> str:
    from homecoming.names.language import name_language

    return SCRIPT_OF_LANGUAGE.get(name_language(last, first, patronymic), Script.OTHER)


def _lock_pair(survivor_id, duplicate_id) -> tuple[Person, Person]:
    """Both records, locked, after the checks that need nothing but the two rows."""
    if str(survivor_id) == str(duplicate_id):
        raise ValidationError(_("A record cannot be merged with itself."))
    # rows locked in one order (by id), so that two crossed merges queue instead of deadlocking
    persons = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor_id, duplicate_id])
               .order_by("pk")}
    survivor, duplicate = persons.get(int(survivor_id)), persons.get(int(duplicate_id))
    if survivor is None or duplicate is None:
        raise ValidationError(_("Both records must exist."))
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise ValidationError(_("One of these records has already been merged into another."))
    if survivor.side != duplicate.side:
        raise ValidationError(_("Records of different sides cannot be the same person."))
    return survivor, duplicate


def _check_histories(survivor: Person, duplicate: Person) -> None:
    """Refuse when the two status histories together break the status model."""
    combined = list(survivor.status_events.all()) + list(duplicate.status_events.all())
    clashes = lifecycle.broken_transitions(survivor.side, combined)
    if clashes:
        raise ValidationError(_("The two histories contradict each other (%(events)s): correct the wrong event "
                                "first, then merge.") % {"events": "; ".join(
                                    f"{Status(e.status).label} {e.effective_date.isoformat()}" for e in clashes)})


def _fold(survivor: Person, duplicate: Person, conflicts: list[str], keep: dict[str, str], user):
    """Set the survivor's fields from the duplicate where empty or chosen (``keep``); the name not
    kept becomes an alternative name. Returns (changed, kept_over, created alternative names):
    changed is field -> [survivor's old value, new value] (undone by undo_merge), kept_over is
    field -> [the value not kept, the value kept] (left in the edit history)."""
    changed: dict[str, list[str]] = {}

    def take(field: str) -> None:
        attname = Person._meta.get_field(field).attname
        changed[field] = [_as_text(survivor, field), _as_text(duplicate, field)]
        setattr(survivor, attname, getattr(duplicate, attname))

    other_name = (duplicate.last_name, duplicate.first_name, duplicate.patronymic)
    if keep.get("name") == "duplicate":
        other_name = (survivor.last_name, survivor.first_name, survivor.patronymic)
        for field in NAME_FIELDS:
            if _as_text(survivor, field) != _as_text(duplicate, field):
                take(field)
    created_alts = []
    if "name" in conflicts:
        created_alts.append(AlternativeName.objects.create(
            person=survivor, last_name=other_name[0], first_name=other_name[1], patronymic=other_name[2],
            script=_name_script(*other_name), source=_("merged record %(ref)s") % {"ref": duplicate.reference},
            created_by=user).pk)
    kept_over: dict[str, list[str]] = {}
    for field in MERGE_FILL_FIELDS:
        if field == "patronymic" and "name" in conflicts:
            continue  # part of the name, chosen above
        if _empty(survivor, field) and not _empty(duplicate, field):
            take(field)
        elif field in conflicts:
            if keep.get(field) == "duplicate":
                kept_over[field] = [_as_text(survivor, field), _as_text(duplicate, field)]
                take(field)
            else:
                kept_over[field] = [_as_text(duplicate, field), _as_text(survivor, field)]
    return changed, kept_over, created_alts


def _save_both(survivor, duplicate, *, merged_into) -> None:
    """A merge and its undo end alike: both records get a new version; the duplicate points at
    the survivor (merged) or at nobody (undone)."""
    survivor.version += 1
    survivor.save()
    duplicate.merged_into = merged_into
    duplicate.version += 1
    duplicate.save(update_fields=["merged_into", "version", "updated_at"])


@transaction.atomic
def merge_persons(actor, survivor_id: int, duplicate_id: int, *, keep: dict[str, str] | None = None,
                  confirm: str | None = None, request=None) -> Merge:
    """Fold ``duplicate`` into ``survivor``: its status events and alternative names move, empty
    survivor fields are filled from it, and it leaves the register (``merged_into``).

    Where both hold different values (:func:`merge_conflicts`), ``keep`` says per field which
    one the survivor holds: ``"survivor"`` (the default) or ``"duplicate"``. Nothing is lost: a
    name not kept becomes an alternative name labelled with its own script (names.name_language:
    a Russian rendering is "Russian", not "Ukrainian"); any other value not kept stays in the edit
    history (reason ``merge_other``). ``confirm``: the fingerprint the person saw
    (:func:`merge_fingerprint`). Refused when the two histories together contradict the status
    model, and when another app cannot follow (its ``person_merged`` receiver raises: both on one
    stage's list, payments recorded on the duplicate). Undo with :func:`undo_merge`."""
    from homecoming.common.confirm import check

    _require(actor, "registry.merge_person")
    survivor, duplicate = _lock_pair(survivor_id, duplicate_id)
    if confirm is not None:
        check(confirm, merge_fingerprint(survivor, duplicate))
    conflicts = merge_conflicts(survivor, duplicate)
    keep = dict(keep or {})
    bad = sorted(f for f, side in keep.items() if f not in conflicts or side not in ("survivor", "duplicate"))
    if bad:
        raise ValidationError({"keep": [_("Nothing to choose for: %(fields)s.") % {"fields": ", ".join(bad)}]})
    user = actor if getattr(actor, "is_authenticated", False) else None
    event_ids = list(duplicate.status_events.values_list("pk", flat=True))
    alt_ids = list(duplicate.alternative_names.values_list("pk", flat=True))
    _check_histories(survivor, duplicate)
    StatusEvent.objects.filter(pk__in=event_ids).update(person=survivor)
    AlternativeName.objects.filter(pk__in=alt_ids).update(person=survivor)
    changed, kept_over, created_alts = _fold(survivor, duplicate, conflicts, keep, user)
    if changed:
        _validate(survivor)
    _save_both(survivor, duplicate, merged_into=survivor)
    FieldChange.objects.bulk_create([
        FieldChange(person=survivor, field=f, old_value=old, new_value=new, version=survivor.version,
                    reason="merge", changed_by=user)
        for f, (old, new) in changed.items()
    ] + [
        FieldChange(person=survivor, field=f, old_value=other, new_value=kept, version=survivor.version,
                    reason="merge_other", changed_by=user)
        for f, (other, kept) in kept_over.items() if f not in changed
    ])
    merge = Merge.objects.create(
        survivor=survivor, duplicate=duplicate, merged_by=user,
        moved={"events": event_ids, "alternative_names": alt_ids, "created_alternative_names": created_alts,
               "filled": changed, "kept_over": kept_over, "keep": keep},
    )
    rebuild_name_keys(survivor)
    PersonNameKey.objects.filter(person=duplicate).delete()
    refresh_current_status(survivor)
    refresh_current_status(duplicate)
    record(actor, "person.merge", object_type="person", object_id=survivor.pk,
           details={"merge": merge.pk, "survivor": survivor.reference, "duplicate": duplicate.reference,
                    "events": len(event_ids), "alternative_names": len(alt_ids), "filled": sorted(changed),
                    "kept_over": sorted(kept_over)},
           request=request)
    person_merged.send(sender=Merge, merge=merge, survivor=survivor, duplicate=duplicate)
    return merge


@transaction.atomic
def undo_merge(actor, merge_id: int, *, request=None) -> Merge:
    """Put everything a merge moved back where it was. Fields filled by the merge get their old
    (empty) value back unless someone has changed them since."""
    _require(actor, "registry.merge_person")
    merge = Merge.objects.select_for_update().filter(pk=merge_id).first()
    if merge is None:
        raise ValidationError(_("No such merge."))
    if merge.undone_at:
        raise ValidationError(_("This merge has already been undone."))
    persons = {p.pk: p for p in Person.objects.select_for_update().filter(
        pk__in=[merge.survivor_id, merge.duplicate_id]).order_by("pk")}
    survivor, duplicate = persons[merge.survivor_id], persons[merge.duplicate_id]
    if survivor.merged_into_id:
        raise ValidationError(_("The surviving record has since been merged into %(ref)s: undo that merge first.")
                              % {"ref": survivor.merged_into.reference})
    user = actor if getattr(actor, "is_authenticated", False) else None
    moved = merge.moved
    StatusEvent.objects.filter(pk__in=moved.get("events", [])).update(person=duplicate)
    AlternativeName.objects.filter(pk__in=moved.get("alternative_names", [])).update(person=duplicate)
    created = moved.get("created_alternative_names") or (
        [moved["created_alternative_name"]] if moved.get("created_alternative_name") else [])
    AlternativeName.objects.filter(pk__in=created).delete()
    restored = {}
    for field, (old, new) in moved.get("filled", {}).items():
        if _as_text(survivor, field) == new:
            setattr(survivor, field, _from_text(field, old))
            restored[field] = [new, old]
    _save_both(survivor, duplicate, merged_into=None)
    FieldChange.objects.bulk_create([
        FieldChange(person=survivor, field=f, old_value=a, new_value=b, version=survivor.version,
                    reason="undo_merge", changed_by=user)
        for f, (a, b) in restored.items()
    ])
    merge.undone_at = timezone.now()
    merge.undone_by = user
    merge.save(update_fields=["undone_at", "undone_by"])
    rebuild_name_keys(survivor)
    rebuild_name_keys(duplicate)
    refresh_current_status(survivor)
    refresh_current_status(duplicate)
    record(actor, "person.merge_undo", object_type="person", object_id=survivor.pk,
           details={"merge": merge.pk, "survivor": survivor.reference, "duplicate": duplicate.reference},
           request=request)
    person_merge_undone.send(sender=Merge, merge=merge, survivor=survivor, duplicate=duplicate)
    return merge
