"""A service's ``ValidationError`` shown on the form that sent the data.

Services validate and raise ``ValidationError`` keyed by field (or without a field); the page
puts each message beside its field, or above the form when the field is not on it, so that an
error names what to fix and the page stays the one the person filled in. The API turns the same
errors into JSON in its own handler (homecoming.core.api_errors).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


def apply_errors(form, exc: ValidationError) -> None:
    """Add the messages of ``exc`` to ``form``: per field where the form has the field, else to
    the form as a whole."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def message_of(exc: ValidationError) -> str:
    """All messages of ``exc`` as one line (a flash message after a button)."""
    return " ".join(exc.messages)


def flash_outcome(request, call, success: str) -> bool:
    """Run ``call`` (a service, for a button that posts and goes back to its page) and say on the
    next page how it went: the service's refusal, or ``success``. True when it took."""
    from django.contrib import messages

    try:
        call()
    except ValidationError as exc:
        messages.error(request, message_of(exc))
        return False
    messages.success(request, success)
    return True


def form_saved(request, form, call, success: str) -> bool:
    """Run ``call`` (the service that saves a valid ``form``): True, with ``success`` said on the
    next page, when it took; else False, with the service's errors on the form, to show it again."""
    from django.contrib import messages

    try:
        call()
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    messages.success(request, success)
    return True
