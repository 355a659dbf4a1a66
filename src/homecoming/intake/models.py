"""Intake: uploaded files, incoming lists with their raw rows, link decisions, saved column
mappings. Writes go through :mod:`homecoming.intake.services` only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from homecoming.registry.models import Person, SourceKind, StatusEvent


class ImportKind(models.TextChoices):
    PERSONS = "persons", _("Persons for the register")
    LIST = "list", _("Incoming list")


class JobState(models.TextChoices):
    CHECKING = "checking", _("Being checked")
    STAGED = "staged", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Waiting to run")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportJob(models.Model):
    """One uploaded file, from its check to its import. The content is kept (it is at most
    IMPORT_MAX_BYTES) so that a background worker can read it and for provenance."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    content = models.BinaryField()
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    file_format = models.CharField(max_length=8, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    #: a CSV that is not UTF-8: every candidate reading [{encoding, label, lines}], for a person to choose
    encoding_guesses = models.JSONField(default=list)
    encoding_choice = models.CharField(max_length=20, blank=True)  # the encoding a person chose
    encoding_confirmed = models.BooleanField(default=True)  # False while the encoding is only a guess
    samples = models.JSONField(default=list)  # the first rows, shown beside the column choices
    delimiter = models.CharField(max_length=2, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    source_kind = models.CharField(_("kind of source"), max_length=24, choices=SourceKind.choices)
    source_reference = models.CharField(_("source"), max_length=200)
    list_date = models.DateField(_("date of the list"))
    status_on_accept = models.CharField(_("status recorded"), max_length=24, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.STAGED)
    only_valid = models.BooleanField(_("import only the valid rows"), default=False)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    bad_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # the first errors (RowError.as_dict), for the page
    error_count = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=20, blank=True)
    worker = models.CharField(max_length=100, blank=True)  # host:pid of the process working on it
    interrupted = models.CharField(max_length=10, blank=True)  # the state in which its worker died
    processed = models.PositiveIntegerField(default=0)
    #: someone asked a queued or running import to stop: the worker stops before it saves anything
    cancel_requested = models.BooleanField(default=False)
    created_count = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list)  # rows already present: {"row", "reason", "person"}
    skipped_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "sha256", "state"], name="intake_job_sha_idx")]
        permissions = [("import_persons", "Can import persons into the register from a file")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_kind_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total_rows) if self.total_rows else 0

    @property
    def active(self) -> bool:
        return self.state in (JobState.CHECKING, JobState.QUEUED, JobState.RUNNING)


class IncomingList(models.Model):
    """A list from the other side, the ICRC or a partner: its rows are kept raw and linked."""

    job = models.OneToOneField(ImportJob, models.PROTECT, related_name="incoming_list")
    title = models.CharField(_("title"), max_length=255)
    source_kind = models.CharField(_("kind of source"), max_length=24, choices=SourceKind.choices)
    source_reference = models.CharField(_("source"), max_length=200)
    list_date = models.DateField(_("date of the list"))
    status_on_accept = models.CharField(_("status recorded on a confirmed match"), max_length=24)
    row_count = models.PositiveIntegerField(default=0)
    linked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incoming list")
        verbose_name_plural = _("incoming lists")
        ordering = ["-list_date", "-id"]
        permissions = [
            ("review_match", "Can decide matches of incoming list rows"),
            ("export_register", "Can export the register and lists"),
            ("undo_any_decision", "Can undo another reviewer's decision on a list row"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_label(self) -> str:
        from homecoming.registry.models import Status

        return str(Status(self.status_on_accept).label) if self.status_on_accept in Status.values else ""

    @property
    def source_description(self) -> str:
        return str(_("list of %(date)s, %(kind)s: %(source)s") % {
            "date": self.list_date.isoformat(), "kind": SourceKind(self.source_kind).label.lower()
            if self.source_kind in SourceKind.values else self.source_kind, "source": self.source_reference})


class Decision(models.TextChoices):
    MATCH = "match", _("Automatic match")
    REVIEW = "review", _("To review")
    NONE = "none", _("No candidate")


class RowState(models.TextChoices):
    OPEN = "open", _("Not decided")
    ACCEPTED = "accepted", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CREATED = "created", _("New person created")


class ListRow(models.Model):
    incoming_list = models.ForeignKey(IncomingList, models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    raw = models.JSONField(default=dict)  # header -> cell, exactly as in the file
    data = models.JSONField(default=dict)  # recognised fields
    decision = models.CharField(_("linkage"), max_length=8, choices=Decision.choices, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    candidates = models.JSONField(default=list)  # [{person_id, probability, match_weight, decision, explanation}]
    list_duplicates = models.JSONField(default=list)  # row numbers of the same person in this list
    state = models.CharField(_("state"), max_length=8, choices=RowState.choices, default=RowState.OPEN)
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="+")
    status_event = models.ForeignKey(StatusEvent, models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    #: the reviewer's reason, given with a rejection (one reason for every row of a bulk reject)
    decision_note = models.CharField(_("reason"), max_length=300, blank=True, default="")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["incoming_list", "row_number"]
        indexes = [models.Index(fields=["incoming_list", "state", "decision", "row_number"],
                                name="intake_row_queue_idx")]
        constraints = [models.UniqueConstraint(fields=["incoming_list", "row_number"], name="intake_row_unique")]

    @property
    def name(self) -> str:
        d = self.data
        return " ".join(x for x in (d.get("last_name"), d.get("first_name"), d.get("patronymic")) if x) or d.get(
            "full_name", "")


class ColumnMapping(models.Model):
    """A mapping saved for a set of headers, offered again when a file with the same headers comes."""

    signature = models.CharField(max_length=64, unique=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=list)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class LinkageModel(models.Model):
    """A version of the linkage engine's parameters learnt from reviewers' decisions
    (:mod:`homecoming.linkage.learning`): the ``m`` table and the automatic thresholds, with who
    learnt it, when, and the counts it rests on.  Versions are never changed: a new one is
    added, and one of them (or none: the built-in values) is the one the register's index uses."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    m = models.JSONField(default=dict)
    thresholds = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    notes = models.JSONField(default=list)
    active = models.BooleanField(_("in use"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_by_name = models.CharField(_("learnt by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("learnt at"), auto_now_add=True)

    class Meta:
        verbose_name = _("linkage model")
        verbose_name_plural = _("linkage models")
        ordering = ["-version"]
        permissions = [("learn_linkage", "Can re-estimate the linkage model from review decisions")]
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="intake_one_linkage_model_in_use")]

    def __str__(self) -> str:
        return f"linkage model {self.version}"
