"""Length limits, stated once: on the model fields (``max_length`` of a CharField, a
``MaxLengthValidator`` on a TextField). Services check a value against its field here before they
write, so that the person gets "At most N characters." for the field (the same words the services
always gave), not the database's refusal; forms and the API read the same field.

Only the length validators run here: the other rules of a field (names, free text, choices) are
checked by the services with their own messages. It lives in the register, the lowest app every
other app may import; it would belong in ``homecoming.common`` (which this change does not own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _


def at_most(n: int) -> str:
    return _("At most %(n)s characters.") % {"n": n}


def max_length(model, name: str) -> int:
    """The limit the model states for a field."""
    return next(v.limit_value for v in model._meta.get_field(name).validators if isinstance(v, MaxLengthValidator))


def length_errors(model, values: dict[str, Any], *, message: Callable[[int], str] = at_most) -> dict[str, list[str]]:
    """{field: [message]} for each value longer than its model field allows (empty when all fit).
    ``message(limit)`` words the error (families say it in their own context)."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if not isinstance(value, str) or not value:
            continue
        for validator in model._meta.get_field(name).validators:
            if isinstance(validator, MaxLengthValidator):
                try:
                    validator(value)
                except ValidationError:
                    errors.setdefault(name, []).append(message(validator.limit_value))
    return errors
