"""The forensic records: every limit on the model, history appended, refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from homecoming.audit.models import AuditEvent
from homecoming.remains import services
from homecoming.remains.models import (
    AnteMortemRecord,
    Change,
    Effect,
    Mark,
    ReferenceSample,
    Remains,
    Transfer,
)

pytestmark = pytest.mark.django_db


def test_a_transfer_counts_its_discrepancy_and_needs_it_explained(expert):
    with pytest.raises(ValidationError) as err:
        services.record_transfer(expert, received_on=dt.date(2025, 6, 14), place="Crossing",
                                 declared_count=1000, received_count=998)
    assert "discrepancy_note" in err.value.message_dict
    assert not Transfer.objects.exists() and not Change.objects.exists()
    transfer = services.record_transfer(expert, received_on=dt.date(2025, 6, 14), place="Crossing",
                                        declared_count=1000, received_count=998,
                                        discrepancy_note="Two bags held back for a second count")
    assert transfer.discrepancy == 2
    assert Change.objects.get(object_type="remains_transfer").changes["declared_count"] == 1000


def test_only_a_forensic_expert_records(make_user):
    for role in ("registrar", "case_worker", "analyst"):
        with pytest.raises(PermissionDenied):
            services.record_transfer(make_user(role), received_on=dt.date(2025, 6, 14), place="X",
                                     declared_count=1, received_count=1)
    assert not Transfer.objects.exists()


def test_case_numbers_are_made_per_transfer_and_never_exceed_what_arrived(expert, transfer):
    numbers = [services.record_remains(expert, transfer.pk).case_number for _ in range(3)]
    assert numbers == [f"{transfer.reference}-000{i}" for i in (1, 2, 3)]
    with pytest.raises(ValidationError, match="recorded already"):
        services.record_remains(expert, transfer.pk)
    assert Remains.objects.count() == 3
    with pytest.raises(ValidationError, match="recorded already"):
        services.update_transfer(expert, transfer.pk, received_count=2, declared_count=2)


@pytest.mark.parametrize("values, field", [
    ({"age_min": 40, "age_max": 30}, "__all__"),
    ({"age_max": 300}, "age_max"),
    ({"height_min_cm": 50}, "height_min_cm"),
    ({"hair": "purple"}, "hair"),
    ({"sex": "x"}, "sex"),
    ({"other_side_label": "x" * 101}, "other_side_label"),
    ({"dental_notes": "x" * 2001}, "dental_notes"),
])
def test_post_mortem_limits_are_the_models(expert, transfer, values, field):
    with pytest.raises(ValidationError) as err:
        services.record_remains(expert, transfer.pk, **values)
    assert field in err.value.message_dict
    assert not Remains.objects.exists()


def test_post_mortem_changes_are_appended_to_the_history(expert, remains):
    services.update_remains(expert, remains.pk, age_min=30, storage_place="Synthetic morgue, drawer 4")
    history = list(Change.objects.filter(object_type="remains", object_id=remains.pk))
    assert [c.action for c in history] == ["remains.record", "remains.update"]
    assert history[1].changes["age_min"] == [25, 30]
    event = AuditEvent.objects.filter(action="remains.update").get()
    assert "Synthetic morgue" not in str(event.details)  # the audit names fields, not values


def test_marks_belong_to_one_record_and_use_the_fixed_lists(expert, remains, make_person):
    mark = services.add_mark(expert, remains_id=remains.pk, kind="tattoo", location="left_arm",
                             description="anchor")
    assert mark.remains_id == remains.pk and mark.ante_mortem_id is None
    with pytest.raises(ValidationError) as err:
        services.add_mark(expert, remains_id=remains.pk, kind="tattoo", location="left_elbow_tip")
    assert "location" in err.value.message_dict
    person = make_person()
    am = services.record_ante_mortem(expert, person.pk, source="family", collected_on=dt.date(2025, 1, 5),
                                     height_min_cm=178, height_max_cm=182, hair="brown")
    services.add_mark(expert, ante_mortem_id=am.pk, kind="tattoo", location="left_arm")
    assert Mark.objects.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Mark.objects.create(remains=remains, ante_mortem=am, kind="scar", location="face")


def test_effects_keep_the_name_as_found(expert, remains):
    effect = services.add_effect(expert, remains.pk, kind="military_id", description="Tag",
                                 name_as_found="Петренко Александр Николаевич")
    assert Effect.objects.get(pk=effect.pk).name_as_found == "Петренко Александр Николаевич"


def test_ante_mortem_is_one_per_person_with_history(expert, make_person):
    person = make_person()
    services.record_ante_mortem(expert, person.pk, source="family", collected_on=dt.date(2025, 1, 5), hair="blond")
    services.record_ante_mortem(expert, person.pk, hair="grey", source_detail="mother")
    assert AnteMortemRecord.objects.get(person=person).hair == "grey"
    assert Change.objects.filter(object_type="ante_mortem").count() == 2
    with pytest.raises(ValidationError):
        services.record_ante_mortem(expert, 999999, source="family", collected_on=dt.date(2025, 1, 5))


def _sample(expert, person, **over):
    values = {"donor_name": "Synthetic Donor", "relationship": "mother", "consent_purpose": "identification",
              "consent_on": dt.date(2025, 2, 1), "barcode": "UA-000001", "laboratory": "Synthetic lab",
              "collected_on": dt.date(2025, 2, 1)}
    return services.add_reference_sample(expert, person.pk, **{**values, **over})


def test_reference_samples_barcode_unique_and_dates_in_order(expert, make_person):
    person = make_person()
    _sample(expert, person, barcode="ua-000001")
    assert ReferenceSample.objects.get().barcode == "UA-000001"
    with pytest.raises(ValidationError) as err:
        _sample(expert, person, barcode="UA-000001", relationship="father")
    assert "barcode" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _sample(expert, person, barcode="UA-000002", collected_on=dt.date(2025, 1, 1))
    assert "collected_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _sample(expert, person, barcode="UA-000003", relationship="cousin")
    assert "relationship" in err.value.message_dict
    assert ReferenceSample.objects.count() == 1
    sample = ReferenceSample.objects.get()
    with pytest.raises(ValidationError) as err:
        services.update_reference_sample(expert, sample.pk, state="profiled")
    assert "result_on" in err.value.message_dict
    assert ReferenceSample.objects.get().state == "collected"
