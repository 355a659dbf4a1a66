"""Remains: transfers of bodies from the other side, post-mortem data, the ante-mortem data of
missing persons collected from families and units, relatives' reference samples for DNA, and
identification.

Post-mortem data (on :class:`Remains`) and ante-mortem data (on :class:`AnteMortemRecord`) have
the same structured fields (sex, age, height, hair, dental status, :class:`Mark` entries with a
location on the body from one fixed list) so that they compare field by field
(:mod:`homecoming.remains.candidates`), as in the ICRC's ante-mortem/post-mortem practice.

Writes go through :mod:`homecoming.remains.services` only; every change of a record is appended
to :class:`Change` (history is never overwritten); every limit is stated here, once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from homecoming.common.text import validate_text
from homecoming.registry.models import Person, Sex, StatusEvent

#: plausible bounds of an adult's estimated age and height (forensic estimates are ranges)
AGE_BOUNDS = (0, 110)
HEIGHT_BOUNDS_CM = (120, 230)


def _age(name):
    return models.PositiveSmallIntegerField(name, null=True, blank=True,
                                            validators=[MinValueValidator(AGE_BOUNDS[0]),
                                                        MaxValueValidator(AGE_BOUNDS[1])])


def _height(name):
    return models.PositiveSmallIntegerField(name, null=True, blank=True,
                                            validators=[MinValueValidator(HEIGHT_BOUNDS_CM[0]),
                                                        MaxValueValidator(HEIGHT_BOUNDS_CM[1])])


def _text(name, limit=2000):
    return models.TextField(name, blank=True, validators=[MaxLengthValidator(limit), validate_text])


class Hair(models.TextChoices):
    UNKNOWN = "unknown", pgettext_lazy("hair", "Unknown")
    BLACK = "black", pgettext_lazy("hair", "Black")
    BROWN = "brown", pgettext_lazy("hair", "Brown")
    BLOND = "blond", pgettext_lazy("hair", "Blond")
    RED = "red", pgettext_lazy("hair", "Red")
    GREY = "grey", pgettext_lazy("hair", "Grey")
    BALD = "bald", pgettext_lazy("hair", "Bald")


class Dental(models.TextChoices):
    UNKNOWN = "unknown", pgettext_lazy("dental", "Unknown")
    NATURAL = "natural", _("All natural teeth, no work")
    FILLINGS = "fillings", _("Fillings or crowns")
    MISSING_TEETH = "missing_teeth", _("Teeth missing")
    PROSTHESIS = "prosthesis", _("Dentures or implants")


class Condition(models.TextChoices):
    COMPLETE = "complete", _("Complete body")
    INCOMPLETE = "incomplete", _("Incomplete body")
    DECOMPOSED = "decomposed", _("Decomposed")
    SKELETAL = "skeletal", _("Skeletal remains")
    BURNED = "burned", _("Burned")
    FRAGMENTS = "fragments", _("Fragments")


class MarkKind(models.TextChoices):
    TATTOO = "tattoo", _("Tattoo")
    SCAR = "scar", _("Scar")
    IMPLANT = "implant", _("Implant or prosthesis")
    AMPUTATION = "amputation", _("Amputation")
    OTHER = "other", pgettext_lazy("mark", "Other")


class BodyLocation(models.TextChoices):
    """Where on the body: one fixed list for both ante- and post-mortem marks, so that a tattoo
    on the left forearm in a mother's account meets the one the pathologist recorded."""

    HEAD = "head", _("Head")
    FACE = "face", _("Face")
    NECK = "neck", _("Neck")
    CHEST = "chest", _("Chest")
    ABDOMEN = "abdomen", _("Abdomen")
    BACK = "back", _("Back")
    LEFT_SHOULDER = "left_shoulder", _("Left shoulder")
    RIGHT_SHOULDER = "right_shoulder", _("Right shoulder")
    LEFT_ARM = "left_arm", _("Left arm")
    RIGHT_ARM = "right_arm", _("Right arm")
    LEFT_HAND = "left_hand", _("Left hand")
    RIGHT_HAND = "right_hand", _("Right hand")
    PELVIS = "pelvis", _("Pelvis")
    LEFT_LEG = "left_leg", _("Left leg")
    RIGHT_LEG = "right_leg", _("Right leg")
    LEFT_FOOT = "left_foot", _("Left foot")
    RIGHT_FOOT = "right_foot", _("Right foot")
    UNKNOWN = "unknown", pgettext_lazy("body location", "Unknown")


