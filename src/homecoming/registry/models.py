"""The register: persons, their names, their append-only status history and its sources.

Writes go through :mod:`homecoming.registry.services` only; nothing here saves itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from homecoming.common.collation import NAME_SORT_KEY_LENGTH, name_sort_key
from homecoming.common.text import validate_text


class Side(models.TextChoices):
    OURS = "ours", _("Our person (missing or held)")
    ENEMY = "enemy", _("Enemy prisoner of war held by us")


class Kind(models.TextChoices):
    SERVICEMEMBER = "servicemember", _("Servicemember")
    CIVILIAN = "civilian", _("Civilian")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", pgettext_lazy("sex", "Unknown")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day known")
    MONTH = "month", _("Month known")
    YEAR = "year", _("Year known")


class RankCategory(models.TextChoices):
    PRIVATE = "private", _("Private")
    NCO = "nco", _("Non-commissioned officer")
    OFFICER = "officer", _("Officer")


class MedicalCategory(models.TextChoices):
    NONE = "none", pgettext_lazy("medical category", "None")
    WOUNDED = "wounded", _("Wounded")
    SERIOUSLY_WOUNDED = "seriously_wounded", _("Seriously wounded")
    SERIOUSLY_ILL = "seriously_ill", _("Seriously ill")


class Status(models.TextChoices):
    MISSING = "missing", _("Missing")
    CAPTIVITY_CONFIRMED = "captivity_confirmed", _("Captivity confirmed")
    ON_EXCHANGE_LIST = "on_exchange_list", _("On an exchange list")
    RETURNED = "returned", _("Returned")
    RELEASED_OTHER = "released_other", _("Released by other means")
    FOUND = "found", _("Found")
    DECEASED = "deceased", _("Deceased")
    HELD = "held", _("Held")
    EXCHANGED = "exchanged", _("Exchanged")
    RELEASED = "released", _("Released")


STATUSES_BY_SIDE: dict[str, frozenset[str]] = {
    Side.OURS: frozenset({
        Status.MISSING, Status.CAPTIVITY_CONFIRMED, Status.ON_EXCHANGE_LIST, Status.RETURNED,
        Status.RELEASED_OTHER, Status.FOUND, Status.DECEASED,
    }),
    Side.ENEMY: frozenset({Status.HELD, Status.ON_EXCHANGE_LIST, Status.EXCHANGED, Status.RELEASED,
                           Status.DECEASED}),
}


class SourceKind(models.TextChoices):
    FAMILY_APPLICATION = "family_application", _("Family application")
    UNIT_REPORT = "unit_report", _("Unit report")
    ICRC = "icrc", _("ICRC notification")
    OTHER_SIDE_LIST = "other_side_list", _("List from the other side")
    OPEN_SOURCE = "open_source", _("Open source")
    RETURNEE_TESTIMONY = "returnee_testimony", _("Testimony of a returnee")
    EXCHANGE_RECORD = "exchange_record", _("Exchange record")
    # written by the remains app when a registrar confirms an identification (managed_by "remains")
    IDENTIFIED_REMAINS = "identified_remains", _("Identification of remains")


class Script(models.TextChoices):
    UKRAINIAN = "uk", _("Ukrainian")
    RUSSIAN = "ru", _("Russian")
    LATIN = "latin", _("Latin")
    OTHER = "other", _("Other")


# --- reference data ---------------------------------------------------------------------

class ReferenceItem(models.Model):
    """A row of a reference list, named in both languages; administrators edit them."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_uk = models.CharField(_("name in Ukrainian"), max_length=200, validators=[validate_text])
    name_en = models.CharField(_("name in English"), max_length=200, validators=[validate_text])
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "name_uk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "uk").startswith("en") else self.name_uk


