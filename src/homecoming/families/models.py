"""Inquiries from families, attempts on the family portal, lock-outs and notifications.

Writes go through :mod:`homecoming.families.services` only. The secret code of an inquiry is
never stored: only its slow hash (Django's configured password hasher).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Relation(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    SPOUSE = "spouse", _("Wife or husband")
    CHILD = "child", _("Daughter or son")
    SIBLING = "sibling", _("Sister or brother")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    OTHER = "other", _("Other (friend, comrade, representative)")


class BirthPrecision(models.TextChoices):
    DAY = "day", pgettext_lazy("families", "Day known")
    MONTH = "month", pgettext_lazy("families", "Month known")
    YEAR = "year", pgettext_lazy("families", "Year known")


class Language(models.TextChoices):
    UK = "uk", pgettext_lazy("families", "Ukrainian")
    EN = "en", pgettext_lazy("families", "English")


class FiledVia(models.TextChoices):
    PORTAL = "portal", _("Family portal")
    STAFF = "staff", _("Registrar on behalf of the family")


class InquiryState(models.TextChoices):
    NEW = "new", _("To link")
    LINKED = "linked", _("Linked to a person")
    CLOSED = "closed", _("Closed")


class Inquiry(models.Model):
    reference = models.CharField(pgettext_lazy("families", "reference"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=256)

    # The relative, as the family knows them.
    last_name = models.CharField(pgettext_lazy("families", "last name"), max_length=100)
    first_name = models.CharField(pgettext_lazy("families", "first name"), max_length=100)
    patronymic = models.CharField(pgettext_lazy("families", "patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(pgettext_lazy("families", "date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(pgettext_lazy("families", "precision of the date of birth"), max_length=5,
                                            choices=BirthPrecision.choices, default=BirthPrecision.DAY)
    service_number = models.CharField(pgettext_lazy("families", "service number"), max_length=40, blank=True)
    unit = models.CharField(pgettext_lazy("families", "unit"), max_length=200, blank=True)
    incident_date = models.DateField(_("date of disappearance"), null=True, blank=True)
    incident_place = models.CharField(_("place of disappearance"), max_length=200, blank=True)
    circumstances = models.TextField(_("what else you know"), blank=True, validators=[MaxLengthValidator(2000)])

    # The inquirer.
    inquirer_name = models.CharField(_("your name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    language = models.CharField(pgettext_lazy("families", "language"), max_length=2, choices=Language.choices,
                                default=Language.UK)
    consent_at = models.DateTimeField(_("consent given"))

    filed_via = models.CharField(_("filed via"), max_length=8, choices=FiledVia.choices)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("filed by"))
    state = models.CharField(pgettext_lazy("families", "state"), max_length=8, choices=InquiryState.choices,
                             default=InquiryState.NEW)
    person = models.ForeignKey("registry.Person", models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=pgettext_lazy("families", "person"))
    # Set when a merge of register records moved this inquiry, so that undoing the merge moves it back.
    moved_by_merge_from = models.ForeignKey("registry.Person", models.PROTECT, null=True, blank=True,
                                            related_name="+")
    linked_at = models.DateTimeField(_("linked"), null=True, blank=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("linked by"))
    # The portal state the family was last told about by a notification (no repeats).
    notified_state = models.CharField(max_length=24, blank=True)
    # A death is told to the family in person before the portal says it: the register's event of
    # death that was told, when and by whom (families.status.death_told).
    told_in_person_event = models.ForeignKey("registry.StatusEvent", models.PROTECT, null=True, blank=True,
                                             related_name="+")
    told_in_person_at = models.DateTimeField(_("told in person"), null=True, blank=True)
    told_in_person_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("told in person by"))
    # The digest of the filing form's one-time token: the same form sent twice (a reload, a double
    # click) files one inquiry (services.file_inquiry, AlreadyFiled).
    submission_key = models.CharField(max_length=64, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("filed"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("families", "updated"), auto_now=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="inquiry_state_idx")]
        constraints = [models.UniqueConstraint(fields=["submission_key"], condition=~models.Q(submission_key=""),
                                               name="inquiry_submission_once")]
        permissions = [("tell_family", "Can record that a family was told of a death in person")]

    def __str__(self) -> str:
        return self.reference

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def birth_date_text(self) -> str:
        if not self.birth_date:
            return ""
        if self.birth_date_precision == BirthPrecision.YEAR:
            return f"{self.birth_date.year:04d}"
        if self.birth_date_precision == BirthPrecision.MONTH:
            return f"{self.birth_date.year:04d}-{self.birth_date.month:02d}"
        return self.birth_date.isoformat()


class PortalAttempt(models.Model):
    """A failed look-up on the family portal (wrong code or unknown reference). Failures that
    count towards a lock-out have ``counted`` set; lifting a lock-out clears it."""

    address = models.CharField(max_length=45)
    reference = models.CharField(max_length=16)
    counted = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address", "created_at"], name="attempt_address_idx"),
                   models.Index(fields=["reference", "created_at"], name="attempt_reference_idx")]


class LockOutKind(models.TextChoices):
    ADDRESS = "address", _("Network address")
    REFERENCE = "reference", _("Inquiry reference")


class LockOut(models.Model):
    kind = models.CharField(_("locked"), max_length=10, choices=LockOutKind.choices)
    key = models.CharField(_("address or reference"), max_length=45)
    failures = models.PositiveIntegerField(_("failed attempts"))
    created_at = models.DateTimeField(_("locked at"), auto_now_add=True)
    until = models.DateTimeField(_("locked until"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("lifted by"))

    class Meta:
        verbose_name = _("lock-out")
        verbose_name_plural = _("lock-outs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "key", "until"], name="lockout_key_idx")]


class NotificationState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One message to a family, with what was sent (a code is never kept: see the services)."""

    inquiry = models.ForeignKey(Inquiry, models.CASCADE, related_name="notifications")
    channel = models.CharField(_("channel"), max_length=20)
    recipient = models.CharField(_("recipient"), max_length=254)
    template = models.CharField(_("template"), max_length=40)
    language = models.CharField(pgettext_lazy("families", "language"), max_length=2, choices=Language.choices)
    subject = models.CharField(pgettext_lazy("families", "subject"), max_length=200)
    body = models.TextField(pgettext_lazy("families", "text"))
    state = models.CharField(pgettext_lazy("families", "state"), max_length=8, choices=NotificationState.choices,
                             default=NotificationState.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(pgettext_lazy("families", "created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]


class MessageFrom(models.TextChoices):
    FAMILY = "family", _("The family")
    STAFF = "staff", _("The headquarters")


class FamilyMessage(models.Model):
    """A message a family wrote on the portal to their relative's case worker, or a case worker's
    reply to it (``in_reply_to``). Written through services.send_family_message and
    services.reply_to_family_message only. A family's message goes to the case worker who owns the
    relative's aftercare case when it is sent (``recipient``), or, with nobody assigned, to the case
    workers' shared queue (``recipient`` empty). The portal shows the family their own inquiry's
    messages and the replies to them: the replies are the case worker's words and nothing else."""

    inquiry = models.ForeignKey(Inquiry, models.CASCADE, related_name="messages")
    sender = models.CharField(_("sender"), max_length=6, choices=MessageFrom.choices)
    in_reply_to = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="replies")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("to the case worker"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("written by"))
    body = models.TextField(_("message"), validators=[MaxLengthValidator(2000)])
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("read by"))
    # The digest of the portal form's one-time token: the same form sent twice sends one message.
    submission_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("message from a family")
        verbose_name_plural = _("messages from families")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["inquiry", "created_at"], name="family_message_inquiry_idx"),
                   models.Index(fields=["recipient", "read_at"], name="family_message_inbox_idx")]
        constraints = [models.UniqueConstraint(fields=["submission_key"], condition=~models.Q(submission_key=""),
                                               name="family_message_sent_once")]

    def __str__(self) -> str:
        return f"{self.inquiry_id}/{self.pk}"