class Transfer(models.Model):
    """A transfer of remains from the other side: what they declared and what arrived."""

    received_on = models.DateField(_("date of the transfer"))
    place = models.CharField(_("place"), max_length=200, validators=[validate_text])
    # Where one exists: the agreement and the stage the transfer carries out.
    agreement = models.ForeignKey("exchanges.Agreement", models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("agreement"))
    stage = models.ForeignKey("exchanges.Exchange", models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("stage"))
    declared_count = models.PositiveIntegerField(_("number declared by the other side"),
                                                 validators=[MaxValueValidator(100_000)])
    received_count = models.PositiveIntegerField(_("number received"), validators=[MaxValueValidator(100_000)])
    documents = _text(_("documents that came with it"), 5000)
    # Why what arrived differs from what was declared (required when it does).
    discrepancy_note = _text(_("explanation of the discrepancy"), 2000)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("transfer of remains")
        verbose_name_plural = _("transfers of remains")
        ordering = ["-received_on", "-id"]
        permissions = [
            ("view_forensic", "Can read forensic data (remains, ante-mortem data, samples, identification)"),
            ("change_forensic", "Can record forensic data and propose identifications"),
            ("confirm_identification", "Can confirm an identification proposed by a forensic expert"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.received_on.isoformat()} {self.place}"

    @property
    def reference(self) -> str:
        return f"TR-{self.pk:04d}" if self.pk else ""

    @property
    def discrepancy(self) -> int:
        """Declared − received: positive when fewer arrived than the other side declared."""
        return self.declared_count - self.received_count


class Remains(models.Model):
    """One body (or set of remains) as received: its labels, what was declared, post-mortem data."""

    case_number = models.CharField(_("case number"), max_length=20, unique=True)
    other_side_label = models.CharField(_("label of the other side"), max_length=100, blank=True,
                                        validators=[validate_text])
    transfer = models.ForeignKey(Transfer, models.PROTECT, related_name="remains", verbose_name=_("transfer"))
    declared_place = models.CharField(_("place found or died, as declared"), max_length=200, blank=True,
                                      validators=[validate_text])
    declared_date = models.DateField(_("date found or died, as declared"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_min = _age(_("age from"))
    age_max = _age(_("age to"))
    height_min_cm = _height(_("height from, cm"))
    height_max_cm = _height(_("height to, cm"))
    hair = models.CharField(_("hair"), max_length=8, choices=Hair.choices, default=Hair.UNKNOWN)
    dental = models.CharField(_("dental status"), max_length=14, choices=Dental.choices, default=Dental.UNKNOWN)
    dental_notes = _text(_("dental notes"))
    condition = models.CharField(_("condition"), max_length=12, choices=Condition.choices,
                                 default=Condition.COMPLETE)
    storage_place = models.CharField(_("storage place"), max_length=200, blank=True, validators=[validate_text])
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("remains")
        verbose_name_plural = _("remains")
        ordering = ["case_number"]
        constraints = [
            models.CheckConstraint(condition=Q(age_min__isnull=True) | Q(age_max__isnull=True)
                                   | Q(age_min__lte=F("age_max")), name="remains_age_range"),
            models.CheckConstraint(condition=Q(height_min_cm__isnull=True) | Q(height_max_cm__isnull=True)
                                   | Q(height_min_cm__lte=F("height_max_cm")), name="remains_height_range"),
        ]

    def __str__(self) -> str:
        return self.case_number


class SourceOfData(models.TextChoices):
    FAMILY = "family", _("Family")
    UNIT = "unit", _("Military unit")


class AnteMortemRecord(models.Model):
    """What a missing person looked like alive, from the family or the unit: the same structured
    fields as the post-mortem data (the person's sex is the register's)."""

    person = models.OneToOneField(Person, models.PROTECT, related_name="ante_mortem", verbose_name=_("person"))
    age_note = models.CharField(_("note on age"), max_length=200, blank=True, validators=[validate_text])
    height_min_cm = _height(_("height from, cm"))
    height_max_cm = _height(_("height to, cm"))
    hair = models.CharField(_("hair"), max_length=8, choices=Hair.choices, default=Hair.UNKNOWN)
    dental = models.CharField(_("dental status"), max_length=14, choices=Dental.choices, default=Dental.UNKNOWN)
    dental_notes = _text(_("dental notes"))
    source = models.CharField(_("source"), max_length=8, choices=SourceOfData.choices)
    source_detail = models.CharField(_("given by"), max_length=200, blank=True, validators=[validate_text])
    collected_on = models.DateField(_("collected on"))
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("collected by"))

    class Meta:
        verbose_name = _("ante-mortem record")
        verbose_name_plural = _("ante-mortem records")
        constraints = [
            models.CheckConstraint(condition=Q(height_min_cm__isnull=True) | Q(height_max_cm__isnull=True)
                                   | Q(height_min_cm__lte=F("height_max_cm")), name="ante_mortem_height_range"),
        ]

    def __str__(self) -> str:
        return f"AM {self.person_id}"


class Mark(models.Model):
    """A distinguishing mark, post-mortem (on remains) or ante-mortem (on a missing person's
    record): exactly one of the two."""

    remains = models.ForeignKey(Remains, models.CASCADE, null=True, blank=True, related_name="marks",
                                verbose_name=_("remains"))
    ante_mortem = models.ForeignKey(AnteMortemRecord, models.CASCADE, null=True, blank=True, related_name="marks",
                                    verbose_name=_("ante-mortem record"))
    kind = models.CharField(_("kind of mark"), max_length=10, choices=MarkKind.choices)
    location = models.CharField(_("location on the body"), max_length=14, choices=BodyLocation.choices)
    description = models.CharField(_("description"), max_length=300, blank=True, validators=[validate_text])

    class Meta:
        verbose_name = _("distinguishing mark")
        verbose_name_plural = _("distinguishing marks")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(remains__isnull=False, ante_mortem__isnull=True)
                                   | Q(remains__isnull=True, ante_mortem__isnull=False), name="mark_of_one_record"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_location_display()}"


class EffectKind(models.TextChoices):
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")
    MILITARY_ID = "military_id", _("Military ID or tag")
    LETTER = "letter", _("Letter, note or photograph")
    PERSONAL_ITEM = "personal_item", _("Personal item")
    OTHER = "other", pgettext_lazy("effect", "Other")


class Effect(models.Model):
    """A personal effect or document found with remains; a name written on it is kept as found
    (often in Russian) and compared by the linkage engine's name comparison."""

    remains = models.ForeignKey(Remains, models.CASCADE, related_name="effects", verbose_name=_("remains"))
    kind = models.CharField(_("kind"), max_length=18, choices=EffectKind.choices)
    description = models.CharField(_("description"), max_length=300, validators=[validate_text])
    name_as_found = models.CharField(_("name written on it, as found"), max_length=200, blank=True,
                                     validators=[validate_text])

    class Meta:
        verbose_name = _("effect or document found")
        verbose_name_plural = _("effects and documents found")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class Relationship(models.TextChoices):
    """The donor's relationship to the missing person (references.py says which combinations
    suffice for kinship testing)."""

    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    CHILD = "child", _("Child")
    OTHER_PARENT = "other_parent", _("Other parent of the person's child")
    FULL_SIBLING = "full_sibling", _("Full brother or sister")
    HALF_SIBLING = "half_sibling", _("Half brother or sister")
    OTHER = "other", _("Other relative")


class ConsentPurpose(models.TextChoices):
    IDENTIFICATION = "identification", _("Identification of this missing person only")
    IDENTIFICATION_DATABASE = "identification_database", _("Identification, kept for comparison with other remains")


class SampleState(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    SENT = "sent", _("Sent to the laboratory")
    PROFILED = "profiled", _("Profile obtained")
    FAILED = "failed", _("No usable profile")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


#: samples that count towards kinship testing
USABLE_SAMPLE_STATES = (SampleState.COLLECTED, SampleState.SENT, SampleState.PROFILED)


class ReferenceSample(models.Model):
    """A relative's DNA reference sample for a missing person."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="reference_samples",
                               verbose_name=_("missing person"))
    donor_name = models.CharField(_("donor"), max_length=200, validators=[validate_text])
    relationship = models.CharField(_("relationship to the missing person"), max_length=14,
                                    choices=Relationship.choices)
    consent_purpose = models.CharField(_("purpose of the consent"), max_length=24, choices=ConsentPurpose.choices)
    consent_on = models.DateField(_("consent given on"))
    barcode = models.CharField(_("barcode"), max_length=40, unique=True,
                               validators=[RegexValidator(r"^[A-Z0-9-]{4,40}$",
                                                          _("Capital Latin letters, digits and dashes, 4 to 40."))])
    laboratory = models.CharField(_("laboratory"), max_length=200, blank=True, validators=[validate_text])
    collected_on = models.DateField(_("collected on"))
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    result_on = models.DateField(_("result on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=SampleState.choices, default=SampleState.COLLECTED)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("reference sample")
        verbose_name_plural = _("reference samples")
        ordering = ["collected_on", "id"]

    def __str__(self) -> str:
        return self.barcode


class IdentificationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    EXCLUDED = "excluded", _("Excluded")
    PRELIMINARY = "preliminary", _("Preliminary")
    CONFIRMED = "confirmed", _("Confirmed")
    # confirmed, then overturned (a DNA result): the death it wrote is corrected, never deleted
    REVERSED = "reversed", _("Reversed after confirmation")


class Method(models.TextChoices):
    DNA = "dna", _("DNA")
    DENTAL = "dental", _("Dental records")
    FINGERPRINTS = "fingerprints", _("Fingerprints")
    DOCUMENTS = "documents", _("Documents")


class Identification(models.Model):
    """A proposal that remains are a person, and what became of it. Proposed by a forensic expert,
    confirmed by a registrar who is someone else (a database constraint too)."""

    remains = models.ForeignKey(Remains, models.PROTECT, related_name="identifications", verbose_name=_("remains"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="identifications", verbose_name=_("person"))
    state = models.CharField(_("state"), max_length=12, choices=IdentificationState.choices,
                             default=IdentificationState.PENDING)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    reasoning = _text(_("reasoning"), 5000)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The register's event of death that the confirmation wrote.
    death_event = models.ForeignKey(StatusEvent, models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("event of death"))
    # A reversal, by two people as a confirmation: a forensic expert proposes it with the reason (a
    # DNA result overturned it), a registrar who is someone else reverses it.
    reversal_reason = _text(_("why the identification is reversed"), 5000)
    reversal_proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                             related_name="+", verbose_name=_("reversal proposed by"))
    reversal_proposed_at = models.DateTimeField(_("reversal proposed"), null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reversed by"))
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    # The register's correction of the event of death that the reversal wrote.
    correction_event = models.ForeignKey(StatusEvent, models.PROTECT, null=True, blank=True, related_name="+",
                                         verbose_name=_("correction of the event of death"))

    class Meta:
        verbose_name = _("identification")
        verbose_name_plural = _("identifications")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["remains"], condition=Q(state="confirmed"),
                                    name="identification_one_confirmed_per_remains"),
            models.UniqueConstraint(fields=["person"], condition=Q(state="confirmed"),
                                    name="identification_one_confirmed_per_person"),
            models.CheckConstraint(condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=F("proposed_by")),
                                   name="identification_two_people"),
            models.CheckConstraint(condition=Q(reversed_by__isnull=True) | ~Q(reversed_by=F("reversal_proposed_by")),
                                   name="identification_reversal_two_people"),
        ]

    def __str__(self) -> str:
        return f"ID-{self.pk:05d}" if self.pk else ""


class KinshipReport(models.Model):
    """A laboratory's kinship match report for a DNA identification."""

    identification = models.ForeignKey(Identification, models.CASCADE, related_name="kinship_reports",
                                       verbose_name=_("identification"))
    laboratory = models.CharField(_("laboratory"), max_length=200, validators=[validate_text])
    report_reference = models.CharField(_("report reference"), max_length=100, validators=[validate_text])
    reported_on = models.DateField(_("reported on"))
    likelihood_ratio = models.DecimalField(_("likelihood ratio"), max_digits=30, decimal_places=2, null=True,
                                           blank=True, validators=[MinValueValidator(0)])
    probability = models.DecimalField(_("probability of relatedness"), max_digits=12, decimal_places=10,
                                      null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)])
    samples = models.ManyToManyField(ReferenceSample, related_name="kinship_reports",
                                     verbose_name=_("reference samples used"))

    class Meta:
        verbose_name = _("kinship match report")
        verbose_name_plural = _("kinship match reports")
        ordering = ["reported_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(likelihood_ratio__isnull=False) | Q(probability__isnull=False),
                                   name="kinship_report_has_a_figure"),
        ]


