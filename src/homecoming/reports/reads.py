"""The audited reads of the reports pages: each page or download that shows persons, or the
figures of an exchange, writes its audit event here, never in the view (pages and the API alike).

Kept apart from reports/selectors.py, which computes the figures and knows nothing of who reads
them. ``request`` only gives the audit event the client's address.
"""

from __future__ import annotations

from homecoming.audit.services import record
from homecoming.common.collation import person_order
from homecoming.registry.selectors import page_of_persons


def figure_csv_read(actor, key: str, range_params: dict, *, request=None) -> None:
    """A figure downloaded as CSV (its numbers, small ones hidden unless the reader may drill)."""
    record(actor, "reports.csv_download", object_type="figure", object_id=key,
           details={"figure": key, **range_params}, request=request)


def persons_page_for_reading(actor, qs, number, per_page: int, params: dict, range_params: dict, *,
                             request=None):
    """One page of the persons behind a figure's cell, audited with the figure, its filters and
    the persons shown, like a page of the register."""
    page = page_of_persons(qs.order_by(*person_order()), number, per_page)
    record(actor, "reports.persons_view", object_type="figure", object_id=params.get("figure", ""),
           details={**params, **range_params, "persons": [p.pk for p in page.object_list]}, request=request)
    return page


def exchange_report_read(actor, exchange, *, request=None) -> None:
    """The report of one stage of an exchange."""
    record(actor, "reports.exchange_report_view", object_type="exchange", object_id=exchange.pk, request=request)


def agreement_report_read(actor, agreement, *, request=None) -> None:
    """The report of an agreement, over its stages."""
    record(actor, "reports.agreement_report_view", object_type="agreement", object_id=agreement.pk,
           request=request)
