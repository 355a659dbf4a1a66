"""Receivers of the register's signals."""

from __future__ import annotations


def repoint_rows_after_merge(sender, merge, survivor, duplicate, **kwargs) -> None:
    """List rows linked to a record that was merged now point at the surviving record."""
    from .models import ListRow

    ListRow.objects.filter(person=duplicate).update(person=survivor)
