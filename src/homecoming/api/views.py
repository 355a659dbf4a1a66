from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse

from homecoming.accounts.roles import roles_of

from .base import ApiView

SIGNED_IN = {"GET": ()}


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class RootSerializer(serializers.Serializer):
    me = serializers.URLField()
    schema = serializers.URLField()


class ApiRoot(ApiView):
    """The entry point of /api/v1/: links to what this user may use."""

    required_perms = SIGNED_IN

    @extend_schema(responses=RootSerializer)
    def get(self, request):
        return Response(RootSerializer({
            "me": reverse("api:me", request=request),
            "schema": reverse("schema", request=request),
        }).data)


class Me(ApiView):
    """Who the token or session belongs to, and their roles."""

    required_perms = SIGNED_IN

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(
            MeSerializer(
                {"username": request.user.get_username(), "roles": [r.slug for r in roles_of(request.user)]}
            ).data
        )
