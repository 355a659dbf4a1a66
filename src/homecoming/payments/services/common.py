"""What every payments service needs: the actor check and amounts and dates from forms.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from homecoming.common.actors import user_of as _user  # noqa: F401 (used by the services)
from homecoming.common.permissions import require_all as _require  # noqa: F401 (used by the services)

MAX_AMOUNT = Decimal("1000000000")


def _date(value, field: str, errors: dict) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
        return None


def _amount(value, field: str, errors: dict, *, positive: bool = True) -> Decimal | None:
    """UAH with at most two decimals (a comma is accepted as the decimal mark)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value or "").strip().replace(",", "."))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        errors.setdefault(field, []).append(_("Enter an amount in hryvnias, e.g. 12500.50."))
        return None
    if amount.as_tuple().exponent < -2:
        errors.setdefault(field, []).append(_("At most two decimal places (kopiyky)."))
        return None
    if (positive and amount <= 0) or amount < 0 or amount >= MAX_AMOUNT:
        errors.setdefault(field, []).append(_("Enter an amount greater than zero and below 1,000,000,000."))
        return None
    return amount
