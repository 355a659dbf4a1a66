"""The append-only, hash-chained audit log.

Every event stores the hash of the one before it and its own hash over its content and that
previous hash. Changing or deleting any row breaks the chain at that point, which
``homecoming audit verify`` reports. ``AuditHead`` holds the hash of the newest event, written
in the same transaction, so that removing events from the end is detected too.

Rows are written only by :func:`homecoming.audit.services.record` (one event) and
:func:`~homecoming.audit.services.record_many` (many, the same chain); the model refuses updates
and deletes through the ORM.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # the log outlives any account; the name is kept in actor_name
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    #: HMAC-SHA256 of ``hash`` under the audit key, which the database never holds (anchor.py)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        permissions = [("view_audit_log", "Can read the audit log")]
        indexes = [models.Index(fields=["object_type", "object_id", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id} by {self.actor_name or '-'}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_append", False):
            raise AppendOnlyError("Audit events are never changed.")
        kwargs.pop("_append", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are never deleted.")


class AuditHead(models.Model):
    """One row: the newest event's id and hash, moved forward with every event."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_event_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)  # events in the chain

    class Meta:
        verbose_name = _("audit chain head")
