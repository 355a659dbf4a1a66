"""What every exchanges service needs: the permissions, the actor check, dates from forms.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from homecoming.common.actors import user_of as _user  # noqa: F401 (used by the services)
from homecoming.common.permissions import require_all as _require  # noqa: F401 (used by the services)

VIEW_AGREEMENT = "exchanges.view_agreement"
CHANGE_AGREEMENT = "exchanges.change_agreement"
VIEW_EXCHANGE = "exchanges.view_exchange"
CHANGE_EXCHANGE = "exchanges.change_exchange"
RECONCILE = "exchanges.reconcile_exchange"


def _date(value, field: str, errors: dict, *, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
        return None
