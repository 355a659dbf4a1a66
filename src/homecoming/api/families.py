"""Family inquiries through the API (staff only): /api/v1/families/inquiries/.

Same permissions, services and audit as the pages: reading needs ``families.view_inquiry``,
linking ``families.change_inquiry`` (and ``registry.view_person``); every read of one inquiry is
audited (``inquiry.view``); the family member's name and contact are left out for roles without
``registry.view_contacts``. The secret code is never available: only its hash exists.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from homecoming.audit.services import record_list_read
from homecoming.families import selectors, services
from homecoming.families.models import Inquiry, InquiryState
from homecoming.families.status import family_view

from .base import ApiView, Id

CONTACT_FIELDS = ("inquirer_name", "phone", "email")


READ = "families.view_inquiry"


class InquirySerializer(serializers.ModelSerializer):
    person = serializers.SerializerMethodField()
    birth_date = serializers.CharField(source="birth_date_text")
    # A plain string (not an enum) so that its schema name does not collide with other apps' "state".
    state = serializers.CharField(read_only=True, help_text="new (to link), linked or closed")
    family_sees = serializers.SerializerMethodField()

    class Meta:
        model = Inquiry
        fields = ["id", "reference", "state", "last_name", "first_name", "patronymic", "birth_date",
                  "service_number", "unit", "incident_date", "incident_place", "circumstances",
                  "inquirer_name", "relation", "phone", "email", "language", "filed_via", "created_at",
                  "linked_at", "person", "family_sees"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None or not request.user.has_perm("registry.view_contacts"):
            for name in CONTACT_FIELDS:
                self.fields.pop(name, None)

    def get_person(self, obj) -> str | None:
        return obj.person.reference if obj.person_id else None

    def get_family_sees(self, obj) -> str:
        return str(family_view(obj).headline)


class InquiryListSerializer(InquirySerializer):
    class Meta(InquirySerializer.Meta):
        fields = ["id", "reference", "state", "last_name", "first_name", "patronymic", "birth_date",
                  "created_at", "person"]


class InquiryList(ApiView, generics.ListAPIView):
    """Inquiries, oldest first (paged); ``state`` filters (new = to link)."""

    required_perms = {"GET": (READ,)}
    serializer_class = InquiryListSerializer

    def get_queryset(self):
        state = self.request.query_params.get("state", "")
        if state and state not in InquiryState.values:
            raise ValidationError({"state": [f"Choose one of: {', '.join(InquiryState.values)}."]})
        return selectors.inquiries(state).order_by("created_at", "id")

    @extend_schema(parameters=[OpenApiParameter("state", OpenApiTypes.STR, enum=InquiryState.values)])
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else response.data
        record_list_read(request.user, "inquiry.list", object_type="inquiry", ids=[r["id"] for r in rows],
                         details={"state": request.query_params.get("state", ""), "via": "api"}, request=request)
        return response


class InquiryDetail(ApiView, generics.RetrieveAPIView):
    required_perms = {"GET": (READ,)}
    serializer_class = InquirySerializer
    queryset = Inquiry.objects.select_related("person")

    def retrieve(self, request, *args, **kwargs):
        inquiry = self.get_object()
        services.record_inquiry_view(request.user, inquiry, request=request, via="api")
        return Response(self.get_serializer(inquiry).data)


class LinkInput(serializers.Serializer):
    person = Id(help_text="id of the person in the register")


class InquiryLink(ApiView):
    """Link the inquiry to a person of the register."""

    required_perms = {"POST": (READ, "families.change_inquiry", "registry.view_person")}
    serializer_class = LinkInput

    @extend_schema(request=LinkInput, responses={200: InquirySerializer})
    def post(self, request, pk):
        inquiry = get_object_or_404(Inquiry, pk=pk)
        s = LinkInput(data=request.data)
        s.is_valid(raise_exception=True)
        inquiry = services.link_inquiry(request.user, inquiry.pk, s.validated_data["person"], request=request)
        return Response(InquirySerializer(inquiry, context={"request": request}).data)
