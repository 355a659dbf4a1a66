"""Aftercare: a case for every returnee, with tasks from a plan template that is data.

Writes go through :mod:`homecoming.aftercare.services` only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from homecoming.registry.models import Person


class PlanTemplate(models.Model):
    """A plan of aftercare: the tasks every new case gets. The active one is used."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_uk = models.CharField(_("name in Ukrainian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("plan template")
        verbose_name_plural = _("plan templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "uk").startswith("en") else self.name_uk


class TaskKind(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    GENERAL = "general", _("General")


class PlanTemplateTask(models.Model):
    template = models.ForeignKey(PlanTemplate, models.CASCADE, related_name="tasks", verbose_name=_("plan template"))
    code = models.SlugField(_("code"), max_length=40)
    title_uk = models.CharField(_("title in Ukrainian"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=TaskKind.choices, default=TaskKind.GENERAL)
    due_days = models.PositiveIntegerField(_("due, days after the return"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("plan template task")
        verbose_name_plural = _("plan template tasks")
        ordering = ["template", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="plan_task_code_unique")]

    def __str__(self) -> str:
        return self.title_en if (get_language() or "uk").startswith("en") else self.title_uk


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another case")


class CaseSource(models.TextChoices):
    EXCHANGE = "exchange", _("Returned in an exchange")
    OTHER = "other", _("Released by other means")


class Case(models.Model):
    person = models.ForeignKey(Person, models.PROTECT, related_name="aftercare_cases", verbose_name=_("person"))
    state = models.CharField(_("state"), max_length=8, choices=CaseState.choices, default=CaseState.OPEN)
    source = models.CharField(_("source"), max_length=10, choices=CaseSource.choices)
    returned_on = models.DateField(_("returned on"))
    # The exchange is kept by id and name: aftercare does not depend on the exchanges app's tables.
    exchange_id = models.PositiveIntegerField(_("exchange"), null=True, blank=True)
    exchange_label = models.CharField(_("exchange"), max_length=200, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("case worker"))
    template = models.ForeignKey(PlanTemplate, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("plan template"))
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("opened by"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("closed by"))
    # When a merge of persons moved this case, the person it came from (to undo the merge exactly).
    moved_from_person_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("aftercare case")
        verbose_name_plural = _("aftercare cases")
        ordering = ["-returned_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(state="open"), name="aftercare_one_open_case"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.person.full_name}"

    @property
    def reference(self) -> str:
        return f"AC-{self.pk:06d}" if self.pk else ""


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_TASK_STATES = (TaskState.OPEN, TaskState.IN_PROGRESS)


class Task(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="tasks", verbose_name=_("case"))
    template_task = models.ForeignKey(PlanTemplateTask, models.SET_NULL, null=True, blank=True, related_name="+")
    code = models.SlugField(_("code"), max_length=40, blank=True)
    title_uk = models.CharField(_("title in Ukrainian"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=TaskKind.choices, default=TaskKind.GENERAL)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("assignee"))
    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=12, choices=TaskState.choices, default=TaskState.OPEN)
    outcome = models.TextField(_("outcome"), blank=True, validators=[MaxLengthValidator(5000)])
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("updated by"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("aftercare task")
        verbose_name_plural = _("aftercare tasks")
        ordering = ["case", "position", "id"]
        indexes = [models.Index(fields=["state", "due_date"], name="aftercare_task_due_idx")]
        permissions = [("view_medical_task", "Can read the outcome of medical aftercare tasks")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "uk").startswith("en") else self.title_uk

    @property
    def is_medical(self) -> bool:
        return self.kind == TaskKind.MEDICAL

    def is_overdue(self, today) -> bool:
        return self.state in ACTIVE_TASK_STATES and self.due_date < today
