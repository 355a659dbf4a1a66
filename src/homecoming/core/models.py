"""What the web shell keeps: the background-task workers that are alive."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerBeat(models.Model):
    """One background-task worker (``homecoming task_worker``) and when it last said it is alive
    (every ``workers.BEAT_SECONDS``). ``/healthz`` counts the ones heard from within a minute."""

    name = models.CharField(_("worker"), max_length=100, unique=True)  # host:pid
    started_at = models.DateTimeField(_("started"))
    beat_at = models.DateTimeField(_("last heard from"), db_index=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self) -> str:
        return self.name
