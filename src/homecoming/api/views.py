from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from homecoming.accounts.roles import roles_of


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class ApiRoot(APIView):
    """The entry point of /api/v1/: links to what this user may use."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(
            {
                "me": reverse("api:me", request=request),
                "schema": reverse("schema", request=request),
            }
        )


class Me(APIView):
    """Who the token or session belongs to, and their roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(
            MeSerializer(
                {"username": request.user.get_username(), "roles": [r.slug for r in roles_of(request.user)]}
            ).data
        )
