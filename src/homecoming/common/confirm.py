"""Irreversible steps are confirmed against what the person saw.

A page that previews an irreversible step (reconcile a stage, publish a communiqué, approve or
pay a batch, merge two records) shows the exact outcome and carries a *fingerprint* of it in the
confirming form. The service recomputes the fingerprint inside its transaction and refuses with
:class:`ChangedSincePreview` when they differ: a crossing recorded in another tab, a line added
to the batch, a field edited a moment ago. The person then sees the new preview, never a result
they did not see. A click without a fingerprint is refused the same way, so a forged or
double-submitted form cannot skip the preview.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def fingerprint(value) -> str:
    """A short, stable digest of plain data (dicts, lists, strings, numbers, dates, Decimals)."""
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class ChangedSincePreview(ValidationError):
    """What would be done is no longer what the person saw: nothing was changed."""

    def __init__(self, message: str | None = None):
        super().__init__(message or _("This changed since you looked at it (perhaps in another tab or by a "
                                      "colleague). Nothing was done: check the new preview and confirm again."),
                         code="changed_since_preview")


def check(expected: str | None, actual: str) -> None:
    """Refuse unless the confirmed fingerprint is the current one."""
    if not expected or expected != actual:
        raise ChangedSincePreview()