class Branch(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("branch")
        verbose_name_plural = _("branches")


class Direction(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("front direction")
        verbose_name_plural = _("front directions")


class Operation(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("operation")
        verbose_name_plural = _("operations")


class Rank(ReferenceItem):
    category = models.CharField(_("rank category"), max_length=10, choices=RankCategory.choices)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("rank")
        verbose_name_plural = _("ranks")


# --- the person -------------------------------------------------------------------------


class BinaryKeyField(models.CharField):
    """A text compared by code point on both databases: SQLite's default (BINARY) already does;
    on PostgreSQL the column gets the ``C`` collation, whatever the database's default (a sort
    key in a language collation would be reordered). Only the column definition differs."""

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


REFERENCE_PREFIX = "HC-"


class Person(models.Model):
    side = models.CharField(_("side"), max_length=8, choices=Side.choices, default=Side.OURS)
    kind = models.CharField(pgettext_lazy("person", "kind"), max_length=16, choices=Kind.choices,
                            default=Kind.SERVICEMEMBER)
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("precision of the date of birth"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    service_number = models.CharField(_("service number"), max_length=40, blank=True, db_index=True)
    tax_number = models.CharField(_("tax number"), max_length=10, blank=True)
    documents = models.TextField(_("documents"), blank=True)
    branch = models.ForeignKey(Branch, models.PROTECT, null=True, blank=True, verbose_name=_("branch"))
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    rank = models.ForeignKey(Rank, models.PROTECT, null=True, blank=True, verbose_name=_("rank"))
    rank_category = models.CharField(_("rank category"), max_length=10, choices=RankCategory.choices,
                                     blank=True)
    incident_date = models.DateField(_("date of disappearance or capture"), null=True, blank=True)
    incident_place = models.CharField(_("place of disappearance or capture"), max_length=200, blank=True)
    direction = models.ForeignKey(Direction, models.PROTECT, null=True, blank=True,
                                  verbose_name=_("front direction"))
    operation = models.ForeignKey(Operation, models.PROTECT, null=True, blank=True,
                                  verbose_name=_("operation"))
    medical_category = models.CharField(_("medical category"), max_length=20, choices=MedicalCategory.choices,
                                        default=MedicalCategory.NONE)
    medical_notes = models.TextField(_("medical notes"), blank=True)
    family_contacts = models.TextField(_("family contacts"), blank=True)

    # Maintained by services only (derived from the status events), for fast filtering.
    current_status = models.CharField(_("current status"), max_length=24, choices=Status.choices, blank=True)
    current_status_date = models.DateField(_("status since"), null=True, blank=True)
    was_missing = models.BooleanField(_("was missing"), default=False)

    merged_into = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="merged_records",
                                    verbose_name=_("merged into"))
    # the name in Ukrainian alphabetical order (homecoming.common.collation.name_sort_key): kept by
    # save() and by every bulk write of names (registry services, demo); the register sorts by it
    name_sort_key = BinaryKeyField(_("name sort key"), max_length=NAME_SORT_KEY_LENGTH, default="", editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"), db_index=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name_sort_key", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "patronymic", "id"], name="person_name_idx"),
            # the register browsed by name reads this index in order (homecoming.common.collation),
            # testing merged_into without visiting the table (registry.selectors._browsed_persons)
            models.Index(fields=["name_sort_key", "id", "merged_into"], name="person_sort_key_idx"),
            models.Index(fields=["current_status"], name="person_status_idx"),
            models.Index(fields=["incident_date"], name="person_incident_idx"),
            models.Index(fields=["birth_date"], name="person_birth_idx"),
            # The dashboard (homecoming.reports) counts the register grouped by these columns in this
            # order: it reads this narrow index in order (covering every column it needs) instead of
            # sorting the wide rows; 4-6x faster on SQLite at 100,000 persons.
            models.Index(fields=["side", "current_status", "was_missing", "branch", "direction", "rank_category",
                                 "rank", "medical_category", "incident_date", "merged_into", "current_status_date"],
                         name="person_report_idx"),
        ]
        permissions = [
            ("merge_person", "Can merge two records of the same person"),
            ("view_medical", "Can read medical notes"),
            ("change_medical", "Can change the medical category and notes"),
            ("view_contacts", "Can read family contacts"),
            ("change_referencedata", "Can change reference lists (branches, directions, ranks, operations)"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.full_name}"

    def save(self, *args, **kwargs):
        """Keeps :attr:`name_sort_key` equal to the key of the names (also with ``update_fields``)."""
        self.refresh_name_sort_key()
        fields = kwargs.get("update_fields")
        if fields is not None and {"last_name", "first_name", "patronymic"} & set(fields):
            kwargs["update_fields"] = {*fields, "name_sort_key"}
        super().save(*args, **kwargs)

    def refresh_name_sort_key(self) -> str:
        """Sets and returns the sort key of the current names (bulk writers call this)."""
        self.name_sort_key = name_sort_key(self.last_name, self.first_name, self.patronymic)
        return self.name_sort_key

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk:06d}" if self.pk else ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def effective_rank_category(self) -> str:
        return self.rank_category or (self.rank.category if self.rank_id else "")


class AlternativeName(models.Model):
    person = models.ForeignKey(Person, models.CASCADE, related_name="alternative_names")
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    script = models.CharField(_("script"), max_length=8, choices=Script.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("alternative name")
        verbose_name_plural = _("alternative names")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class PersonNameKey(models.Model):
    """Script-independent search keys of every name part of a person (canonical and alternative).

    Maintained by the services; ``homecoming.names.search_keys`` makes the keys.
    """

    # No index of its own: (person, key) below serves every lookup by person.
    person = models.ForeignKey(Person, models.CASCADE, related_name="name_keys", db_index=False)
    key = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "person"], name="person_name_key_unique")]
        indexes = [models.Index(fields=["person", "key"], name="person_key_by_person_idx")]


