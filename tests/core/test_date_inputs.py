"""Every date a person picks on a staff form is the browser's date picker (issue 19: "date fields
are text here and pickers there"). A date known only in part (a family's date of birth) is
text on purpose and is left out."""

import pytest
from django import forms as django_forms

from homecoming.aftercare import forms as aftercare_forms
from homecoming.common.forms import DateInput
from homecoming.exchanges import forms as exchanges_forms
from homecoming.intake import forms as intake_forms
from homecoming.payments import forms as payments_forms
from homecoming.registry import forms as registry_forms

PARTIAL_DATES = {"birth_date"}  # "05.1990" is a valid answer: a text field with its help text
MODULES = [aftercare_forms, exchanges_forms, intake_forms, payments_forms, registry_forms]


def date_fields():
    for module in MODULES:
        for form in vars(module).values():
            if isinstance(form, type) and issubclass(form, django_forms.BaseForm):
                for name, field in form.base_fields.items():
                    looks_like_a_date = (isinstance(field, django_forms.DateField) or name.endswith(("_date", "_on"))
                                         or name in ("date", "valid_from"))
                    if looks_like_a_date and name not in PARTIAL_DATES:
                        yield pytest.param(field, id=f"{module.__name__}.{form.__name__}.{name}")


@pytest.mark.parametrize("field", list(date_fields()))
def test_a_date_is_picked_with_the_date_picker(field):
    assert isinstance(field.widget, DateInput)
    assert 'type="date"' in field.widget.render("d", "2025-06-09")
