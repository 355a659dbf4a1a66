"""Digits that are not ASCII digits ("²", "١") where a number is expected: a clear refusal,
never a crash (int("²") raises although "²".isdigit() is true), and nothing written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from homecoming.registry import services
from homecoming.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["²", "١٢", "１"])
def test_reference_data_given_as_other_digits_is_refused(registrar, value):
    with pytest.raises(ValidationError) as exc:
        services.create_person(registrar, {"last_name": "Петренко", "first_name": "Іван", "branch": value})
    assert "branch" in exc.value.message_dict
    assert not Person.objects.exists()


def test_tax_number_in_other_digits_is_refused(registrar):
    with pytest.raises(ValidationError) as exc:
        services.create_person(registrar, {"last_name": "Петренко", "first_name": "Іван",
                                           "tax_number": "١٢٣٤٥٦٧٨٩٠"})
    assert exc.value.message_dict["tax_number"] == ["A tax number has exactly 10 digits."]
    assert not Person.objects.exists()
