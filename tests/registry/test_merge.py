"""Merge two records of one person, and undo: events, names, keys and references move and come back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from homecoming.audit.models import AuditEvent
from homecoming.audit.services import verify_chain
from homecoming.registry import services
from homecoming.registry.models import AlternativeName, Person, PersonNameKey, StatusEvent
from homecoming.registry.selectors import person_by_reference, search_persons, status_is_consistent

pytestmark = pytest.mark.django_db


def snapshot(person):
    person.refresh_from_db()
    return {
        "events": sorted(person.status_events.values_list("pk", flat=True)),
        "names": sorted(person.alternative_names.values_list("pk", flat=True)),
        "keys": sorted(PersonNameKey.objects.filter(person=person).values_list("key", flat=True)),
        "status": (person.current_status, person.current_status_date),
        "fields": (person.service_number, person.unit, person.branch_id),
        "merged_into": person.merged_into_id,
    }


@pytest.fixture
def pair(registrar, make_person):
    keep = make_person("Бондаренко", "Андрій", "Вікторович", birth_date=dt.date(1993, 7, 14),
                       status_date=dt.date(2022, 3, 20))
    dup = make_person("Бондаренко", "Андрей", "Викторович", birth_date=dt.date(1993, 7, 14),
                      service_number="АА-TEST-1", status="captivity_confirmed", status_date=dt.date(2022, 8, 1))
    services.add_alternative_name(registrar, dup.pk, last_name="Bondarenko", first_name="Andrei", script="latin",
                                  source="ICRC")
    return keep, dup


def test_merge_moves_everything_and_undo_puts_it_back(registrar, pair):
    keep, dup = pair
    before_keep, before_dup = snapshot(keep), snapshot(dup)
    merge = services.merge_persons(registrar, keep.pk, dup.pk)
    after_keep, after_dup = snapshot(keep), snapshot(dup)
    assert set(after_keep["events"]) == set(before_keep["events"]) | set(before_dup["events"])
    assert after_dup["events"] == [] and after_dup["keys"] == [] and after_dup["merged_into"] == keep.pk
    assert set(before_dup["names"]) < set(after_keep["names"])  # moved, plus the duplicate's own name
    assert AlternativeName.objects.filter(person=keep, first_name="Андрей").exists()
    assert after_keep["fields"][0] == "АА-TEST-1"  # empty field filled
    assert after_keep["status"] == ("captivity_confirmed", dt.date(2022, 8, 1))
    assert person_by_reference(dup.reference) == keep
    assert list(search_persons("Bondarenko Andrei")) == [keep]
    assert status_is_consistent(keep)

    services.undo_merge(registrar, merge.pk)
    assert snapshot(keep) == before_keep
    assert snapshot(dup) == before_dup
    assert person_by_reference(dup.reference) == dup
    assert set(search_persons("Bondarenko Andrei")) == {keep, dup}  # the same name in two spellings
    assert verify_chain() is None
    actions = list(AuditEvent.objects.filter(action__startswith="person.merge").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["person.merge", "person.merge_undo"]
    with pytest.raises(ValidationError):
        services.undo_merge(registrar, merge.pk)


def test_merge_refusals_change_nothing(registrar, make_user, pair, make_person):
    keep, dup = pair
    enemy = make_person("Бондаренко", "Андрей", side="enemy", status="held")
    analyst = make_user("analyst")
    state = (snapshot(keep), snapshot(dup), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied):
        services.merge_persons(analyst, keep.pk, dup.pk)
    for a, b in [(keep.pk, keep.pk), (keep.pk, enemy.pk), (keep.pk, 999999)]:
        with pytest.raises(ValidationError):
            services.merge_persons(registrar, a, b)
    assert (snapshot(keep), snapshot(dup), AuditEvent.objects.count()) == state


def test_merged_record_refuses_edits_and_events(registrar, pair):
    keep, dup = pair
    services.merge_persons(registrar, keep.pk, dup.pk)
    dup.refresh_from_db()
    with pytest.raises(ValidationError):
        services.update_person(registrar, dup.pk, version=dup.version, changes={"unit": "x"})
    with pytest.raises(ValidationError):
        services.add_status_event(registrar, dup.pk, status="found", effective_date="2024-01-01",
                                  source_kind="icrc")
    assert StatusEvent.objects.filter(person=dup).count() == 0


def test_merge_and_undo_through_the_pages(client_for, pair):
    keep, dup = pair
    c = client_for("registrar")
    url = reverse("registry:merge", args=[keep.pk])
    page = c.get(url).content.decode()
    assert dup.reference in page  # proposed as a likely duplicate
    page = c.get(url, {"other": dup.reference}).content.decode()
    assert 'id="merge-compare"' in page and "АА-TEST-1" in page
    fingerprint = re.search(r'name="confirm" value="(\w+)"', page).group(1)
    bad = c.post(url, {"other": "HC-999999", "confirm": fingerprint})
    assert bad.status_code == 409 and "error-summary" in bad.content.decode()
    assert c.post(url, {"other": dup.reference}).status_code == 409  # no fingerprint: never merged unseen
    assert Person.objects.get(pk=dup.pk).merged_into_id is None
    response = c.post(url, {"other": dup.reference, "confirm": fingerprint})
    assert response.status_code == 302
    assert Person.objects.get(pk=dup.pk).merged_into_id == keep.pk
    merge = keep.merges_in.get()
    html = c.get(reverse("registry:person_detail", args=[keep.pk])).content.decode()
    assert f'id="undo-merge-{merge.pk}"' in html
    assert client_for("analyst").post(reverse("registry:merge_undo", args=[merge.pk])).status_code == 403
    response = c.post(reverse("registry:merge_undo", args=[merge.pk]))
    assert response.status_code == 302
    assert Person.objects.get(pk=dup.pk).merged_into_id is None
    assert verify_chain() is None


def test_a_russian_spelling_is_kept_as_a_russian_alternative_name(registrar, pair):
    keep, dup = pair  # Бондаренко Андрей Викторович: no ы э ё ъ, but a Russian first name and patronymic
    services.merge_persons(registrar, keep.pk, dup.pk)
    alt = AlternativeName.objects.get(person=keep, first_name="Андрей")
    assert (alt.patronymic, alt.script) == ("Викторович", "ru")


def test_every_differing_value_is_chosen_and_the_other_kept_in_history(registrar, make_person):
    keep = make_person("Гнатюк", "Петро", "", unit="в/ч А1111", incident_place="Маріуполь")
    dup = make_person("Hnatiuk", "Petro", "", unit="в/ч А2222", incident_place="Мариуполь", service_number="СН-1")
    keep.refresh_from_db()
    assert services.merge_conflicts(keep, dup) == ["name", "unit", "incident_place"]
    with pytest.raises(ValidationError, match="Nothing to choose for: sex"):
        services.merge_persons(registrar, keep.pk, dup.pk, keep={"sex": "duplicate"})
    merge = services.merge_persons(registrar, keep.pk, dup.pk, keep={"unit": "duplicate", "name": "survivor"},
                                   confirm=services.merge_fingerprint(keep, dup))
    keep.refresh_from_db()
    assert (keep.unit, keep.incident_place, keep.service_number) == ("в/ч А2222", "Маріуполь", "СН-1")
    history = {(c.field, c.reason): (c.old_value, c.new_value) for c in keep.field_changes.all()}
    assert history[("unit", "merge")] == ("в/ч А1111", "в/ч А2222")  # the kept record's own value, replaced
    assert history[("incident_place", "merge_other")] == ("Мариуполь", "Маріуполь")  # the other, not kept
    assert AlternativeName.objects.get(person=keep, first_name="Petro").script == "latin"
    services.undo_merge(registrar, merge.pk)
    keep.refresh_from_db()
    assert (keep.unit, keep.incident_place, keep.service_number) == ("в/ч А1111", "Маріуполь", "")
    assert not AlternativeName.objects.filter(person=keep, first_name="Petro").exists()


def test_a_merge_of_records_changed_since_the_comparison_is_refused(registrar, pair):
    keep, dup = pair
    seen = services.merge_fingerprint(keep, dup)
    services.update_person(registrar, dup.pk, version=dup.version, changes={"unit": "в/ч А3333"})
    with pytest.raises(ValidationError, match="changed since you looked"):
        services.merge_persons(registrar, keep.pk, dup.pk, confirm=seen)
    assert Person.objects.get(pk=dup.pk).merged_into_id is None