class TaskKind(models.TextChoices):
    TELL_FAMILY = "tell_family", _("Tell the family in person")
    HAND_OVER = "hand_over", _("Hand the remains over to the family")
    BURIAL = "burial", _("Arrange the burial with the family")
    # after a reversal of an identification the family had been told of
    TELL_REVERSAL = "tell_reversal", _("Tell the family in person that the identification was reversed")


class TaskState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(models.Model):
    """What follows a confirmed identification, in order: the family is told in person first."""

    identification = models.ForeignKey(Identification, models.CASCADE, related_name="tasks",
                                       verbose_name=_("identification"))
    kind = models.CharField(_("kind"), max_length=14, choices=TaskKind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    outcome = _text(_("outcome"), 2000)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("done by"))
    # the hand-over and the burial: when it happened; to whom the remains were handed over; where
    happened_on = models.DateField(_("date"), null=True, blank=True)
    recipient = models.CharField(_("handed over to"), max_length=200, blank=True, validators=[validate_text])
    place = models.CharField(_("place"), max_length=200, blank=True, validators=[validate_text])

    class Meta:
        verbose_name = _("identification task")
        verbose_name_plural = _("identification tasks")
        ordering = ["identification", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["identification", "kind"], name="remains_task_once")]


class Change(models.Model):
    """The appended history of forensic records: one row per write (what, which fields, old and
    new values, by whom, when). Never edited."""

    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=40)
    changes = models.JSONField(default=dict)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="remains_change_object_idx")]
