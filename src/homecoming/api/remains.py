"""Remains and identification through the API: /api/v1/remains/...

Same services, selectors, permissions and audit as the pages (homecoming.remains): forensic data
(transfers, remains with their marks and effects, candidates, ante-mortem data, reference
samples) for holders of ``remains.view_forensic`` and ``remains.change_forensic`` (the forensic
experts) only; the identifications also for holders of ``remains.confirm_identification`` (the
registrars), who confirm one proposed by someone else against the ``fingerprint`` of what they
read. Every read is audited by the remains selectors; every write is a remains service. Nothing
here is reachable by a family: the portal has no API.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from homecoming.common.confirm import ChangedSincePreview
from homecoming.registry.models import Person, Sex
from homecoming.remains import reasons, selectors, services
from homecoming.remains.models import (
    AGE_BOUNDS,
    HEIGHT_BOUNDS_CM,
    BodyLocation,
    Condition,
    ConsentPurpose,
    Dental,
    EffectKind,
    Hair,
    Identification,
    IdentificationState,
    MarkKind,
    Method,
    ReferenceSample,
    Relationship,
    Remains,
    SampleState,
    SourceOfData,
    Transfer,
)

from .base import ApiView, Id, StrictInput, Text
from .errors import Conflict

VIEW, CHANGE, CONFIRM = services.VIEW, services.CHANGE, services.CONFIRM
FORENSIC_READ = {"GET": (VIEW,)}
FORENSIC = {"GET": (VIEW,), "POST": (VIEW, CHANGE)}
FORENSIC_WRITE = {"POST": (VIEW, CHANGE)}
#: identifications: read by forensic experts and by registrars, who confirm them
IDENTIFICATION_READ = ((VIEW, CONFIRM),)
MAX_CANDIDATES = 50


# --- bodies out -------------------------------------------------------------------------------

class TransferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField(help_text="TR-0007")
    received_on = serializers.DateField()
    place = serializers.CharField()
    agreement = serializers.IntegerField(source="agreement_id", allow_null=True)
    stage = serializers.IntegerField(source="stage_id", allow_null=True)
    declared_count = serializers.IntegerField()
    received_count = serializers.IntegerField()
    discrepancy = serializers.IntegerField(help_text="declared − received: positive when fewer arrived")
    documents = serializers.CharField()
    discrepancy_note = serializers.CharField()
    remains_recorded = serializers.SerializerMethodField()

    def get_remains_recorded(self, transfer) -> int:
        return transfer.remains.count()


class MarkSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    location = serializers.CharField()
    description = serializers.CharField()


class EffectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    description = serializers.CharField()
    name_as_found = serializers.CharField(help_text="the name written on it, as found (often in Russian)")


class IdentificationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    remains = serializers.IntegerField(source="remains_id")
    case_number = serializers.CharField(source="remains.case_number")
    person = serializers.IntegerField(source="person_id")
    person_reference = serializers.CharField(source="person.reference")
    state = serializers.CharField()
    method = serializers.CharField()


class RemainsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    case_number = serializers.CharField(help_text="ours: the transfer's reference and a number, TR-0007-0042")
    transfer = serializers.IntegerField(source="transfer_id")
    other_side_label = serializers.CharField()
    declared_place = serializers.CharField()
    declared_date = serializers.DateField(allow_null=True)
    sex = serializers.CharField()
    age_min = serializers.IntegerField(allow_null=True)
    age_max = serializers.IntegerField(allow_null=True)
    height_min_cm = serializers.IntegerField(allow_null=True)
    height_max_cm = serializers.IntegerField(allow_null=True)
    hair = serializers.CharField()
    dental = serializers.CharField()
    dental_notes = serializers.CharField()
    condition = serializers.CharField()
    storage_place = serializers.CharField()
    marks = MarkSerializer(many=True, source="marks.all")
    effects = EffectSerializer(many=True, source="effects.all")
    identifications = serializers.SerializerMethodField()

    @extend_schema_field(IdentificationBriefSerializer(many=True))
    def get_identifications(self, remains):
        rows = remains.identifications.select_related("remains", "person").order_by("-proposed_at", "-id")
        return IdentificationBriefSerializer(rows, many=True).data


class RemainsEvidenceSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="the field's code: sex, age, height, hair, dental, mark, place, date, "
                                            "documents")
    label = serializers.CharField(help_text="the field in the reader's language")
    level = serializers.CharField()
    weight = serializers.FloatField(allow_null=True, help_text="bits; null: excludes the person")
    post_mortem = serializers.CharField()
    ante_mortem = serializers.CharField()
    reason = serializers.CharField(help_text="in the reader's language")


class RemainsCandidateSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    person = serializers.IntegerField()
    person_reference = serializers.CharField()
    name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    score = serializers.FloatField()
    evidence = RemainsEvidenceSerializer(many=True)


class SufficiencySerializer(serializers.Serializer):
    enough = serializers.BooleanField()
    rule = serializers.CharField(help_text="both_parents, child_and_other_parent, siblings; empty when not enough")
    ask_for = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                    help_text="each a set of relationships that would make the references enough")
    message = serializers.CharField(help_text="in the reader's language")


class SampleSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    person = serializers.IntegerField(source="person_id")
    donor_name = serializers.CharField()
    relationship = serializers.CharField()
    consent_purpose = serializers.CharField()
    consent_on = serializers.DateField()
    barcode = serializers.CharField()
    laboratory = serializers.CharField()
    collected_on = serializers.DateField()
    sent_on = serializers.DateField(allow_null=True)
    result_on = serializers.DateField(allow_null=True)
    state = serializers.CharField()


class AnteMortemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    age_note = serializers.CharField()
    height_min_cm = serializers.IntegerField(allow_null=True)
    height_max_cm = serializers.IntegerField(allow_null=True)
    hair = serializers.CharField()
    dental = serializers.CharField()
    dental_notes = serializers.CharField()
    source = serializers.CharField()
    source_detail = serializers.CharField()
    collected_on = serializers.DateField()
    marks = MarkSerializer(many=True, source="marks.all")


class PersonForensicSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    person_reference = serializers.CharField()
    ante_mortem = AnteMortemSerializer(allow_null=True)
    samples = SampleSerializer(many=True)
    sufficiency = SufficiencySerializer()
    identifications = IdentificationBriefSerializer(many=True)


class KinshipReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    laboratory = serializers.CharField()
    report_reference = serializers.CharField()
    reported_on = serializers.DateField()
    likelihood_ratio = serializers.DecimalField(max_digits=30, decimal_places=2, allow_null=True)
    probability = serializers.DecimalField(max_digits=12, decimal_places=10, allow_null=True)
    samples = serializers.SerializerMethodField()

    def get_samples(self, report) -> list[int]:
        return sorted(s.pk for s in report.samples.all())


class IdentificationTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    position = serializers.IntegerField()
    state = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)


class IdentificationSerializer(IdentificationBriefSerializer):
    reference = serializers.CharField(source="__str__", help_text="ID-00012")
    reasoning = serializers.CharField()
    proposed_by = serializers.CharField(source="proposed_by.username")
    proposed_at = serializers.DateTimeField()
    confirmed_by = serializers.CharField(source="confirmed_by.username", allow_null=True, default=None)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    date_of_death = serializers.SerializerMethodField()
    kinship_reports = KinshipReportSerializer(many=True, source="kinship_reports.all")
    tasks = IdentificationTaskSerializer(many=True, source="tasks.all")
    fingerprint = serializers.SerializerMethodField()

    def get_date_of_death(self, identification) -> str:
        return services.death_date(identification).isoformat()

    @extend_schema_field(serializers.CharField(allow_null=True, help_text=(
            "of what this answer shows, while the identification waits for confirmation (preliminary): "
            "send it back to .../confirm/ to confirm exactly this")))
    def get_fingerprint(self, identification):
        if identification.state != IdentificationState.PRELIMINARY:
            return None
        return services.confirmation_fingerprint(identification)


# --- bodies in --------------------------------------------------------------------------------

def _count(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=100_000, **kwargs)


def _age(**kwargs):
    return serializers.IntegerField(min_value=AGE_BOUNDS[0], max_value=AGE_BOUNDS[1], allow_null=True,
                                    required=False, **kwargs)


def _height(**kwargs):
    return serializers.IntegerField(min_value=HEIGHT_BOUNDS_CM[0], max_value=HEIGHT_BOUNDS_CM[1], allow_null=True,
                                    required=False, **kwargs)


class TransferUpdateInput(StrictInput):
    received_on = serializers.DateField()
    place = Text()
    declared_count = _count(help_text="the number the other side declared")
    received_count = _count()
    documents = Text(required=False, allow_blank=True)
    discrepancy_note = Text(required=False, allow_blank=True,
                            help_text="required when the numbers declared and received differ")


class TransferInput(TransferUpdateInput):
    agreement = Id(required=False, allow_null=True)
    stage = Id(required=False, allow_null=True, help_text="a stage of the agreement; the agreement is taken from it")


class RemainsInput(StrictInput):
    other_side_label = Text(required=False, allow_blank=True)
    declared_place = Text(required=False, allow_blank=True)
    declared_date = serializers.DateField(required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    age_min = _age()
    age_max = _age()
    height_min_cm = _height()
    height_max_cm = _height()
    hair = serializers.ChoiceField(choices=Hair.choices, required=False)
    dental = serializers.ChoiceField(choices=Dental.choices, required=False)
    dental_notes = Text(required=False, allow_blank=True)
    condition = serializers.ChoiceField(choices=Condition.choices, required=False)
    storage_place = Text(required=False, allow_blank=True)


class MarkInput(StrictInput):
    kind = serializers.ChoiceField(choices=MarkKind.choices)
    location = serializers.ChoiceField(choices=BodyLocation.choices)
    description = Text(required=False, allow_blank=True)


class EffectInput(StrictInput):
    kind = serializers.ChoiceField(choices=EffectKind.choices)
    description = Text()
    name_as_found = Text(required=False, allow_blank=True)


class AnteMortemInput(StrictInput):
    age_note = Text(required=False, allow_blank=True)
    height_min_cm = _height()
    height_max_cm = _height()
    hair = serializers.ChoiceField(choices=Hair.choices, required=False)
    dental = serializers.ChoiceField(choices=Dental.choices, required=False)
    dental_notes = Text(required=False, allow_blank=True)
    source = serializers.ChoiceField(choices=SourceOfData.choices, required=False)
    source_detail = Text(required=False, allow_blank=True)
    collected_on = serializers.DateField(required=False)


class SampleUpdateInput(StrictInput):
    laboratory = Text(required=False, allow_blank=True)
    sent_on = serializers.DateField(required=False, allow_null=True)
    result_on = serializers.DateField(required=False, allow_null=True)
    state = serializers.ChoiceField(choices=SampleState.choices, required=False)


class SampleInput(SampleUpdateInput):
    donor_name = Text()
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    consent_purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    consent_on = serializers.DateField()
    barcode = Text(help_text="capital Latin letters, digits and dashes, 4 to 40")
    collected_on = serializers.DateField()


class OpenInput(StrictInput):
    remains = Id()
    person = Id()
    method = serializers.ChoiceField(choices=Method.choices)
    reasoning = Text(required=False, allow_blank=True)


class KinshipReportInput(StrictInput):
    laboratory = Text()
    report_reference = Text()
    reported_on = serializers.DateField()
    likelihood_ratio = serializers.DecimalField(max_digits=30, decimal_places=2, min_value=0, required=False,
                                                allow_null=True)
    probability = serializers.DecimalField(max_digits=12, decimal_places=10, min_value=0, max_value=1,
                                           required=False, allow_null=True)
    samples = serializers.ListField(child=Id(), min_length=1, max_length=50,
                                    help_text="ids of this person's reference samples the laboratory used")


class ReasoningInput(StrictInput):
    reasoning = Text(required=False, allow_blank=True, help_text="required to exclude")


class IdentificationConfirmInput(StrictInput):
    fingerprint = Text(help_text="the fingerprint of the identification as you read it (GET .../{id}/)")


# --- helpers ----------------------------------------------------------------------------------

def _valid(serializer_class, request, **kwargs) -> dict:
    s = serializer_class(data=request.data, **kwargs)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


def _remains(pk) -> Remains:
    return get_object_or_404(Remains.objects.select_related("transfer").prefetch_related("marks", "effects"), pk=pk)


def _identification(pk) -> Identification:
    return get_object_or_404(Identification.objects.select_related(
        "remains", "remains__transfer", "person", "proposed_by", "confirmed_by"), pk=pk)


def _weight(value: float) -> float | None:
    return None if value == float("-inf") else round(value, 2)


def _candidate_rows(pairs) -> list[dict]:
    rows = []
    for rank, (person, candidate) in enumerate(pairs, 1):
        evidence = []
        for e in candidate.evidence:
            worded = reasons.describe(e)
            evidence.append({"field": e.field, "label": worded["field"], "level": e.level, "weight": _weight(e.weight),
                             "post_mortem": worded["post_mortem"], "ante_mortem": worded["ante_mortem"],
                             "reason": worded["reason"]})
        rows.append({"rank": rank, "person": person.pk, "person_reference": person.reference,
                     "name": person.full_name, "birth_date": person.birth_date, "status": person.current_status,
                     "score": round(candidate.score, 2), "evidence": evidence})
    return rows


# --- transfers --------------------------------------------------------------------------------

class TransferList(ApiView):
    """GET: transfers of remains, newest first (paged). POST: record a transfer."""

    required_perms = FORENSIC

    @extend_schema(operation_id="remains_transfers_list", responses=TransferSerializer(many=True))
    def get(self, request):
        response, page = self.paged(selectors.transfers(), TransferSerializer)
        selectors.transfer_page_read(request.user, page, request=request)
        return response

    @extend_schema(operation_id="remains_transfer_create", request=TransferInput,
                   responses={201: TransferSerializer})
    def post(self, request):
        data = _valid(TransferInput, request)
        transfer = services.record_transfer(request.user, agreement_id=data.pop("agreement", None),
                                            stage_id=data.pop("stage", None), request=request, **data)
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


class TransferDetail(ApiView):
    """GET: a transfer. PATCH: change what was declared, received or came with it."""

    required_perms = {"GET": (VIEW,), "PATCH": (VIEW, CHANGE)}

    @extend_schema(operation_id="remains_transfer_detail", responses=TransferSerializer)
    def get(self, request, pk):
        transfer = get_object_or_404(Transfer, pk=pk)
        selectors.transfer_for_reading(request.user, transfer, request=request)
        return Response(TransferSerializer(transfer).data)

    @extend_schema(operation_id="remains_transfer_update", request=TransferUpdateInput,
                   responses=TransferSerializer)
    def patch(self, request, pk):
        transfer = get_object_or_404(Transfer, pk=pk)
        data = _valid(TransferUpdateInput, request, partial=True)
        transfer = services.update_transfer(request.user, transfer.pk, request=request, **data)
        return Response(TransferSerializer(transfer).data)


class TransferRemains(ApiView):
    """GET: the remains of a transfer with their post-mortem data (paged). POST: record remains of
    it; the case number is made here (the transfer's reference and the next number)."""

    required_perms = FORENSIC

    @extend_schema(operation_id="remains_transfer_remains_list", responses=RemainsSerializer(many=True))
    def get(self, request, pk):
        transfer = get_object_or_404(Transfer, pk=pk)
        rows = selectors.transfer_remains(transfer).select_related("transfer").prefetch_related("marks", "effects")
        response, page = self.paged(rows, RemainsSerializer)
        selectors.remains_page_read(request.user, page, transfer=transfer, request=request)
        return response

    @extend_schema(operation_id="remains_record", request=RemainsInput, responses={201: RemainsSerializer})
    def post(self, request, pk):
        transfer = get_object_or_404(Transfer, pk=pk)
        data = _valid(RemainsInput, request)
        remains = services.record_remains(request.user, transfer.pk, request=request, **data)
        return Response(RemainsSerializer(_remains(remains.pk)).data, status=status.HTTP_201_CREATED)


# --- remains ----------------------------------------------------------------------------------

class RemainsDetail(ApiView):
    """GET: remains with their post-mortem data, marks, effects found and identifications.
    PATCH: change the post-mortem data (the history keeps every earlier value)."""

    required_perms = {"GET": (VIEW,), "PATCH": (VIEW, CHANGE)}

    @extend_schema(operation_id="remains_detail", responses=RemainsSerializer)
    def get(self, request, pk):
        remains = selectors.remains_record_for_reading(request.user, _remains(pk), request=request)
        return Response(RemainsSerializer(remains).data)

    @extend_schema(operation_id="remains_update", request=RemainsInput, responses=RemainsSerializer)
    def patch(self, request, pk):
        remains = _remains(pk)
        data = _valid(RemainsInput, request, partial=True)
        services.update_remains(request.user, remains.pk, request=request, **data)
        return Response(RemainsSerializer(_remains(pk)).data)


class RemainsMarks(ApiView):
    """POST: a distinguishing mark found on the remains."""

    required_perms = FORENSIC_WRITE

    @extend_schema(operation_id="remains_mark_add", request=MarkInput, responses={201: MarkSerializer})
    def post(self, request, pk):
        remains = _remains(pk)
        mark = services.add_mark(request.user, remains_id=remains.pk, request=request, **_valid(MarkInput, request))
        return Response(MarkSerializer(mark).data, status=status.HTTP_201_CREATED)


class RemainsEffects(ApiView):
    """POST: a personal effect or document found with the remains, with the name written on it."""

    required_perms = FORENSIC_WRITE

    @extend_schema(operation_id="remains_effect_add", request=EffectInput, responses={201: EffectSerializer})
    def post(self, request, pk):
        remains = _remains(pk)
        effect = services.add_effect(request.user, remains.pk, request=request, **_valid(EffectInput, request))
        return Response(EffectSerializer(effect).data, status=status.HTTP_201_CREATED)


class RemainsCandidates(ApiView):
    """GET: the missing persons who may be behind the remains, best first, each with the evidence
    field by field (as the page shows it). ``limit``: how many (1 to 50, 20 by default)."""

    required_perms = FORENSIC_READ

    @extend_schema(operation_id="remains_candidates", responses=RemainsCandidateSerializer(many=True),
                   parameters=[OpenApiParameter("limit", OpenApiTypes.INT, description="1 to 50, 20 by default")])
    def get(self, request, pk):
        raw = request.query_params.get("limit", "20")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_CANDIDATES:
            raise ValidationError({"limit": [_("A whole number from 1 to %(n)s.") % {"n": MAX_CANDIDATES}]})
        remains = _remains(pk)
        pairs = selectors.remains_for_reading(request.user, remains, limit=int(raw), request=request)
        response, _page = self.paged(_candidate_rows(pairs), RemainsCandidateSerializer)
        return response


# --- a missing person's forensic section -------------------------------------------------------

class PersonForensic(ApiView):
    """GET: a missing person's ante-mortem record with its marks, the relatives' reference samples,
    whether they suffice for kinship testing (and what to ask the family for), identifications."""

    required_perms = FORENSIC_READ

    @extend_schema(operation_id="remains_person_detail", responses=PersonForensicSerializer)
    def get(self, request, pk):
        person = get_object_or_404(Person, pk=pk)
        section = selectors.person_forensic_for_reading(request.user, person, request=request)
        result = section["sufficiency"]
        return Response(PersonForensicSerializer({
            "person": person.pk, "person_reference": person.reference, "ante_mortem": section["ante_mortem"],
            "samples": section["samples"],
            "sufficiency": {"enough": result.enough, "rule": result.rule,
                            "ask_for": [list(option) for option in result.ask_for],
                            "message": selectors.sufficiency_message(result)},
            "identifications": section["identifications"],
        }).data)


class PersonAnteMortem(ApiView):
    """PUT: record or change the person's ante-mortem record (one per person). Fields left out keep
    their values; a new record needs ``source`` and ``collected_on``."""

    required_perms = {"PUT": (VIEW, CHANGE)}

    @extend_schema(operation_id="remains_ante_mortem_record", request=AnteMortemInput,
                   responses=AnteMortemSerializer)
    def put(self, request, pk):
        person = get_object_or_404(Person, pk=pk)
        record = services.record_ante_mortem(request.user, person.pk, request=request,
                                             **_valid(AnteMortemInput, request))
        return Response(AnteMortemSerializer(record).data)


class PersonAnteMortemMarks(ApiView):
    """POST: a distinguishing mark known in life (on the person's ante-mortem record)."""

    required_perms = FORENSIC_WRITE

    @extend_schema(operation_id="remains_ante_mortem_mark_add", request=MarkInput, responses={201: MarkSerializer})
    def post(self, request, pk):
        person = get_object_or_404(Person, pk=pk)
        data = _valid(MarkInput, request)
        record = getattr(person, "ante_mortem", None) if hasattr(person, "ante_mortem") else None
        if record is None:
            raise ValidationError({"non_field_errors": [_("Record the ante-mortem data first.")]})
        mark = services.add_mark(request.user, ante_mortem_id=record.pk, request=request, **data)
        return Response(MarkSerializer(mark).data, status=status.HTTP_201_CREATED)


class PersonSamples(ApiView):
    """POST: a relative's reference sample for the person, with the consent's purpose and date
    (the samples and their sufficiency are read with GET .../persons/{id}/)."""

    required_perms = FORENSIC_WRITE

    @extend_schema(operation_id="remains_sample_add", request=SampleInput, responses={201: SampleSerializer})
    def post(self, request, pk):
        person = get_object_or_404(Person, pk=pk)
        sample = services.add_reference_sample(request.user, person.pk, request=request,
                                               **_valid(SampleInput, request))
        return Response(SampleSerializer(sample).data, status=status.HTTP_201_CREATED)


class SampleUpdate(ApiView):
    """PATCH: the laboratory's progress on a sample (sent, result, state; a withdrawn consent)."""

    required_perms = {"PATCH": (VIEW, CHANGE)}

    @extend_schema(operation_id="remains_sample_update", request=SampleUpdateInput, responses=SampleSerializer)
    def patch(self, request, pk):
        sample = get_object_or_404(ReferenceSample, pk=pk)
        sample = services.update_reference_sample(request.user, sample.pk, request=request,
                                                  **_valid(SampleUpdateInput, request, partial=True))
        return Response(SampleSerializer(sample).data)


# --- identifications -----------------------------------------------------------------------------

class IdentificationList(ApiView):
    """GET: identifications, newest first (paged); ``state`` filters (pending, preliminary: waiting
    for confirmation, confirmed, excluded). POST: open one (pending) for remains and a person."""

    required_perms = {"GET": IDENTIFICATION_READ, "POST": (VIEW, CHANGE)}

    @extend_schema(operation_id="remains_identifications_list", responses=IdentificationBriefSerializer(many=True),
                   parameters=[OpenApiParameter("state", OpenApiTypes.STR, enum=IdentificationState.values)])
    def get(self, request):
        state = request.query_params.get("state", "")
        if state and state not in IdentificationState.values:
            raise ValidationError({"state": [_("One of: %(states)s.") % {"states": ", ".join(
                IdentificationState.values)}]})
        response, rows = self.paged(selectors.identifications(state), IdentificationBriefSerializer)
        selectors.identification_list_read(request.user, rows, state=state, request=request)
        return response

    @extend_schema(operation_id="remains_identification_open", request=OpenInput,
                   responses={201: IdentificationSerializer})
    def post(self, request):
        data = _valid(OpenInput, request)
        identification = services.open_identification(request.user, data["remains"], data["person"],
                                                      method=data["method"], reasoning=data.get("reasoning", ""),
                                                      request=request)
        return Response(IdentificationSerializer(_identification(identification.pk)).data,
                        status=status.HTTP_201_CREATED)


class IdentificationDetail(ApiView):
    """GET: an identification with its kinship reports, its tasks and, while it waits for
    confirmation, the ``fingerprint`` a registrar sends back to confirm it."""

    required_perms = {"GET": IDENTIFICATION_READ}

    @extend_schema(operation_id="remains_identification_detail", responses=IdentificationSerializer)
    def get(self, request, pk):
        identification = selectors.identification_for_reading(request.user, _identification(pk), request=request)
        return Response(IdentificationSerializer(identification).data)


class IdentificationKinshipReports(ApiView):
    """POST: the laboratory's kinship match report (a likelihood ratio or a probability, and the
    person's reference samples it used)."""

    required_perms = FORENSIC_WRITE

    @extend_schema(operation_id="remains_kinship_report_add", request=KinshipReportInput,
                   responses={201: KinshipReportSerializer})
    def post(self, request, pk):
        identification = _identification(pk)
        data = _valid(KinshipReportInput, request)
        report = services.add_kinship_report(request.user, identification.pk, sample_ids=data.pop("samples"),
                                             request=request, **data)
        return Response(KinshipReportSerializer(report).data, status=status.HTTP_201_CREATED)


def _step(request, pk, call):
    identification = _identification(pk)
    data = _valid(ReasoningInput, request)
    call(identification.pk, data.get("reasoning", ""))
    return Response(IdentificationSerializer(_identification(pk)).data)


class IdentificationPropose(ApiView):
    """POST: pending -> preliminary, for a registrar's confirmation (a DNA identification needs a
    kinship report first)."""

    required_perms = FORENSIC_WRITE

    @extend_schema(operation_id="remains_identification_propose", request=ReasoningInput,
                   responses=IdentificationSerializer)
    def post(self, request, pk):
        return _step(request, pk, lambda i, reasoning: services.propose_identification(
            request.user, i, reasoning=reasoning, request=request))


class IdentificationExclude(ApiView):
    """POST {"reasoning": "..."}: the remains are not this person."""

    required_perms = FORENSIC_WRITE

    @extend_schema(operation_id="remains_identification_exclude", request=ReasoningInput,
                   responses=IdentificationSerializer)
    def post(self, request, pk):
        return _step(request, pk, lambda i, reasoning: services.exclude_identification(
            request.user, i, reasoning=reasoning, request=request))


class IdentificationConfirm(ApiView):
    """POST {"fingerprint": "..."}: a registrar who did not propose it confirms a preliminary
    identification exactly as read. The person's death is written through the status model and the
    tasks follow, telling the family in person first. 409 when it changed since it was read."""

    required_perms = {"POST": (CONFIRM,)}

    @extend_schema(operation_id="remains_identification_confirm", request=IdentificationConfirmInput,
                   responses=IdentificationSerializer)
    def post(self, request, pk):
        identification = _identification(pk)
        data = _valid(IdentificationConfirmInput, request)
        try:
            services.confirm_identification(request.user, identification.pk, fingerprint=data["fingerprint"],
                                            request=request)
        except ChangedSincePreview as exc:
            raise Conflict(" ".join(exc.messages), errors={"non_field_errors": exc.messages}) from exc
        return Response(IdentificationSerializer(_identification(pk)).data)
