"""The reports app stores nothing: this unmanaged model only carries its permissions."""

from __future__ import annotations

from django.db import models


class Report(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", "Can see the dashboard and the exchange reports (aggregates)")]
