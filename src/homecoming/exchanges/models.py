"""Agreements, their categories, exchanges (stages), list entries with their history, the persons
who crossed on exchange day, the other side's counter-list and the published communiqué.

Writes go through :mod:`homecoming.exchanges.services` only.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from homecoming.registry.models import Person


class TradeRule(models.TextChoices):
    ALL_FOR_ALL = "all_for_all", _("All for all")
    N_FOR_N = "n_for_n", _("N for N (equal numbers)")
    RATIO = "ratio", _("Ratio a:b")


class Agreement(models.Model):
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    # A place is named in each language: the English communiqué says "Abu Dhabi", never «Абу-Дабі»
    # (communique.place_in). An agreement without the English name falls back to a transliteration.
    place = models.CharField(_("place"), max_length=200, blank=True)
    place_en = models.CharField(_("place in English"), max_length=200, blank=True, default="")
    parties = models.CharField(_("parties"), max_length=300, blank=True)
    mediator = models.CharField(_("mediator"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True, validators=[MaxLengthValidator(10000)])
    withhold_counts_until_last_stage = models.BooleanField(
        _("withhold counts until the last stage"), default=False,
        help_text=_("The communiqué of a stage gives no numbers until every stage is reconciled."))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class Category(models.Model):
    agreement = models.ForeignKey(Agreement, models.CASCADE, related_name="categories", verbose_name=_("agreement"))
    name_uk = models.CharField(_("name in Ukrainian"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    rule = models.JSONField(_("eligibility rule"))
    trade_rule = models.CharField(_("trade rule"), max_length=12, choices=TradeRule.choices,
                                  default=TradeRule.ALL_FOR_ALL)
    ratio_receive = models.PositiveIntegerField(_("we receive (a)"), default=1)
    ratio_hand_over = models.PositiveIntegerField(_("we hand over (b)"), default=1)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "uk").startswith("en") else self.name_uk

    def trade_rule_text(self) -> str:
        if self.trade_rule == TradeRule.RATIO:
            return f"{self.ratio_receive}:{self.ratio_hand_over}"
        return str(self.get_trade_rule_display())


class ExchangeStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    LISTS_SENT = "lists_sent", _("Lists sent")
    LISTS_AGREED = "lists_agreed", _("Lists agreed")
    CARRIED_OUT = "carried_out", _("Carried out")
    RECONCILED = "reconciled", _("Reconciled")


class Exchange(models.Model):
    """One stage of an agreement."""

    agreement = models.ForeignKey(Agreement, models.PROTECT, related_name="exchanges", verbose_name=_("agreement"))
    number = models.PositiveIntegerField(_("stage number"))
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    carried_out_on = models.DateField(_("carried out on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=ExchangeStatus.choices,
                              default=ExchangeStatus.PLANNING)
    notes = models.TextField(_("notes"), blank=True)
    reconciled_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)
    reconciled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                      related_name="+")
    report = models.JSONField(_("reconciliation report"), null=True, blank=True)
    # Exceptions the negotiator recorded with a reason, to a rule the stage would otherwise break
    # (lists agreed while unbalanced or contested; carried out before a listing's date): a list of
    # {"kind", "reason", "by", "at", "details"}. Appended to, never edited.
    exceptions = models.JSONField(_("recorded exceptions"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="exchange_stage_unique")]
        permissions = [("reconcile_exchange", "Can reconcile an exchange and publish its communiqué")]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.number}"

    @property
    def source_label(self) -> str:
        """How the register names this stage in what it keeps (a status event's source, a note):
        written once and read in either language, so it holds no word of one language ("stage 1"
        showed in English inside Ukrainian pages, issue 19), only the agreement's title and the
        stage's number."""
        return f"{self.agreement.title} · №{self.number}"


class Direction(models.TextChoices):
    RECEIVE = "receive", _("We ask to receive")
    HAND_OVER = "hand_over", _("We hand over")


class EntryState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed by the other side")
    CONTESTED = "contested", _("Contested")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RETURNED = "returned", _("Returned")
    NOT_DELIVERED = "not_delivered", _("Not delivered")


class ListEntry(models.Model):
    exchange = models.ForeignKey(Exchange, models.PROTECT, related_name="entries")
    category = models.ForeignKey(Category, models.PROTECT, related_name="entries", verbose_name=_("category"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="exchange_entries", verbose_name=_("person"))
    direction = models.CharField(_("list"), max_length=10, choices=Direction.choices)
    state = models.CharField(_("state"), max_length=14, choices=EntryState.choices, default=EntryState.PROPOSED)
    contest_reason = models.CharField(_("reason contested"), max_length=300, blank=True)
    reasons = models.JSONField(_("why eligible"), default=list, blank=True)
    counter_row = models.JSONField(_("row of the counter-list"), null=True, blank=True)
    # The register's "on an exchange list" event this entry opened; its outcome closes it (ends).
    listing_event = models.ForeignKey("registry.StatusEvent", models.PROTECT, null=True, blank=True,
                                      related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        ordering = ["exchange", "category", "direction", "id"]
        constraints = [models.UniqueConstraint(fields=["exchange", "person"], name="entry_person_once_per_stage")]
        indexes = [models.Index(fields=["person", "state"], name="entry_person_state_idx")]

    @property
    def reasons_text(self) -> list[str]:
        """Why the person was listed, in the reader's language (as evaluated the day they were listed)."""
        if isinstance(self.reasons, dict):
            lang = "en" if (get_language() or "uk").startswith("en") else "uk"
            return self.reasons.get(lang) or self.reasons.get("uk") or []
        return list(self.reasons or [])


class EntryEvent(models.Model):
    """Append-only history of an entry's state."""

    entry = models.ForeignKey(ListEntry, models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Crossing(models.Model):
    """A person recorded on exchange day as having crossed: one of ours came home, or an enemy
    prisoner was handed over. ``entry`` is empty for a person who was on no list of the stage."""

    class How(models.TextChoices):
        LIST = "list", _("From the final list")
        LINKAGE = "linkage", _("Matched through linkage")
        CHECK_IN = "check_in", _("Checked in one by one")

    exchange = models.ForeignKey(Exchange, models.PROTECT, related_name="crossings")
    person = models.ForeignKey(Person, models.PROTECT, related_name="exchange_crossings")
    entry = models.ForeignKey(ListEntry, models.PROTECT, null=True, blank=True, related_name="crossings")
    how = models.CharField(max_length=10, choices=How.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exchange", "person"], name="crossing_once_per_stage")]
        ordering = ["id"]


class CounterRow(models.Model):
    """A row of the other side's counter-list and what it matched."""

    exchange = models.ForeignKey(Exchange, models.CASCADE, related_name="counter_rows")
    row_number = models.PositiveIntegerField()
    data = models.JSONField()
    decision = models.CharField(max_length=8)  # match / review / none
    entry = models.ForeignKey(ListEntry, models.SET_NULL, null=True, blank=True, related_name="+")
    candidates = models.JSONField(default=list)
    reason = models.CharField(max_length=300, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    # A person's decision on a row to review (services/counter.py): "" while open, and what it wrote
    # ({"event": the entry's confirmation, "counter_row": the entry's row before}) for its undo.
    state = models.CharField(max_length=8, blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    wrote = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["exchange", "row_number"]

    @property
    def name(self) -> str:
        d = self.data
        return " ".join(x for x in (d.get("last_name"), d.get("first_name"), d.get("patronymic")) if x) or d.get(
            "full_name", "")


class Communique(models.Model):
    exchange = models.OneToOneField(Exchange, models.PROTECT, related_name="communique")
    text_uk = models.TextField()
    text_en = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+")


class MergeFollow(models.Model):
    """Entries and crossings re-pointed to the survivor of a merge in the register, so that undoing
    the merge can give them back to the record they came from."""

    merge_id = models.PositiveIntegerField(unique=True)
    entries = models.JSONField(default=list)
    crossings = models.JSONField(default=list)
