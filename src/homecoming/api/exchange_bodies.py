"""The bodies of the exchanges API (api/exchanges.py): what it answers and what it takes, one
serializer each, so the schema types every operation and a generated client is usable."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from homecoming.exchanges import selectors
from homecoming.exchanges.models import Agreement, Category, Communique, Exchange, ListEntry
from homecoming.registry.models import Side

from .base import Id, Text

RULE_HELP = "An eligibility rule: a JSON tree of the rule language (docs/eligibility-rules.md)."


# --- what the API answers ------------------------------------------------------------------------

class CategorySerializer(serializers.ModelSerializer):
    rule = serializers.JSONField(help_text=RULE_HELP)

    class Meta:
        model = Category
        fields = ["id", "agreement", "name_uk", "name_en", "rule", "trade_rule", "ratio_receive", "ratio_hand_over",
                  "version"]


class ExchangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exchange
        fields = ["id", "agreement", "number", "planned_date", "carried_out_on", "status"]


class BalanceSerializer(serializers.Serializer):
    category = serializers.IntegerField(source="category.pk")
    receive = serializers.IntegerField()
    hand_over = serializers.IntegerField()
    balanced = serializers.BooleanField()
    message = serializers.CharField()


class ExchangeFullSerializer(ExchangeSerializer):
    balances = serializers.SerializerMethodField()

    class Meta(ExchangeSerializer.Meta):
        fields = [*ExchangeSerializer.Meta.fields, "balances"]

    @extend_schema_field(BalanceSerializer(many=True))
    def get_balances(self, x):
        return BalanceSerializer(selectors.balances(x), many=True).data


class AgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["id", "title", "date", "place", "place_en",
                  "parties", "mediator", "notes", "withhold_counts_until_last_stage"]


class AgreementFullSerializer(AgreementSerializer):
    categories = CategorySerializer(many=True, read_only=True)
    exchanges = ExchangeSerializer(many=True, read_only=True)

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "categories", "exchanges"]


class EntryEventSerializer(serializers.Serializer):
    # "from" is a keyword: the field is named in the constructor of the serializer below
    to = serializers.CharField(source="to_state")
    reason = serializers.CharField()
    at = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        fields = {"from": serializers.CharField(source="from_state"), **fields}
        return fields


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    exchange = serializers.IntegerField(source="exchange_id")
    category = serializers.IntegerField(source="category_id")
    person = serializers.IntegerField(source="person_id")
    reference = serializers.CharField(source="person.reference")
    name = serializers.CharField(source="person.full_name")
    list = serializers.CharField(source="direction", help_text="receive or hand_over")
    state = serializers.CharField()
    contest_reason = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField(), source="reasons_text")
    history = EntryEventSerializer(many=True, source="events.all")


class EntryPageSerializer(serializers.Serializer):
    results = EntrySerializer(many=True)


class OnListSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    state = serializers.CharField()


class ExplainedSerializer(serializers.Serializer):
    """A person of a pool with the result of the rule and its reasons."""

    person = serializers.IntegerField(source="person.pk")
    reference = serializers.CharField(source="person.reference")
    name = serializers.CharField(source="person.full_name")
    eligible = serializers.BooleanField()
    distance = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class PoolRowSerializer(ExplainedSerializer):
    on_lists = OnListSerializer(many=True)


class PoolSerializer(serializers.Serializer):
    category = serializers.IntegerField()
    side = serializers.ChoiceField(choices=Side.choices)
    eligible_count = serializers.IntegerField()
    just_outside_count = serializers.IntegerField()
    considered = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = PoolRowSerializer(many=True)


class PreviewSideSerializer(serializers.Serializer):
    eligible_count = serializers.IntegerField()
    just_outside_count = serializers.IntegerField()
    eligible = ExplainedSerializer(many=True)
    just_outside = ExplainedSerializer(many=True)


class RuleCheckSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    ours = PreviewSideSerializer()
    enemy = PreviewSideSerializer()


class CounterCandidateSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    person = serializers.IntegerField()
    probability = serializers.FloatField()
    explanation = serializers.SerializerMethodField(help_text="field=level(+weight); ... (as before issue 19)")

    def get_explanation(self, candidate) -> str:
        steps = candidate.get("explanation") or []
        if isinstance(steps, str):
            return steps
        return "; ".join(f"{f['field']}={f['level']}({f['weight']:+.1f})" for f in steps)


class CounterRowOutcomeSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=["match", "review", "none"])
    entry = serializers.IntegerField(allow_null=True)
    candidates = CounterCandidateSerializer(many=True)


class CounterListResultSerializer(serializers.Serializer):
    rows = CounterRowOutcomeSerializer(many=True)
    match = serializers.IntegerField()
    review = serializers.IntegerField()
    none = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    not_on_their_list = serializers.ListField(child=serializers.IntegerField(), help_text="ids of entries")


class CrossingsResultSerializer(serializers.Serializer):
    recorded = serializers.ListField(child=serializers.IntegerField(), help_text="ids of the persons recorded")


class PersonRefSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    reference = serializers.CharField()
    name = serializers.CharField()


class WithdrawnSerializer(serializers.Serializer):
    entry = serializers.IntegerField()
    person = serializers.IntegerField()
    exchange = serializers.IntegerField()


class ReconcilePlanSerializer(serializers.Serializer):
    exchange = serializers.IntegerField()
    carried_out_on = serializers.DateField()
    fingerprint = serializers.CharField(help_text="Send it back as confirm to reconcile exactly this.")
    groups = serializers.DictField(child=PersonRefSerializer(many=True), help_text="outcome group -> persons")
    withdrawn_elsewhere = WithdrawnSerializer(many=True)
    contradictions = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                           help_text="person id -> what their new status event contradicts")


class ReconcileReportRowSerializer(PersonRefSerializer):
    side = serializers.CharField()
    category = serializers.IntegerField(allow_null=True)
    list = serializers.CharField(allow_null=True)
    missing = serializers.CharField(required=False, help_text="considered_missing only: the status before")


class ReconcileReportSerializer(serializers.Serializer):
    exchange = serializers.IntegerField()
    carried_out_on = serializers.DateField()
    groups = serializers.DictField(child=ReconcileReportRowSerializer(many=True), help_text="outcome group -> persons")


class CommuniqueSerializer(serializers.Serializer):
    exchange = serializers.IntegerField()
    lang = serializers.ChoiceField(choices=["uk", "en"])
    published = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    text = serializers.CharField()
    fingerprint = serializers.CharField(allow_null=True, help_text=(
        "What POST .../communique/publish/ {\"confirm\": ...} confirms: both texts as generated now "
        "(null once published)."))


class PublishedSerializer(serializers.ModelSerializer):
    uk = serializers.CharField(source="text_uk")
    en = serializers.CharField(source="text_en")

    class Meta:
        model = Communique
        fields = ["exchange", "published_at", "uk", "en"]


# --- what the API takes ----------------------------------------------------------------------------

class AgreementInput(serializers.Serializer):
    title = Text(max_length=200)
    date = serializers.DateField()
    place = Text(max_length=200, required=False, allow_blank=True)
    place_en = Text(max_length=200, required=False, allow_blank=True)
    parties = Text(max_length=300, required=False, allow_blank=True)
    mediator = Text(max_length=200, required=False, allow_blank=True)
    notes = Text(max_length=10000, required=False, allow_blank=True)
    withhold_counts_until_last_stage = serializers.BooleanField(required=False)


class CategoryInput(serializers.Serializer):
    name_uk = Text(max_length=200)
    name_en = Text(max_length=200)
    rule = serializers.JSONField(help_text=RULE_HELP)
    trade_rule = serializers.ChoiceField(choices=Category._meta.get_field("trade_rule").choices, required=False)
    ratio_receive = serializers.IntegerField(min_value=1, max_value=100000, required=False)
    ratio_hand_over = serializers.IntegerField(min_value=1, max_value=100000, required=False)
    position = serializers.IntegerField(min_value=0, max_value=100000, required=False)


class RuleInput(serializers.Serializer):
    rule = serializers.JSONField(help_text=RULE_HELP)


class ExchangeInput(serializers.Serializer):
    agreement = Id()
    number = Id(required=False, allow_null=True,
                                      help_text="the next free stage number when left out")
    planned_date = serializers.DateField(required=False, allow_null=True)


class StatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Exchange._meta.get_field("status").choices)
    carried_out_on = serializers.DateField(required=False, allow_null=True)
    exception_reason = Text(required=False, allow_blank=True, allow_null=True, max_length=2000)


class EntriesInput(serializers.Serializer):
    category = Id()
    persons = serializers.ListField(child=Id(), min_length=1)
    effective_date = serializers.DateField(required=False, allow_null=True)


class EntryStateInput(serializers.Serializer):
    state = serializers.ChoiceField(choices=ListEntry._meta.get_field("state").choices)
    reason = Text(required=False, allow_blank=True, allow_null=True, max_length=300)


class CounterRowInput(serializers.Serializer):
    last_name = Text(required=False, allow_blank=True)
    first_name = Text(required=False, allow_blank=True)
    patronymic = Text(required=False, allow_blank=True)
    full_name = Text(required=False, allow_blank=True)
    birth_date = Text(required=False, allow_blank=True)
    service_number = Text(required=False, allow_blank=True)
    tax_number = Text(required=False, allow_blank=True)


class CounterListInput(serializers.Serializer):
    rows = CounterRowInput(many=True)


class CrossingsInput(serializers.Serializer):
    persons = serializers.ListField(child=Id(), required=False)
    all_confirmed = serializers.BooleanField(required=False, default=False)
    how = serializers.ChoiceField(choices=["check_in", "linkage", "list"], required=False, default="check_in")


class ConfirmInput(serializers.Serializer):
    confirm = Text(required=False, allow_null=True, help_text="the fingerprint of the preview")


class ReconcileInput(ConfirmInput):
    exception_reason = Text(required=False, allow_blank=True, allow_null=True, max_length=2000)