class Source(models.Model):
    kind = models.CharField(_("kind of source"), max_length=24, choices=SourceKind.choices)
    reference = models.CharField(_("source reference or description"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{': ' + self.reference if self.reference else ''}"


class StatusEvent(models.Model):
    """One entry of a person's append-only status history. Never edited, never deleted:
    a correction is a new event (``corrects`` names the event it replaces). The one exception is
    the undo of the review decision that wrote it, before anything used it
    (services/withdraw.py; the audit log keeps it)."""

    # No index of its own: (person, effective_date, id) below serves every lookup by person.
    person = models.ForeignKey(Person, models.CASCADE, related_name="status_events", db_index=False)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    effective_date = models.DateField(_("effective date"))
    source = models.ForeignKey(Source, models.PROTECT, related_name="events", verbose_name=_("source"))
    note = models.TextField(_("note"), blank=True)
    corrects = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="corrections",
                                 verbose_name=_("corrects"))
    # Closes a listing ("on an exchange list"): the exchange's outcome for it (see lifecycle.py).
    ends = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="closed_by",
                             verbose_name=_("closes the listing"))
    # Written by another module (an exchange stage): corrected there, never from the register.
    managed_by = models.CharField(_("kept by"), max_length=20, blank=True, default="", db_default="")
    # Why an event that contradicts the history was recorded all the same (see lifecycle.contradictions).
    exception_reason = models.CharField(_("reason for the exception"), max_length=300, blank=True, default="",
                                        db_default="")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("author"), db_index=False)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        ordering = ["effective_date", "id"]
        indexes = [models.Index(fields=["person", "effective_date", "id"], name="event_person_date_idx")]


class StatusCount(models.Model):
    """How many live status events (not corrected) of persons of ``side`` have ``status`` on ``day``
    (their effective date): the status history summed by day, kept by the services that write
    events (``registry.status_counts``) in the same transaction as the events themselves.

    The dashboard's "status changes by month" reads these few thousand rows instead of grouping
    the whole history (hundreds of thousands of events) on every request; a day, not a month, so
    that any date range is answered exactly. The invariant ``registry.status_counts_stale``
    compares them with the events; ``homecoming recount-statuses`` rebuilds them."""

    day = models.DateField()
    status = models.CharField(max_length=24, choices=Status.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "status", "side"], name="status_count_key")]


class FieldChange(models.Model):
    """The edit history: one row per field changed by an edit (or a merge)."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="field_changes")
    field = models.CharField(max_length=40)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    version = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, default="edit")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]


class Merge(models.Model):
    """Two records found to be the same person: ``duplicate`` was folded into ``survivor``.
    ``moved`` remembers what moved so that the merge can be undone exactly."""

    survivor = models.ForeignKey(Person, models.PROTECT, related_name="merges_in")
    duplicate = models.ForeignKey(Person, models.PROTECT, related_name="merges_out")
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                  related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
