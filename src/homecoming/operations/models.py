"""One piece of long work a person started: what, on what, by whom, how far, how it ended."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OperationState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("operation", "waiting for a worker")
    RUNNING = "running", pgettext_lazy("operation", "running")
    DONE = "done", pgettext_lazy("operation", "done")
    FAILED = "failed", pgettext_lazy("operation", "failed")
    CANCELLED = "cancelled", pgettext_lazy("operation", "cancelled")


ACTIVE = (OperationState.QUEUED, OperationState.RUNNING)


class Operation(models.Model):
    """Started by a service (``operations.services.start``), run by a worker
    (``operations.runner.run``) chunk by chunk, each chunk in its own transaction with the
    progress written in that same transaction: ``processed`` is always exactly what is done.

    At most one operation of a kind is active on a target (the constraint below): a double click
    or a second tab gets the running one instead of starting it twice."""

    kind = models.CharField(_("kind of work"), max_length=40)
    target_id = models.PositiveBigIntegerField()
    state = models.CharField(_("state"), max_length=10, choices=OperationState.choices,
                             default=OperationState.QUEUED)
    params = models.JSONField(default=dict)  # what the person confirmed (a fingerprint, a reason)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)  # None until the worker has counted
    result = models.JSONField(default=dict)  # counts summed over the chunks done
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    worker = models.CharField(max_length=100, blank=True)  # host:pid while it runs
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+")
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background operation")
        verbose_name_plural = _("background operations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "target_id"], condition=Q(state__in=["queued", "running"]),
                                    name="operations_one_active_per_target"),
        ]
        indexes = [models.Index(fields=["kind", "target_id", "-created_at"], name="operations_target_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.target_id} ({self.state})"

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0
