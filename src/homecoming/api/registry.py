"""The register through the API: /api/v1/persons/ and /api/v1/persons/{id}/events/.

Same permissions, services and audit as the pages: every write goes through
``homecoming.registry.services``, every read of one person is audited (``person.view``), and
medical notes and family contacts are left out of the answer for roles that may not read them.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from homecoming.registry import selectors, services
from homecoming.registry.models import (
    Branch,
    DatePrecision,
    Direction,
    Kind,
    MedicalCategory,
    Operation,
    Person,
    Rank,
    RankCategory,
    Sex,
    Side,
    SourceKind,
    Status,
    StatusEvent,
)

from .base import ApiView, Id, Pagination, StrictInput, Text
from .errors import Conflict, ErrorSerializer

# Which permissions each method needs (a tuple inside: any one of it is enough); reading persons is
# needed for anything (a role that may add events but not read persons gets nothing).
READ = "registry.view_person"
PERSON_PERMS = {
    "GET": (READ,),
    "POST": (READ, "registry.add_person"),
    "PUT": (READ, ("registry.change_person", "registry.change_medical")),
    "PATCH": (READ, ("registry.change_person", "registry.change_medical")),
}
EVENT_PERMS = {"GET": (READ,), "POST": (READ, "registry.add_statusevent")}


class StatusEventSerializer(serializers.ModelSerializer):
    source_kind = serializers.CharField(source="source.kind", read_only=True)
    source_reference = serializers.CharField(source="source.reference", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = StatusEvent
        fields = ["id", "status", "effective_date", "source_kind", "source_reference", "note", "corrects",
                  "author", "created_at"]


class StatusEventInputSerializer(StrictInput):
    status = serializers.ChoiceField(choices=Status.choices)
    effective_date = serializers.DateField()
    source_kind = serializers.ChoiceField(choices=SourceKind.choices)
    source_reference = Text(required=False, allow_blank=True, max_length=300, default="")
    note = Text(required=False, allow_blank=True, max_length=2000, default="")
    corrects = Id(required=False, allow_null=True, default=None)


class AlternativeNameSerializer(serializers.Serializer):
    last_name = serializers.CharField()
    first_name = serializers.CharField()
    patronymic = serializers.CharField()
    script = serializers.CharField()
    source = serializers.CharField()


def _code(model):
    return serializers.SlugRelatedField(slug_field="code", queryset=model.objects.all(), required=False,
                                        allow_null=True)


class PersonSerializer(serializers.ModelSerializer):
    """A person as the API shows it. ``medical_notes`` is present only for roles that may read
    medical notes, ``family_contacts`` only for roles that may read contacts."""

    reference = serializers.CharField(read_only=True)
    current_status = serializers.CharField(read_only=True, help_text=gettext_lazy(
        "The latest effective status event (empty when none): one of the status values of the events."))
    branch = _code(Branch)
    rank = _code(Rank)
    direction = _code(Direction)
    operation = _code(Operation)
    alternative_names = AlternativeNameSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id", "reference", "version", "side", "kind", "last_name", "first_name", "patronymic", "sex",
            "birth_date", "birth_date_precision", "service_number", "tax_number", "documents", "branch", "unit",
            "rank", "rank_category", "incident_date", "incident_place", "direction", "operation",
            "medical_category", "medical_notes", "family_contacts", "current_status", "current_status_date",
            "was_missing", "alternative_names", "created_at", "updated_at",
        ]
        read_only_fields = ["version", "current_status", "current_status_date", "was_missing", "created_at",
                            "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and not getattr(self, "swagger_fake_view", False):
            for field, perm in selectors.SENSITIVE_FIELDS.items():
                if not user.has_perm(perm):
                    self.fields.pop(field, None)


class PersonListSerializer(PersonSerializer):
    class Meta(PersonSerializer.Meta):
        fields = ["id", "reference", "side", "kind", "last_name", "first_name", "patronymic", "birth_date",
                  "branch", "direction", "incident_date", "medical_category", "current_status",
                  "current_status_date"]


class PersonWriteSerializer(StrictInput):
    """Input for create (POST) and update (PUT/PATCH). On update ``version`` is required: the
    version you read; a stale one gets 409 and nothing is saved."""

    version = Id(required=False)
    confirm_duplicate = serializers.BooleanField(required=False, default=False)
    side = serializers.ChoiceField(choices=Side.choices, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    last_name = Text(max_length=100, required=False)
    first_name = Text(max_length=100, required=False)
    patronymic = Text(max_length=100, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_date_precision = serializers.ChoiceField(choices=DatePrecision.choices, required=False)
    service_number = Text(max_length=40, required=False, allow_blank=True)
    tax_number = Text(max_length=10, required=False, allow_blank=True)
    documents = Text(required=False, allow_blank=True)
    branch = _code(Branch)
    unit = Text(max_length=200, required=False, allow_blank=True)
    rank = _code(Rank)
    rank_category = serializers.ChoiceField(choices=RankCategory.choices, required=False, allow_blank=True)
    incident_date = serializers.DateField(required=False, allow_null=True)
    incident_place = Text(max_length=200, required=False, allow_blank=True)
    direction = _code(Direction)
    operation = _code(Operation)
    medical_category = serializers.ChoiceField(choices=MedicalCategory.choices, required=False)
    medical_notes = Text(required=False, allow_blank=True)
    family_contacts = Text(required=False, allow_blank=True)
    initial_status = StatusEventInputSerializer(required=False, help_text=gettext_lazy("Create only."))


def _duplicate(candidates) -> Conflict:
    return Conflict(_("This person may already be in the register. Check the candidates; send "
                      "confirm_duplicate: true to save anyway."),
                    candidates=[{"id": p.pk, "reference": p.reference, "full_name": p.full_name,
                                 "birth_date": p.birth_date} for p in candidates])


class CandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    full_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)


class ConflictSerializer(ErrorSerializer):
    """409: a stale ``version`` (``current_version`` says the one to read again) or, on create, likely
    duplicates (``candidates``)."""

    current_version = serializers.IntegerField(required=False)
    candidates = CandidateSerializer(many=True, required=False)


CONFLICT = ConflictSerializer

FILTER_PARAMS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Name in any script or transliteration, or a reference"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
    OpenApiParameter("side", OpenApiTypes.STR, enum=Side.values),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values),
    OpenApiParameter("branch", OpenApiTypes.STR, description="branch code"),
    OpenApiParameter("direction", OpenApiTypes.STR, description="direction code"),
    OpenApiParameter("operation", OpenApiTypes.STR, description="operation code"),
    OpenApiParameter("medical_category", OpenApiTypes.STR, enum=MedicalCategory.values),
    OpenApiParameter("incident_from", OpenApiTypes.DATE),
    OpenApiParameter("incident_to", OpenApiTypes.DATE),
    OpenApiParameter("missing_then_found", OpenApiTypes.BOOL),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=sorted(selectors.SORTS)),
    OpenApiParameter("dir", OpenApiTypes.STR, enum=["asc", "desc"]),
]


class FilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    side = serializers.ChoiceField(choices=Side.choices, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    branch = serializers.SlugRelatedField(slug_field="code", queryset=Branch.objects.all(), required=False)
    direction = serializers.SlugRelatedField(slug_field="code", queryset=Direction.objects.all(), required=False)
    operation = serializers.SlugRelatedField(slug_field="code", queryset=Operation.objects.all(), required=False)
    medical_category = serializers.ChoiceField(choices=MedicalCategory.choices, required=False)
    incident_from = serializers.DateField(required=False)
    incident_to = serializers.DateField(required=False)
    missing_then_found = serializers.BooleanField(required=False)
    sort = serializers.ChoiceField(choices=sorted(selectors.SORTS), required=False)
    dir = serializers.ChoiceField(choices=["asc", "desc"], required=False)


class _Shown:
    def __init__(self, pk):
        self.pk = pk


class RegisterPagination(Pagination):
    """Pages over narrow rows (ids), then fetches the full rows of the page only."""

    def paginate_queryset(self, queryset, request, view=None):
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        return None if ids is None else selectors.fetch_in_order(list(ids))


class PersonList(ApiView, generics.ListCreateAPIView):
    """Search and filter the register; create a person."""

    pagination_class = RegisterPagination
    required_perms = PERSON_PERMS
    serializer_class = PersonListSerializer

    def get_queryset(self):
        f = FilterSerializer(data=self.request.query_params)
        f.is_valid(raise_exception=True)
        data = dict(f.validated_data)
        sort, direction = data.pop("sort", "name"), data.pop("dir", "asc")
        return selectors.filter_persons(selectors.RegisterFilters(**data, sort=sort, descending=direction == "desc"))

    @extend_schema(parameters=FILTER_PARAMS)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else response.data
        # a page of search results is a read of those persons: audited like the page
        services.record_person_search(request.user, [_Shown(r["id"]) for r in rows],
                                      dict(request.query_params.items()), request=request, via="api")
        return response

    @extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer, 409: CONFLICT})
    def post(self, request, *args, **kwargs):
        s = PersonWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        data.pop("version", None)
        confirm = data.pop("confirm_duplicate", False)
        initial = data.pop("initial_status", None)
        if initial is not None:
            initial = dict(initial)
        if not confirm and data.get("last_name") and data.get("first_name"):
            candidates = selectors.likely_duplicates(
                last_name=data["last_name"], first_name=data["first_name"], patronymic=data.get("patronymic", ""),
                birth_date=data.get("birth_date"), side=data.get("side", Side.OURS))
            if candidates:
                raise _duplicate(candidates)
        person = services.create_person(request.user, data, initial_event=initial, request=request)
        return Response(PersonSerializer(person, context={"request": request}).data, status=status.HTTP_201_CREATED)


class PersonDetail(ApiView):
    """One person (audited read); update with the version you read."""

    required_perms = PERSON_PERMS
    serializer_class = PersonSerializer
    queryset = Person.objects.select_related("branch", "rank", "direction", "operation")

    def get(self, request, pk):
        person = self.get_object()
        services.record_person_view(request.user, person, request=request, via="api")
        return Response(PersonSerializer(person, context={"request": request}).data)

    @extend_schema(request=PersonWriteSerializer, responses={200: PersonSerializer, 409: CONFLICT})
    def put(self, request, pk):
        return self._update(request, pk)

    @extend_schema(request=PersonWriteSerializer, responses={200: PersonSerializer, 409: CONFLICT})
    def patch(self, request, pk):
        return self._update(request, pk)

    def _update(self, request, pk):
        person = self.get_object()
        s = PersonWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        if "version" not in data:
            raise ValidationError({"version": [_("Send the version you read: it guards against overwriting "
                                                 "someone else's changes.")]})
        version = data.pop("version")
        data.pop("confirm_duplicate", None)
        if data.pop("initial_status", None) is not None:
            raise ValidationError({"initial_status": [_("Add status events at /events/.")]})
        try:
            person = services.update_person(request.user, person.pk, version=version, changes=data, request=request)
        except services.StaleVersion as exc:
            raise Conflict(str(exc), current_version=exc.current_version) from exc
        person = self.get_queryset().get(pk=person.pk)
        return Response(PersonSerializer(person, context={"request": request}).data)


class PersonEvents(ApiView, generics.ListCreateAPIView):
    """A person's status history (audited read); add an event."""

    required_perms = EVENT_PERMS
    serializer_class = StatusEventSerializer

    def _person(self):
        return get_object_or_404(Person, pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StatusEvent.objects.none()
        person = self._person()
        services.record_person_view(self.request.user, person, request=self.request, via="api-events")
        return person.status_events.select_related("source", "author").order_by("effective_date", "id")

    @extend_schema(request=StatusEventInputSerializer, responses={201: StatusEventSerializer})
    def post(self, request, pk):
        person = self._person()
        s = StatusEventInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        event = services.add_status_event(request.user, person.pk, request=request, **data)
        return Response(StatusEventSerializer(event).data, status=status.HTTP_201_CREATED)
