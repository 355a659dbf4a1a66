"""Payments: effective-dated rules, pay data, entitlements, dues, batches and the ledger.

Writes go through :mod:`homecoming.payments.services` only. A used rule set and a ledger entry
refuse to change even when something tries to save them directly.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from homecoming.registry.models import Person

from . import arithmetic

MONEY = {"max_digits": 14, "decimal_places": 2}


class PartYear(models.TextChoices):
    WHOLE = arithmetic.WHOLE_YEARS, _("Whole years only")
    PRO_RATA = arithmetic.PRO_RATA_DAYS, _("Pro rata by days")
    STARTED = arithmetic.STARTED_YEAR_COUNTS, _("A started year counts as a whole year")


class CapturePrecision(models.TextChoices):
    DAY = arithmetic.PRECISION_DAY, _("Day known")
    MONTH = arithmetic.PRECISION_MONTH, _("Only the month known (the first day of the month is used)")
    YEAR = arithmetic.PRECISION_YEAR, _("Only the year known (1 January is used)")


class RuleSetInUse(ValidationError):
    pass


class RuleSet(models.Model):
    """The payment rules from ``valid_from`` until the next rule set. Once an entitlement has been
    computed with it (``used_at``), it never changes: a new rule set with a later date is made."""

    valid_from = models.DateField(_("valid from"), unique=True)
    one_time_amount = models.DecimalField(_("one-time payment on release, UAH"), **MONEY)
    per_year_amount = models.DecimalField(_("amount per year of captivity, UAH"), **MONEY)
    part_year = models.CharField(_("how a part year counts"), max_length=10, choices=PartYear.choices)
    note = models.CharField(_("legal basis or note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    used_at = models.DateTimeField(_("first used"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment rule set")
        verbose_name_plural = _("payment rule sets")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return gettext("Rules from %(date)s") % {"date": self.valid_from.isoformat()}

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self._used_in_db() and set(update_fields or ()) != {"used_at"}:
            raise RuleSetInUse(gettext("This rule set has been used: it cannot change. Add a new rule set."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._used_in_db():
            raise RuleSetInUse(gettext("This rule set has been used: it cannot be deleted."))
        return super().delete(*args, **kwargs)

    def _used_in_db(self) -> bool:
        return bool(self.pk) and RuleSet.objects.filter(pk=self.pk, used_at__isnull=False).exists()


class PaymentProfile(models.Model):
    """Where and how to pay a person, and how precisely the capture date is known."""

    person = models.OneToOneField(Person, models.PROTECT, related_name="payment_profile")
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    capture_precision = models.CharField(_("precision of the capture date"), max_length=5,
                                         choices=CapturePrecision.choices, default=CapturePrecision.DAY)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("payment details")
        verbose_name_plural = _("payment details")


class PayData(models.Model):
    """A person's monthly monetary allowance from ``valid_from``."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="pay_data")
    valid_from = models.DateField(_("valid from"))
    monthly_amount = models.DecimalField(_("monthly allowance, UAH"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("pay data")
        verbose_name_plural = _("pay data")
        ordering = ["person", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["person", "valid_from"], name="paydata_one_per_date")]


class FamilyPayment(models.Model):
    """Allowance already paid to the family during the captivity: deducted from what is owed."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="family_payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount, UAH"), **MONEY)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("payment to the family")
        verbose_name_plural = _("payments to the family")
        ordering = ["person", "paid_on", "id"]


class ReturnRecord(models.Model):
    """A person's return in an exchange, as announced by the exchanges app (for the report)."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="+")
    exchange_id = models.PositiveIntegerField(null=True, blank=True)
    exchange_label = models.CharField(max_length=200, blank=True)
    returned_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    moved_from_person_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-returned_on", "-id"]


class Entitlement(models.Model):
    """The latest computation of what a person is owed, with its explained lines."""

    person = models.OneToOneField(Person, models.PROTECT, related_name="entitlement", verbose_name=_("person"))
    recorded_capture_date = models.DateField(_("capture date in the register"))
    capture_precision = models.CharField(_("precision of the capture date"), max_length=5,
                                         choices=CapturePrecision.choices)
    capture_date = models.DateField(_("capture date used"))
    return_date = models.DateField(_("return date"))
    days = models.PositiveIntegerField(_("days in captivity"))
    whole_years = models.PositiveIntegerField(_("whole years"))
    total = models.DecimalField(_("total"), **MONEY)
    exchange_id = models.PositiveIntegerField(null=True, blank=True)
    exchange_label = models.CharField(_("exchange"), max_length=200, blank=True)
    computed_at = models.DateTimeField(_("computed"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+")
    moved_from_person_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        ordering = ["-computed_at", "-id"]
        permissions = [("view_payment_data", "Can read pay data, family payments and bank details")]

    def __str__(self) -> str:
        return gettext("Entitlement of %(person)s") % {"person": self.person.full_name}


class LineKind(models.TextChoices):
    ONE_TIME = arithmetic.ONE_TIME, _("One-time payment on release")
    PER_YEAR = arithmetic.PER_YEAR, _("Payment per year of captivity")
    ALLOWANCE = arithmetic.ALLOWANCE, _("Monetary allowance")
    FAMILY_PAID = arithmetic.FAMILY_PAID, _("Already paid to the family")


class EntitlementLine(models.Model):
    entitlement = models.ForeignKey(Entitlement, models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(_("kind"), max_length=12, choices=LineKind.choices)
    rule_set = models.ForeignKey(RuleSet, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("rule set"))
    period_start = models.DateField(_("from"), null=True)
    period_end = models.DateField(_("to"), null=True)
    days = models.PositiveIntegerField(_("days"))
    basis = models.DecimalField(_("basis"), **MONEY)
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    amount = models.DecimalField(_("amount"), **MONEY)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["entitlement", "position"]

    @property
    def formula(self) -> str:
        if self.kind == arithmetic.FAMILY_PAID:
            return f"−{self.basis}"
        if self.numerator == self.denominator == 1:
            return f"{self.basis}"
        return f"{self.basis} × {self.numerator}/{self.denominator}"


class DueKind(models.TextChoices):
    ENTITLEMENT = "entitlement", _("Entitlement")
    ADJUSTMENT = "adjustment", _("Adjustment")


class Due(models.Model):
    """An amount to pay (or, when negative, to recover): the first computation of an entitlement,
    then one adjustment for every later change of the computed total. Never edited: what was
    approved stays approved, a change is a new, visible adjustment."""

    entitlement = models.ForeignKey(Entitlement, models.PROTECT, related_name="dues")
    kind = models.CharField(_("kind"), max_length=12, choices=DueKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    previous_total = models.DecimalField(_("total before"), null=True, blank=True, **MONEY)
    new_total = models.DecimalField(_("total after"), **MONEY)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("amount due")
        verbose_name_plural = _("amounts due")
        ordering = ["entitlement", "id"]


class BatchState(models.TextChoices):
    PREPARED = "prepared", _("Prepared, waiting for approval")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class Batch(models.Model):
    state = models.CharField(_("state"), max_length=10, choices=BatchState.choices, default=BatchState.PREPARED)
    total = models.DecimalField(_("total"), **MONEY)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                    verbose_name=_("prepared by"))
    prepared_at = models.DateTimeField(_("prepared"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("payment confirmed by"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-prepared_at", "-id"]
        permissions = [
            ("prepare_batch", "Can compute entitlements and prepare payment batches"),
            ("approve_batch", "Can approve payment batches prepared by someone else"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"PB-{self.pk:06d}" if self.pk else ""


class BatchLine(models.Model):
    batch = models.ForeignKey(Batch, models.PROTECT, related_name="lines")
    due = models.ForeignKey(Due, models.PROTECT, related_name="batch_lines")
    active = models.BooleanField(default=True)  # False once its batch is rejected
    amount = models.DecimalField(_("amount"), **MONEY)
    iban = models.CharField(_("IBAN"), max_length=34)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["due"], condition=Q(active=True), name="batchline_due_in_one_batch"),
        ]


class LedgerEntryImmutable(Exception):
    pass


class LedgerEntry(models.Model):
    """What was approved for payment: one row per due, ever (unique), never changed or deleted."""

    due = models.OneToOneField(Due, models.PROTECT, related_name="ledger_entry")
    batch = models.ForeignKey(Batch, models.PROTECT, related_name="ledger_entries")
    person = models.ForeignKey(Person, models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    iban = models.CharField(_("IBAN"), max_length=34)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    moved_from_person_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]

    def save(self, *args, **kwargs):
        if self.pk and set(kwargs.get("update_fields") or ()) != {"person", "moved_from_person_id"}:
            raise LedgerEntryImmutable("a ledger entry is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerEntryImmutable("a ledger entry is never deleted")


class DeathBenefitRule(models.Model):
    """The one-time benefit to the family of a servicemember whose death is recorded, from
    ``valid_from`` until the next rule (the rule in force on the date of the death applies). Data,
    not a constant; once a benefit has used it (``used_at``) it never changes: a new rule is made.
    ``demo`` marks an amount invented for the demonstration, shown as such wherever it appears."""

    valid_from = models.DateField(_("valid from"), unique=True)
    amount = models.DecimalField(_("death benefit to the family, UAH"), **MONEY)
    note = models.CharField(_("legal basis or note"), max_length=300, blank=True)
    demo = models.BooleanField(_("demo data (not a real amount)"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    used_at = models.DateTimeField(_("first used"), null=True, blank=True)

    class Meta:
        verbose_name = _("death benefit rule")
        verbose_name_plural = _("death benefit rules")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        text = gettext("Death benefit from %(date)s") % {"date": self.valid_from.isoformat()}
        return f"{text} ({gettext('demo data')})" if self.demo else text

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self._used_in_db() and set(update_fields or ()) != {"used_at"}:
            raise RuleSetInUse(gettext("This rule has been used: it cannot change. Add a new rule."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._used_in_db():
            raise RuleSetInUse(gettext("This rule has been used: it cannot be deleted."))
        return super().delete(*args, **kwargs)

    def _used_in_db(self) -> bool:
        return bool(self.pk) and DeathBenefitRule.objects.filter(pk=self.pk, used_at__isnull=False).exists()


class DeathBenefitState(models.TextChoices):
    DUE = "due", _("Due, waiting for approval")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


#: a benefit that still stands (a cancelled one does not; a paid one whose death was reversed is
#: flagged for finance and stands until settled)
LIVE_DEATH_BENEFIT_STATES = (DeathBenefitState.DUE, DeathBenefitState.APPROVED, DeathBenefitState.PAID)


class DeathBenefit(models.Model):
    """The death benefit owed to a family, arising when the family is told in person of a death
    from a confirmed identification of remains (the remains app asks for it by name: same layer).
    Approved by one finance officer and recorded as paid by another. When the identification is
    reversed, an unpaid benefit is cancelled and a paid one flagged for finance, never silently."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="death_benefits", verbose_name=_("person"))
    # the remains app's identification (named by id: payments does not import remains)
    identification_id = models.PositiveBigIntegerField(_("identification"), unique=True)
    death_event = models.ForeignKey("registry.StatusEvent", models.PROTECT, related_name="+",
                                    verbose_name=_("event of death"))
    death_date = models.DateField(_("date of death"))
    rule = models.ForeignKey(DeathBenefitRule, models.PROTECT, null=True, blank=True, related_name="benefits",
                             verbose_name=_("rule"))
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    state = models.CharField(_("state"), max_length=10, choices=DeathBenefitState.choices,
                             default=DeathBenefitState.DUE)
    arose_at = models.DateTimeField(_("arose"), auto_now_add=True)
    arose_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("family told by"))
    recipient = models.CharField(_("paid to (family member)"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("payment confirmed by"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)
    # paid, then the identification was reversed: finance must settle it (recover or write off)
    flagged_at = models.DateTimeField(_("flagged for finance"), null=True, blank=True)
    flag_reason = models.CharField(_("why it is flagged"), max_length=300, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("settled by"))
    settlement_note = models.CharField(_("how it was settled"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("death benefit")
        verbose_name_plural = _("death benefits")
        ordering = ["-arose_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(state__in=["due", "approved", "paid"],
                                                                   flagged_at__isnull=True),
                                    name="death_benefit_one_live_per_person"),
            models.CheckConstraint(condition=Q(paid_by__isnull=True) | ~Q(paid_by=F("approved_by")),
                                   name="death_benefit_two_people"),
            models.CheckConstraint(condition=Q(settled_at__isnull=True) | Q(flagged_at__isnull=False),
                                   name="death_benefit_settled_only_flagged"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"DB-{self.pk:05d}" if self.pk else ""
