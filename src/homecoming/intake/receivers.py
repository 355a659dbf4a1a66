"""Receivers of the register's signals."""

from __future__ import annotations


def repoint_rows_after_merge(sender, merge, survivor, duplicate, **kwargs) -> None:
    """List rows linked to a record that was merged now point at the surviving record."""
    from .models import ListRow

    ListRow.objects.filter(person=duplicate).update(person=survivor)


def repoint_rows_after_merge_undo(sender, merge, survivor, duplicate, **kwargs) -> None:
    """The undo of a merge moved the duplicate's status events back: a decided row names the record
    that holds the event its decision wrote (accept and create both wrote one), so the rows the
    merge moved go back with their events."""
    from .models import ListRow

    ListRow.objects.filter(person=survivor, status_event__person=duplicate).update(person=duplicate)
