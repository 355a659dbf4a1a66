"""Length limits are stated once, on the model fields, and the services give them in the words they
always used ("At most N characters."), whichever app writes."""

from __future__ import annotations

from django.utils import translation

from homecoming.aftercare.models import Task
from homecoming.exchanges.models import Agreement
from homecoming.families.models import Inquiry
from homecoming.registry.limits import length_errors, max_length
from homecoming.registry.models import AlternativeName


def test_a_value_longer_than_its_field_is_named_with_the_limit():
    with translation.override("en"):
        assert length_errors(AlternativeName, {"last_name": "x" * 101, "first_name": "x" * 100}) == {
            "last_name": ["At most 100 characters."]}
        assert length_errors(Agreement, {"notes": "x" * 10001}) == {"notes": ["At most 10000 characters."]}
    with translation.override("uk"):
        assert length_errors(AlternativeName, {"source": "x" * 201}) == {"source": ["Не більше 200 символів."]}


def test_text_fields_state_their_limits_too():
    assert (max_length(Agreement, "notes"), max_length(Task, "outcome"), max_length(Inquiry, "circumstances")) == (
        10000, 5000, 2000)
    assert length_errors(Task, {"outcome": "x" * 5000}) == {}
